"""The one place Salesforce's errors become the adapter error tree."""

from __future__ import annotations

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
from services.adapters.salesforce._wire import ERRORS, OAUTH_ERROR, SYSTEM


def _reasons(response: httpx.Response) -> tuple[VendorReason, ...] | None:
    """The reasons Salesforce gave, from its error array or an OAuth error; None for garbage."""
    try:
        entries = ERRORS.decode(response.content)
    except (msgspec.DecodeError, msgspec.ValidationError):
        pass
    else:
        return tuple(
            VendorReason(message=e.message, code=e.error_code, field=",".join(e.fields) or None)
            for e in entries
        )
    try:
        oauth = OAUTH_ERROR.decode(response.content)
    except (msgspec.DecodeError, msgspec.ValidationError):
        pass
    else:
        return (VendorReason(message=oauth.error_description or oauth.error, code=oauth.error),)
    if response.status_code == 300:
        return (VendorReason(message="more than one record has that external id", code="MULTIPLE_CHOICES"),)
    return None


def translate_error(response: httpx.Response) -> VendorError | None:
    """The error a Salesforce answer means, or None when it is a success."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    reasons = _reasons(response)
    if reasons is None and status != 429:
        return Unavailable(SYSTEM, f"unreadable answer (HTTP {status})", status=status)
    reasons = reasons or ()
    codes = {r.code for r in reasons}
    message = "; ".join(f"{r.code}: {r.message}" for r in reasons) or f"HTTP {status}"
    if status == 429 or "REQUEST_LIMIT_EXCEEDED" in codes:
        return Throttled(
            SYSTEM, message, retry_after=retry_after_seconds(response), reasons=reasons, status=status
        )
    if status >= 500:
        return Unavailable(SYSTEM, message, reasons=reasons, status=status)
    # MALFORMED_ID on the record's own Id: the id in the path is no id of that type, so no such record
    # (on a reference field of the body it names that field instead, and stays a rejection).
    if status == 404 or any(r.code == "MALFORMED_ID" and r.field == "Id" for r in reasons):
        return NotFound(SYSTEM, message, reasons=reasons, status=status)
    if status in (300, 409) or "DUPLICATE_VALUE" in codes:
        return Conflict(SYSTEM, message, reasons=reasons, status=status)
    # 400 field and query errors (INVALID_FIELD, REQUIRED_FIELD_MISSING, MALFORMED_*, INVALID_*, ...),
    # and 401/403 that persist after a fresh token: the request as sent will never succeed.
    return Rejected(SYSTEM, message, reasons=reasons, status=status)
