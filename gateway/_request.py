"""Reading what the gateway needs from a request, and what it passes on."""

from __future__ import annotations

import os
import random
import re
from typing import Any, Final

from granian._granian import RSGIProtocolClosed, RSGIProtocolError

from gateway.auth import IDENTITY_HEADERS
from gateway.problems import GatewayProblem
from gateway.proxy import HOP_BY_HOP
from gateway.types import RawHeaders, Receive

_VALID_ID: Final = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")
_TRACEPARENT: Final = re.compile(rb"^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$")

#: Never passed upstream as received: the gateway sets them itself (or, for the token, keeps it).
_NOT_FORWARDED: Final = HOP_BY_HOP | {
    b"host", b"authorization", b"content-length", b"x-correlation-id", b"traceparent", b"forwarded",
    b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"x-forwarded-prefix",
} | IDENTITY_HEADERS  # fmt: skip


class ClientGone(Exception):
    """The caller disconnected before its body arrived."""


class RequestHeaders:
    """The headers of one request the gateway acts on, read in one pass; the rest, ready to forward.

    ``raw`` are the request's headers as ASGI gives them: lower-case names, bytes.
    """

    __slots__ = ("api_version", "authorization", "content_length", "content_type", "correlation_id",
                 "forward", "host", "traceparent")  # fmt: skip

    def __init__(self, raw: RawHeaders) -> None:
        self.authorization: bytes | None = None
        self.content_type = b""
        self.content_length: int | None = None
        self.api_version: bytes | None = None
        self.host = b""
        correlation = trace = None
        forward: list[tuple[str, str]] = []
        connection_tokens: set[bytes] = set()
        for name, value in raw:
            if name == b"authorization":
                self.authorization = value
            elif name == b"content-type":
                self.content_type = value
            elif name == b"content-length":
                self.content_length = int(value) if value.isdigit() else -1
            elif name == b"x-correlation-id":
                correlation = value
            elif name == b"traceparent":
                trace = value
            elif name == b"api-version":
                self.api_version = value
            elif name == b"host":
                self.host = value
            elif name == b"connection":
                connection_tokens.update(t.strip().lower() for t in value.split(b","))
            # Underscores too: CGI-style upstreams read X_Revgate_Client_Id as the identity header.
            if name not in _NOT_FORWARDED and not (
                b"_" in name and name.replace(b"_", b"-") in _NOT_FORWARDED
            ):
                forward.append((name.decode("latin-1"), value.decode("latin-1")))
        if connection_tokens:  # headers named in Connection are hop-by-hop too (RFC 9110 §7.6.1)
            forward = [(k, v) for k, v in forward if k.encode("latin-1") not in connection_tokens]
        self.forward = forward
        self.correlation_id = correlation if correlation and _VALID_ID.match(correlation) else _new_id()
        self.traceparent = _child_traceparent(trace)


# Correlation, trace and span ids must be unique, not secret: a PRNG seeded from the OS is enough,
# and spares two or three getrandom() system calls per request.
_ids = random.Random(os.urandom(32))  # noqa: S311


def _new_id() -> bytes:
    return b"%032x" % (_ids.getrandbits(128) or 1)


def _child_traceparent(value: bytes | None) -> bytes:
    span = b"%016x" % (_ids.getrandbits(64) or 1)  # all zeros is invalid (W3C Trace Context)
    match = _TRACEPARENT.match(value) if value else None
    if match and match.group(1) != b"0" * 32:
        return b"00-" + match.group(1) + b"-" + span + b"-" + match.group(2)
    return b"00-" + _new_id() + b"-" + span + b"-01"


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole body, refusing with 413 as soon as it passes ``limit`` (nothing more is read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise GatewayProblem("payload-too-large", f"The body is larger than {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def read_rsgi_body(protocol: Any, limit: int, length: int | None) -> bytes:
    """:func:`read_body` for an RSGI protocol: 413 as soon as ``limit`` is passed.

    With a Content-Length (``length``) already checked against the limit, the server's framing
    stops at that length, so the body is taken in one call; without one, chunk by chunk, counting.
    """
    try:
        if length is not None and 0 <= length <= limit:
            body: bytes = await protocol()
            return body
    except (RSGIProtocolClosed, RSGIProtocolError) as error:
        raise ClientGone from error
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in protocol:
            size += len(chunk)
            if size > limit:
                raise GatewayProblem("payload-too-large", f"The body is larger than {limit} bytes")
            chunks.append(chunk)
    except (RSGIProtocolClosed, RSGIProtocolError) as error:
        raise ClientGone from error
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def is_json(content_type: bytes) -> bool:
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or (media.startswith(b"application/") and media.endswith(b"+json"))
