"""Correlation ids and W3C trace context, carried from the request into logs and vendor calls."""

from __future__ import annotations

import contextvars
import logging
import re
import secrets
from typing import Final

from services.runtime.types import ASGIApp, Message, Receive, Scope, Send

CORRELATION_HEADER: Final = "x-correlation-id"
_HEADER: Final = CORRELATION_HEADER.encode()
_VALID_ID: Final = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_TRACEPARENT: Final = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")

correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="-")
traceparent: contextvars.ContextVar[str | None] = contextvars.ContextVar("traceparent", default=None)


def new_correlation_id() -> str:
    return secrets.token_hex(16)


def accept_correlation_id(value: str | None) -> str:
    """The caller's id when it is a sane token (it ends up in logs and vendor headers), else a new one."""
    if value and _VALID_ID.match(value):
        return value
    return new_correlation_id()


def child_traceparent(value: str | None) -> str:
    """A ``traceparent`` for our outgoing calls: the caller's trace with a new span, or a new trace."""
    match = _TRACEPARENT.match(value or "")
    trace_id = match.group(1) if match and match.group(1) != "0" * 32 else secrets.token_hex(16)
    flags = match.group(3) if match else "01"
    return f"00-{trace_id}-{secrets.token_hex(8)}-{flags}"


class CorrelationMiddleware:
    """ASGI wrapper: binds the correlation id and trace context for the request and echoes the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        cid = accept_correlation_id(headers.get(_HEADER, b"").decode("latin-1"))
        cid_token = correlation_id.set(cid)
        tp_token = traceparent.set(child_traceparent(headers.get(b"traceparent", b"").decode("latin-1")))
        raw_cid = cid.encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (_HEADER, raw_cid)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            correlation_id.reset(cid_token)
            traceparent.reset(tp_token)


class CorrelationLogFilter(logging.Filter):
    """Puts the current correlation id on every log record (``%(correlation_id)s`` in the format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        return True
