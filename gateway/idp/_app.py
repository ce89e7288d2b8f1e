"""The dev identity provider's HTTP face: token endpoint (client credentials), JWKS, discovery."""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import parse_qsl, unquote_plus

import msgspec
from litestar import Litestar, Request, Response, get, post

from gateway.idp._config import DevIdentityProviderConfig
from gateway.idp._keys import SigningKeys
from gateway.idp._secrets import DUMMY_HASH, verify_secret
from gateway.idp._tokens import TokenRefused, granted_scopes, issue_access_token

_FORM: Final = "application/x-www-form-urlencoded"
_JSON: Final = "application/json"
# RFC 6749 section 5.1: token answers must not be cached.
_NO_STORE: Final = {"cache-control": "no-store", "pragma": "no-cache"}
_BASIC_CHALLENGE: Final = {"www-authenticate": 'Basic realm="revgate", charset="UTF-8"'}
# scrypt takes 32 MiB per check: a few at a time, so that a burst of requests cannot exhaust memory.
_CONCURRENT_SECRET_CHECKS: Final = 4

AnyRequest = Request[Any, Any, Any]


class _Answer(msgspec.Struct, frozen=True):
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = {}


def _error(error: str, description: str, status: int = 400, headers: dict[str, str] | None = None) -> _Answer:
    """An RFC 6749 section 5.2 error answer."""
    return _Answer(status, {"error": error, "error_description": description}, headers or {})


def _invalid_client(description: str) -> _Answer:
    # RFC 6749 section 5.2 asks for 401 with a challenge when Basic was tried; a 401 always carries
    # one (RFC 9110 section 15.5.2), which also tells a client that tried the form what to use.
    return _error("invalid_client", description, 401, _BASIC_CHALLENGE)


class DevIdentityProvider:
    """Issues access tokens to the configured clients; ``keys`` can be rotated while serving."""

    def __init__(
        self,
        config: DevIdentityProviderConfig,
        *,
        keys: SigningKeys | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.keys = keys or SigningKeys.load_or_create(config)
        self._clock = clock
        self._secret_checks = asyncio.Semaphore(_CONCURRENT_SECRET_CHECKS)
        scopes = sorted({scope for client in config.clients for scope in client.scopes})
        self.metadata = {
            "issuer": config.issuer,
            "token_endpoint": config.token_endpoint,
            "jwks_uri": config.jwks_uri,
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "response_types_supported": [],
            "scopes_supported": scopes,
        }

    async def token(self, authorization: str | None, content_type: str | None, body: bytes) -> _Answer:
        """The answer of the token endpoint to one request (RFC 6749 sections 2.3.1, 4.4, 5)."""
        if (content_type or "").split(";")[0].strip().lower() != _FORM:
            return _error("invalid_request", f"the request body must be {_FORM}")
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=32)
        except (UnicodeDecodeError, ValueError):
            return _error("invalid_request", "the request body is not a valid form")
        form: dict[str, str] = {}
        for name, value in pairs:
            if name in form:
                # RFC 6749 section 3.2: parameters must not be repeated.
                return _error("invalid_request", f"parameter {name!r} is repeated")
            form[name] = value
        grant_type = form.get("grant_type")
        if not grant_type:
            return _error("invalid_request", "grant_type is missing")
        if grant_type != "client_credentials":
            return _error("unsupported_grant_type", "only the client_credentials grant is supported")
        credentials = self._credentials(authorization, form)
        if isinstance(credentials, _Answer):
            return credentials
        client_id, secret = credentials
        client = self.config.client(client_id)
        async with self._secret_checks:
            # An unknown client costs the same check, so that timing does not reveal which ids exist.
            matches = await asyncio.to_thread(
                verify_secret, secret, client.secret_hash if client else DUMMY_HASH
            )
        if client is None or not matches:
            return _invalid_client("client authentication failed")
        try:
            scopes = granted_scopes(client, form.get("scope"))
        except TokenRefused as refused:
            return _error(refused.error, refused.description)
        token = issue_access_token(self.config, self.keys, client, scopes, self._clock())
        body_out: dict[str, Any] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.config.token_ttl,
            "scope": " ".join(scopes),
        }
        return _Answer(200, body_out)

    @staticmethod
    def _credentials(authorization: str | None, form: dict[str, str]) -> tuple[str, str] | _Answer:
        """Client id and secret from HTTP Basic or from the form (RFC 6749 section 2.3.1), not both."""
        if authorization is not None:
            if "client_secret" in form:
                # RFC 6749 section 2.3: a client must not use more than one authentication method.
                return _error("invalid_request", "more than one client authentication method used")
            scheme, _, encoded = authorization.strip().partition(" ")
            if scheme.lower() != "basic":
                return _invalid_client("only HTTP Basic client authentication is supported in the header")
            try:
                decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return _invalid_client("malformed HTTP Basic credentials")
            raw_id, colon, raw_secret = decoded.partition(":")
            if not colon:
                return _invalid_client("malformed HTTP Basic credentials")
            # Both parts are form-encoded before Basic encoding (RFC 6749 section 2.3.1).
            client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
            if form.get("client_id", client_id) != client_id:
                return _error("invalid_request", "client_id in the body differs from the authenticated one")
            return client_id, secret
        posted_id, posted_secret = form.get("client_id"), form.get("client_secret")
        if not posted_id or posted_secret is None:
            return _invalid_client("client authentication is required: client_secret_basic or _post")
        return posted_id, posted_secret


def _respond(answer: _Answer) -> Response[bytes]:
    return Response(
        msgspec.json.encode(answer.body),
        status_code=answer.status,
        media_type=_JSON,
        headers={**_NO_STORE, **answer.headers},
    )


def _provider(request: AnyRequest) -> DevIdentityProvider:
    provider: DevIdentityProvider = request.app.state.identity_provider
    return provider


@post("/oauth2/token", status_code=200)
async def _token_endpoint(request: AnyRequest) -> Response[bytes]:
    answer = await _provider(request).token(
        request.headers.get("authorization"), request.headers.get("content-type"), await request.body()
    )
    return _respond(answer)


@get("/.well-known/jwks.json", sync_to_thread=False)
def _jwks(request: AnyRequest) -> Response[bytes]:
    return Response(msgspec.json.encode(_provider(request).keys.jwks), media_type=_JSON)


@get(["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"], sync_to_thread=False)
def _metadata(request: AnyRequest) -> Response[bytes]:
    return Response(msgspec.json.encode(_provider(request).metadata), media_type=_JSON)


def create_identity_provider_app(
    config: DevIdentityProviderConfig | DevIdentityProvider,
) -> Litestar:
    """The ASGI app of the dev identity provider (signing keys loaded, or generated, now)."""
    provider = config if isinstance(config, DevIdentityProvider) else DevIdentityProvider(config)
    app = Litestar(
        route_handlers=[_token_endpoint, _jwks, _metadata],
        request_max_body_size=16 * 1024,
        openapi_config=None,
    )
    app.state.identity_provider = provider
    return app


def run_identity_provider(config: DevIdentityProviderConfig, *, host: str, port: int) -> None:
    """Serve the dev identity provider in the foreground until SIGINT/SIGTERM (for ``revgate up``)."""
    import uvicorn  # only when serving: the gateway process itself never needs it from here

    uvicorn.run(
        create_identity_provider_app(config),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
    )
