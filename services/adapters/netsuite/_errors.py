"""The one place NetSuite's answers become the adapter error tree."""

from __future__ import annotations

from typing import Final, TypeVar

import httpx
import msgspec

from services.adapters._session import retry_after_seconds
from services.adapters.errors import (
    Conflict,
    NotFound,
    Rejected,
    Throttled,
    Unavailable,
    VendorError,
    VendorReason,
)
from services.adapters.netsuite._wire import ErrorBody

SYSTEM: Final = "netsuite"
_DUPLICATE_CODES: Final = frozenset({"DUP_ENTITY", "DUP_RCRD", "DUP_ITEM", "DUP_RECORD"})

T = TypeVar("T")
_error_decoder: Final = msgspec.json.Decoder(ErrorBody)


def _reasons(body: ErrorBody) -> tuple[VendorReason, ...]:
    if body.error is not None:
        return (VendorReason(message=body.error_description or body.error, code=body.error),)
    return tuple(
        VendorReason(message=d.detail, code=d.error_code, field=d.error_path) for d in body.error_details
    )


def _is_duplicate(reasons: tuple[VendorReason, ...]) -> bool:
    # NetSuite reports a taken external id as USER_ERROR "... This entity already exists."
    return any(r.code in _DUPLICATE_CODES or "already exists" in r.message.lower() for r in reasons)


def translate(response: httpx.Response) -> VendorError | None:
    """NetSuite's answer as an adapter error; None for a success."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    try:
        body: ErrorBody | None = _error_decoder.decode(response.content)
    except msgspec.DecodeError:
        body = None
    reasons = _reasons(body) if body is not None else ()
    message = reasons[0].message if reasons else (body.title if body and body.title else f"HTTP {status}")
    if status == 429:
        return Throttled(
            SYSTEM, message, retry_after=retry_after_seconds(response), reasons=reasons, status=status
        )
    if status >= 500 or body is None or status < 400:
        return Unavailable(SYSTEM, message, reasons=reasons, status=status)
    if status == 404:
        return NotFound(SYSTEM, message, reasons=reasons, status=status)
    if status == 409 or _is_duplicate(reasons):
        return Conflict(SYSTEM, message, reasons=reasons, status=status)
    return Rejected(SYSTEM, message, reasons=reasons, status=status)


def decode(response: httpx.Response, decoder: msgspec.json.Decoder[T]) -> T:
    """A successful answer's body; one we cannot read means NetSuite is not answering sanely."""
    try:
        return decoder.decode(response.content)
    except msgspec.DecodeError as exc:
        raise Unavailable(
            SYSTEM, f"unreadable answer to {response.request.method} {response.request.url.path}: {exc}"
        ) from None
