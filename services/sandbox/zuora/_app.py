"""Assembles the Zuora sandbox: OAuth token endpoint, v1 routes, error handlers, edge layers."""

from __future__ import annotations

import secrets
import uuid
from typing import Any, cast

import msgspec
from litestar import Litestar, Request, Response, post
from litestar.di import Provide
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException
from litestar.types import ASGIApp as LitestarASGIApp

from services.runtime.types import ASGIApp
from services.sandbox._kernel import (
    IssuedTokens,
    SandboxConfig,
    SandboxControls,
    SandboxControlsController,
    SandboxFront,
)
from services.sandbox.zuora._accounts import AccountsController
from services.sandbox.zuora._bill_runs import BillRunsController
from services.sandbox.zuora._callouts import Callouts, CalloutTarget
from services.sandbox.zuora._catalog import CatalogController
from services.sandbox.zuora._controls import ZuoraControlsController
from services.sandbox.zuora._edge import TOKEN_PATH, ZuoraEdge, ZuoraGate
from services.sandbox.zuora._errors import Category, Resource, ZuoraError, ZuoraFaultShapes, error_body
from services.sandbox.zuora._idempotency import IdempotencyKeys, IdempotentRequests
from services.sandbox.zuora._orders import OrdersController
from services.sandbox.zuora._payments import PaymentMethodsController, PaymentRunsController
from services.sandbox.zuora._seed import seed
from services.sandbox.zuora._store import ZuoraTenant
from services.sandbox.zuora._subscriptions import SubscriptionsController
from services.sandbox.zuora._transactions import TransactionsController
from services.sandbox.zuora._wire import json_response


class TokenGranted(msgspec.Struct, frozen=True):
    access_token: str
    token_type: str
    expires_in: int
    scope: str
    jti: str


class OAuthError(msgspec.Struct, frozen=True):
    error: str
    error_description: str


def _token_endpoint(config: SandboxConfig, tokens: IssuedTokens) -> Any:
    # What the token carries for this tenant; fixed per sandbox process, like a real OAuth client.
    scope = (
        f"user.{uuid.uuid4().hex} entity.{uuid.uuid4()} service.echo.read "
        f"tenant.{secrets.randbelow(90000) + 10000}"
    )

    @post(TOKEN_PATH, status_code=200)
    async def create_token(request: Request[Any, Any, Any]) -> Response[bytes]:
        form = await request.form()
        grant_type = form.get("grant_type")
        if not grant_type:
            return json_response(OAuthError("invalid_request", "Missing grant type"), 400)
        if grant_type != "client_credentials":
            return json_response(
                OAuthError("unsupported_grant_type", f"Unsupported grant type: {grant_type}"), 400
            )
        if form.get("client_id") != config.client_id or form.get("client_secret") != config.client_secret:
            return json_response(OAuthError("invalid_client", "Bad client credentials"), 401)
        granted = TokenGranted(
            access_token=tokens.issue(),
            token_type="bearer",
            expires_in=int(config.token_ttl),
            scope=scope,
            jti=uuid.uuid4().hex,
        )
        return json_response(granted)

    return create_token


def _zuora_error(_: Request[Any, Any, Any], exc: ZuoraError) -> Response[bytes]:
    return json_response(exc.body(), exc.status)


def _route_not_found(request: Request[Any, Any, Any], _: NotFoundException) -> Response[bytes]:
    message = f"The requested URL {request.url.path} was not found."
    return json_response(error_body(Resource.GENERIC, Category.NOT_FOUND, message), 404)


def _method_not_allowed(request: Request[Any, Any, Any], _: MethodNotAllowedException) -> Response[bytes]:
    message = f"Method {request.method} is not supported for {request.url.path}."
    return json_response(error_body(Resource.GENERIC, Category.MALFORMED, message), 405)


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    category = Category.INVALID_VALUE if exc.status_code == 400 else Category.MALFORMED
    return json_response(error_body(Resource.GENERIC, category, exc.detail), exc.status_code)


def _internal_error(_: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    body = error_body(Resource.GENERIC, Category.INTERNAL, "An unexpected error occurred.")
    return json_response(body, 500)


def create_app(config: SandboxConfig) -> Litestar:
    """The Zuora sandbox as a Litestar app (see the package docstring)."""
    tenant = ZuoraTenant()
    seed(tenant)
    keys = IdempotencyKeys()
    tokens = IssuedTokens(config.token_ttl)
    callouts = Callouts()
    configured = (
        CalloutTarget(config.callout_url, config.callout_username, config.callout_password)
        if config.callout_url
        else None
    )
    callouts.target = configured

    def reseed() -> None:
        nonlocal tenant
        tenant = ZuoraTenant()
        seed(tenant)
        keys.clear()
        callouts.clear()
        callouts.target = configured

    controls = SandboxControls(ZuoraFaultShapes(), tokens, reseed)

    def provide_tenant() -> ZuoraTenant:
        return tenant

    def provide_controls() -> SandboxControls:
        return controls

    def provide_callouts() -> Callouts:
        return callouts

    def provide_keys() -> IdempotencyKeys:
        return keys

    app = Litestar(
        route_handlers=[
            _token_endpoint(config, tokens),
            AccountsController,
            CatalogController,
            OrdersController,
            SubscriptionsController,
            BillRunsController,
            TransactionsController,
            PaymentMethodsController,
            PaymentRunsController,
            SandboxControlsController,
            ZuoraControlsController,
        ],
        dependencies={
            "tenant": Provide(provide_tenant, sync_to_thread=False),
            "sandbox": Provide(provide_controls, sync_to_thread=False),
            "callouts": Provide(provide_callouts, sync_to_thread=False),
            "idempotency_keys": Provide(provide_keys, sync_to_thread=False),
        },
        exception_handlers={
            ZuoraError: _zuora_error,
            NotFoundException: _route_not_found,
            MethodNotAllowedException: _method_not_allowed,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
        openapi_config=None,
    )
    # Wrap Litestar's own handler (not route middleware) so that unknown routes, faults and
    # refusals before routing all carry Zuora's headers and shapes.
    inner = cast(ASGIApp, app.asgi_handler)
    gate = ZuoraGate(inner, tokens, IdempotentRequests(inner, keys))
    app.asgi_handler = cast(LitestarASGIApp, ZuoraEdge(SandboxFront(gate, controls)))
    return app
