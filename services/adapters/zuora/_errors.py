"""The one place where Zuora's answers become errors of :mod:`services.adapters.errors`.

Zuora reports most failures of its v1 actions inside **HTTP 200** bodies with
``"success": false``, so every answer passes through :func:`translate`, successful statuses
included. To keep large successful bodies from being decoded twice, a 2xx body is only
decoded here when it contains ``"success": false`` somewhere (a cheap byte scan); the
caller decodes the rest once into its own shape.

Reason codes end in a 2-digit category: 20/21/22/30/90 (and 10/11) -> ``Rejected``,
40 -> ``NotFound``, 50 -> ``Conflict``, 60/61 -> ``Unavailable``, 70 -> ``Throttled``.
A reason saying a value *already exists* is a ``Conflict`` whatever its category (Zuora's
category for duplicate numbers is not documented). By status: 409 (same idempotency key
still in progress) -> ``Conflict``, 422 (idempotency key reused for another request) ->
``Rejected``, 404 -> ``NotFound``, 401/403 -> ``Rejected`` (credentials or permissions; a
401 reaches here only after the session's one token refresh), 429 -> ``Throttled`` with
``Retry-After``, 5xx and anything that is not JSON -> ``Unavailable``.
"""

from __future__ import annotations

import re
from typing import Final

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

SYSTEM: Final = "zuora"

_FAILURE_MARK: Final = re.compile(rb'"success"\s*:\s*false')
_DUPLICATE: Final = re.compile(r"already exists|duplicate", re.IGNORECASE)
_REJECTED_CATEGORIES: Final = frozenset({10, 11, 20, 21, 22, 30, 90})


class _Reason(msgspec.Struct, frozen=True):
    code: int | str = 0
    message: str = ""


class _Failure(msgspec.Struct, rename="camel", frozen=True):
    """Any of Zuora's failure bodies: v1 ``reasons``, gateway ``message``, OAuth ``error``."""

    success: bool = True
    reasons: list[_Reason] = msgspec.field(default_factory=list)
    message: str | None = None
    error: str | None = None
    error_description: str | None = msgspec.field(default=None, name="error_description")


_FAILURE: Final = msgspec.json.Decoder(_Failure)


def _category(reason: _Reason) -> int | None:
    code = str(reason.code)
    return int(code[-2:]) if code.isdigit() and len(code) >= 2 else None


def _summary(failure: _Failure | None, status: int) -> tuple[str, tuple[VendorReason, ...]]:
    if failure is None:
        return f"HTTP {status}", ()
    reasons = tuple(VendorReason(message=r.message, code=str(r.code)) for r in failure.reasons)
    if reasons:
        return "; ".join(r.message for r in reasons), reasons
    text = failure.error_description or failure.message or failure.error or f"HTTP {status}"
    return text, (VendorReason(message=text, code=failure.error),)


def _by_reasons(failure: _Failure, response: httpx.Response) -> VendorError:
    status = response.status_code
    message, reasons = _summary(failure, status)
    categories = [_category(r) for r in failure.reasons]
    if 50 in categories or any(_DUPLICATE.search(r.message) for r in failure.reasons):
        return Conflict(SYSTEM, message, reasons=reasons, status=status)
    first = next((c for c in categories if c is not None), None)
    if first == 40:
        return NotFound(SYSTEM, message, reasons=reasons, status=status)
    if first == 70:
        return Throttled(
            SYSTEM, message, retry_after=retry_after_seconds(response), reasons=reasons, status=status
        )
    if first in (60, 61):
        return Unavailable(SYSTEM, message, reasons=reasons, status=status)
    return Rejected(SYSTEM, message, reasons=reasons, status=status)


def _decode(response: httpx.Response) -> _Failure | None:
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        return _FAILURE.decode(response.content)
    except msgspec.DecodeError:
        return None


def translate(response: httpx.Response) -> VendorError | None:
    """The error a Zuora answer means, or None when it is a success."""
    status = response.status_code
    if 200 <= status < 300:
        if "json" not in response.headers.get("content-type", ""):
            return Unavailable(SYSTEM, f"HTTP {status} answer is not JSON", status=status)
        if _FAILURE_MARK.search(response.content) is None:
            return None
        failure = _decode(response)
        if failure is None:
            return Unavailable(SYSTEM, f"HTTP {status} answer is not readable JSON", status=status)
        return None if failure.success else _by_reasons(failure, response)
    failure = _decode(response)
    message, reasons = _summary(failure, status)
    if status == 429:
        return Throttled(
            SYSTEM, message, retry_after=retry_after_seconds(response), reasons=reasons, status=status
        )
    if status >= 500 or failure is None:
        return Unavailable(SYSTEM, message, reasons=reasons, status=status)
    if status == 409:
        return Conflict(SYSTEM, message, reasons=reasons, status=status)
    if status == 404:
        return NotFound(SYSTEM, message, reasons=reasons, status=status)
    if status in (401, 403, 422) or not failure.reasons:
        return Rejected(SYSTEM, message, reasons=reasons, status=status)
    return _by_reasons(failure, response)
