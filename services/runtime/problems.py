"""Every error a service answers, as ``application/problem+json`` (RFC 9457) with the correlation id.

Raise :class:`ProblemError` (or a subclass) from handlers; :func:`problem_handlers` maps it,
Litestar's own HTTP errors, body decoding errors and vendor errors to problems in one place.
Nothing unexpected leaks: an unknown exception is logged with its traceback and answered
as a bare ``internal-error``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.exceptions.http_exceptions import MethodNotAllowedException
from litestar.types import ExceptionHandlersMap

from contracts.problem import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_TYPES,
    InvalidParam,
    Problem,
    SystemState,
    problem_type,
)
from services.adapters.errors import Conflict, NotFound, Rejected, Throttled, VendorError
from services.runtime.correlation import correlation_id

log = logging.getLogger("revgate.problems")

_MSGSPEC_PATH = re.compile(r" - at `\$(.*)`$")
_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_encoder = msgspec.json.Encoder()
_PREFIX = re.compile(r"/[a-z][a-z0-9-]{0,62}")


class ProblemError(Exception):
    """An error answered as a documented problem."""

    def __init__(
        self,
        slug: str,
        detail: str | None = None,
        *,
        status: int | None = None,
        errors: Iterable[InvalidParam] = (),
        systems: Iterable[SystemState] = (),
        customer_id: str | None = None,
        retry_after: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or slug)
        self.slug = slug
        self.detail = detail
        self.status = status or PROBLEM_TYPES[slug][1]
        self.errors = tuple(errors)
        self.systems = tuple(systems)
        self.customer_id = customer_id
        self.retry_after = retry_after
        self.headers = dict(headers or {})

    def to_problem(self, instance: str | None) -> Problem:
        return Problem(
            type=problem_type(self.slug),
            title=PROBLEM_TYPES[self.slug][0],
            status=self.status,
            detail=self.detail,
            instance=instance,
            correlation_id=correlation_id.get(),
            errors=self.errors or None,
            systems=self.systems or None,
            customer_id=self.customer_id,
            retry_after=self.retry_after,
        )


def vendor_reasons(error: VendorError) -> tuple[InvalidParam, ...]:
    """The vendor's reasons for refusing, each located by the field it names, if any."""
    return tuple(
        InvalidParam(pointer=f"/{r.field}" if r.field else "", reason=f"{error.system}: {r.message}")
        for r in error.reasons
    )


def retry_seconds(error: VendorError) -> int:
    """When to retry after a passing vendor failure: as the throttling vendor says, else in 5 seconds."""
    return max(1, round(error.retry_after or 1)) if isinstance(error, Throttled) else 5


def vendor_problem(error: VendorError) -> ProblemError:
    """The problem a vendor error becomes when nothing more specific applies."""
    if isinstance(error, Rejected):
        return ProblemError(
            "vendor-rejected",
            f"{error.system} refused the change: {error.message}",
            errors=vendor_reasons(error),
        )
    if isinstance(error, Conflict):
        return ProblemError(
            "vendor-conflict", f"{error.system}: {error.message}", errors=vendor_reasons(error)
        )
    if isinstance(error, NotFound):
        return ProblemError("not-found", f"{error.system} has no such record")
    slug, state = (
        ("vendor-throttled", "is throttling requests")
        if isinstance(error, Throttled)
        else ("vendor-unavailable", "is unavailable")
    )
    wait = retry_seconds(error)
    return ProblemError(
        slug, f"{error.system} {state}; retry later", retry_after=wait, headers={"Retry-After": str(wait)}
    )


def body_problem(error: msgspec.MsgspecError) -> ProblemError:
    """A body that is not JSON (400) or does not match the schema (422), located by a JSON pointer."""
    message = str(error)
    # ValidationError is a DecodeError too: only the others mean the JSON itself is broken.
    if not isinstance(error, msgspec.ValidationError):
        return ProblemError("invalid-request", f"The body is not valid JSON: {message}")
    match = _MSGSPEC_PATH.search(message)
    pointer = ""
    if match:
        pointer = "".join(f"/{name or index}" for name, index in _PATH_PART.findall(match.group(1)))
        message = message[: match.start()]
    return ProblemError("invalid-body", message, errors=[InvalidParam(pointer=pointer, reason=message)])


def _respond(request: Request[Any, Any, Any], problem: ProblemError) -> Response[bytes]:
    headers = {"Cache-Control": "no-store", **problem.headers}
    # Behind the gateway, the caller knows this service under a prefix (/customer-master/v2/...).
    prefix = request.headers.get("x-forwarded-prefix", "")
    instance = (prefix if _PREFIX.fullmatch(prefix) else "") + request.url.path
    return Response(
        _encoder.encode(problem.to_problem(instance)),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _from_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    if isinstance(exc, NotFoundException):
        problem = ProblemError("not-found", exc.detail if exc.detail != "Not Found" else None)
    elif isinstance(exc, MethodNotAllowedException):
        problem = ProblemError(
            "method-not-allowed", f"{request.method} is not allowed here", headers=dict(exc.headers or {})
        )
    elif isinstance(exc, ValidationException):
        errors = [
            InvalidParam(pointer=str(e.get("key", "")), reason=str(e.get("message", "")))
            for e in (exc.extra if isinstance(exc.extra, list) else [])
            if isinstance(e, dict)
        ]
        problem = ProblemError("invalid-request", "Invalid query or path parameters", errors=errors)
    elif exc.status_code == 415:
        problem = ProblemError("unsupported-media-type", exc.detail)
    elif exc.status_code < 500:
        problem = ProblemError("invalid-request", exc.detail, status=exc.status_code)
    else:
        return _internal_error(request, exc)
    return _respond(request, problem)


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _respond(request, ProblemError("internal-error"))


def problem_handlers() -> ExceptionHandlersMap:
    """Exception handlers for a service app: everything becomes a problem."""
    return {
        ProblemError: lambda request, exc: _respond(request, exc),
        VendorError: lambda request, exc: _respond(request, vendor_problem(exc)),
        msgspec.MsgspecError: lambda request, exc: _respond(request, body_problem(exc)),
        HTTPException: _from_http_exception,
        Exception: _internal_error,
    }


def validation_failed(what: str, reasons: Iterable[InvalidParam]) -> ProblemError:
    """``validation-failed`` with every reason ``what`` (e.g. "The order") cannot be accepted."""
    errors = tuple(reasons)
    plural = "s" if len(errors) != 1 else ""
    return ProblemError(
        "validation-failed", f"{what} cannot be accepted: {len(errors)} problem{plural} to fix", errors=errors
    )
