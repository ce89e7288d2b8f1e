"""The Litestar app of the Salesforce sandbox: routes, the API guard, and Salesforce-shaped errors."""

from __future__ import annotations

from typing import Any, Final, cast

import msgspec
from litestar import Litestar, Request, Response
from litestar.di import Provide
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException
from litestar.middleware import DefineMiddleware

from services.runtime.types import ASGIApp, Message, Receive, Scope, Send
from services.sandbox._kernel import SandboxConfig, SandboxControls, SandboxControlsController, SandboxFront
from services.sandbox.salesforce._collections_api import CollectionsApi
from services.sandbox.salesforce._data_api import DataApi, versions
from services.sandbox.salesforce._errors import SalesforceApiError, invalid_session
from services.sandbox.salesforce._http import JSON_MEDIA_TYPE, json_response
from services.sandbox.salesforce._oauth import issue_token
from services.sandbox.salesforce._org import DAILY_API_LIMIT, UNEXPECTED_ERROR_MESSAGE, SalesforceOrg
from services.sandbox.salesforce._query_api import QueryApi
from services.sandbox.salesforce._schema import SchemaRegistry

DATA_PREFIX: Final = "/services/data/"
_LIMIT_INFO: Final = b"sforce-limit-info"

AnyRequest = Request[Any, Any, Any]


class ApiGuard:
    """In front of the data API: a valid session, and calls left in the org's daily allowance."""

    def __init__(self, app: ASGIApp, org: SalesforceOrg) -> None:
        self.app = app
        self.org = org

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(DATA_PREFIX):
            await self.app(scope, receive, send)
            return
        authorization = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        refusal: SalesforceApiError | None = None
        if not self.org.tokens.valid(authorization):
            refusal = invalid_session()
            refusal.headers["WWW-Authenticate"] = "Token"
        elif self.org.api_usage >= DAILY_API_LIMIT:
            refusal = SalesforceApiError.one(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        if refusal is None:
            await self.app(scope, receive, send)
            return
        body = msgspec.json.encode(msgspec.to_builtins(refusal.errors))
        headers = [(b"content-type", JSON_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
        headers += [(k.lower().encode(), v.encode()) for k, v in refusal.headers.items()]
        await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _error_response(error: SalesforceApiError) -> Response[bytes]:
    payload = msgspec.to_builtins(error.errors)
    return json_response(error.status, payload, error.headers)


def _count_api_call(org: SalesforceOrg) -> Any:
    """A before-send hook: every answer of the data API counts as a call and says how many were made."""

    async def hook(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start" and scope["path"].startswith(DATA_PREFIX):
            org.api_usage += 1
            value = f"api-usage={org.api_usage}/{DAILY_API_LIMIT}".encode()
            message["headers"] = [*message.get("headers", []), (_LIMIT_INFO, value)]

    return hook


def _salesforce_error(_: AnyRequest, exc: SalesforceApiError) -> Response[bytes]:
    return _error_response(exc)


def _http_error(request: AnyRequest, exc: HTTPException) -> Response[bytes]:
    """Litestar's own refusals (no route, wrong method, bad parameters), in Salesforce's shape."""
    if isinstance(exc, NotFoundException):
        error = SalesforceApiError.one(404, "NOT_FOUND", "The requested resource does not exist")
    elif isinstance(exc, MethodNotAllowedException):
        allowed = ",".join(m.strip() for m in (exc.headers or {}).get("allow", "").split(",") if m.strip())
        error = SalesforceApiError.one(
            405,
            "METHOD_NOT_ALLOWED",
            f"HTTP Method '{request.method}' not allowed. Allowed are {allowed}",
            Allow=allowed,
        )
    elif exc.status_code < 500:
        error = SalesforceApiError.one(exc.status_code, "INVALID_REQUEST", str(exc.detail))
    else:
        error = _unexpected()
    return _error_response(error)


def _internal_error(_: AnyRequest, __: Exception) -> Response[bytes]:
    return _error_response(_unexpected())


def _unexpected() -> SalesforceApiError:
    return SalesforceApiError.one(500, "UNKNOWN_EXCEPTION", UNEXPECTED_ERROR_MESSAGE)


def create_app(config: SandboxConfig, registry: SchemaRegistry | None = None) -> Litestar:
    """The sandbox org as a Litestar app. ``registry`` swaps in other sObject types (tests, later work)."""
    org = SalesforceOrg(config, registry)

    def provide_org() -> SalesforceOrg:
        return org

    def provide_controls() -> SandboxControls:
        return org.controls

    return Litestar(
        route_handlers=[issue_token, versions, DataApi, QueryApi, CollectionsApi, SandboxControlsController],
        dependencies={
            "org": Provide(provide_org, sync_to_thread=False),
            "sandbox": Provide(provide_controls, sync_to_thread=False),
        },
        middleware=[
            # Our ASGI wrappers are typed with plain ASGI aliases, not Litestar's scope unions.
            DefineMiddleware(cast(Any, SandboxFront), controls=org.controls),
            DefineMiddleware(cast(Any, ApiGuard), org=org),
        ],
        before_send=[_count_api_call(org)],
        exception_handlers={
            SalesforceApiError: _salesforce_error,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
        openapi_config=None,
    )
