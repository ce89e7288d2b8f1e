"""What every Zuora answer goes through before and after the API itself (plain ASGI).

::

    ZuoraEdge          Zuora-Request-Id on every answer; a valid Zuora-Track-Id echoed
     └ SandboxFront    fault injection and the request log (services.sandbox._kernel)
        └ ZuoraGate    Zuora-Track-Id validation (400), bearer token (401), Idempotency-Key
           └ Litestar  routes, with Zuora-shaped exception handlers
"""

from __future__ import annotations

import re
import uuid
from typing import Final

from services.runtime.types import ASGIApp, Message, Receive, Scope, Send
from services.sandbox._kernel import CONTROL_PREFIX, IssuedTokens
from services.sandbox.zuora._errors import AUTHENTICATION_ERROR, Category, current_request_id
from services.sandbox.zuora._idempotency import KEY_HEADER, IdempotentRequests, refuse, send_error

TOKEN_PATH: Final = "/oauth/token"
TRACK_HEADER: Final = b"zuora-track-id"
REQUEST_ID_HEADER: Final = b"zuora-request-id"
# US-ASCII, at most 64 characters, and none of : ; " ' (Zuora's documented rule).
_VALID_TRACK_ID: Final = re.compile(r"^[\x20-\x7e]{0,64}$")
_FORBIDDEN_IN_TRACK_ID: Final = frozenset(":;\"'")
_IDEMPOTENT_METHODS: Final = frozenset({"POST", "PATCH"})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def valid_track_id(value: str) -> bool:
    return bool(_VALID_TRACK_ID.match(value)) and not _FORBIDDEN_IN_TRACK_ID.intersection(value)


class ZuoraEdge:
    """Outermost layer: request id for the answer and the error bodies; track id echoed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        track_id = _header(scope, TRACK_HEADER)
        echo = track_id.encode() if track_id is not None and valid_track_id(track_id) else None

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                # A replayed idempotent answer already carries the first request's id.
                if all(name.lower() != REQUEST_ID_HEADER for name, _ in headers):
                    headers.append((REQUEST_ID_HEADER, request_id.encode()))
                if echo is not None:
                    headers.append((TRACK_HEADER, echo))
                message["headers"] = headers
            await send(message)

        token = current_request_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_ids)
        finally:
            current_request_id.reset(token)


class ZuoraGate:
    """Inside the fault injector: refuses what Zuora refuses before any operation runs."""

    def __init__(self, app: ASGIApp, tokens: IssuedTokens, idempotent: IdempotentRequests) -> None:
        self.app = app
        self.tokens = tokens
        self.idempotent = idempotent

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        track_id = _header(scope, TRACK_HEADER)
        if track_id is not None and not valid_track_id(track_id):
            message = (
                "Zuora-Track-Id must be at most 64 US-ASCII characters without colon, semicolon or quotes."
            )
            await refuse(send, 400, Category.INVALID_VALUE, message)
            return
        if path == TOKEN_PATH:
            await self.app(scope, receive, send)
            return
        if not self.tokens.valid(_header(scope, b"authorization")):
            await send_error(send, 401, AUTHENTICATION_ERROR)
            return
        key = _header(scope, KEY_HEADER)
        if key is not None and scope["method"] in _IDEMPOTENT_METHODS:
            await self.idempotent(scope, receive, send, key)
            return
        await self.app(scope, receive, send)
