"""Reading what the gateway needs from a request, and what it passes on."""

from __future__ import annotations

import os
import random
import re
from typing import Final

from gateway.auth import IDENTITY_HEADERS
from gateway.http1 import ClientGone
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


def _with_underscores(names: frozenset[bytes]) -> frozenset[bytes]:
    """Each name with any of its hyphens written as underscores too: CGI-style upstreams read
    ``X_Revgate_Client_Id`` as the identity header, so a caller must not send it either."""
    variants = set()
    for name in names:
        spellings = [b""]
        for part in name.split(b"-"):
            spellings = [s + sep + part for s in spellings for sep in ((b"-", b"_") if s else (b"",))]
        variants.update(spellings)
    return frozenset(variants)


_NEVER_FORWARDED: Final = _with_underscores(_NOT_FORWARDED)


class RequestHeaders:
    """The headers of one request the gateway acts on; the rest, ready to forward.

    ``raw`` are the request's headers: lower-case names, bytes. Read with a dict and one
    comprehension (both loops in C) rather than a Python loop over every header.
    """

    __slots__ = ("api_version", "authorization", "content_length", "content_type", "correlation_id",
                 "forward", "host", "traceparent")  # fmt: skip

    def __init__(self, raw: RawHeaders) -> None:
        dict_ = dict(raw)  # a repeated header: its last value, as a loop would keep
        get = dict_.get
        self.authorization = get(b"authorization")
        self.content_type = get(b"content-type", b"")
        length = get(b"content-length")
        self.content_length = None if length is None else int(length) if length.isdigit() else -1
        self.api_version = get(b"api-version")
        self.host = get(b"host", b"")
        forward = [header for header in raw if header[0] not in _NEVER_FORWARDED]
        if b"connection" in dict_:  # headers named in Connection are hop-by-hop too (RFC 9110 §7.6.1)
            named = {t.strip().lower() for k, v in raw if k == b"connection" for t in v.split(b",")}
            forward = [(k, v) for k, v in forward if k not in named]
        self.forward = forward
        correlation = get(b"x-correlation-id")
        self.correlation_id = correlation if correlation and _VALID_ID.match(correlation) else _new_id()
        self.traceparent = _child_traceparent(get(b"traceparent"))


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


def is_json(content_type: bytes) -> bool:
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or (media.startswith(b"application/") and media.endswith(b"+json"))
