"""Type aliases of the gateway's plain ASGI code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
RawHeaders = list[tuple[bytes, bytes]]
#: What the gateway answers: status, headers, body.
Answer = tuple[int, RawHeaders, bytes]
#: Reads a request's body: ``read(limit, content_length)``, refusing with 413 past ``limit``.
BodyReader = Callable[[int, int | None], Awaitable[bytes]]
