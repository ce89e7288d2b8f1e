"""NetSuite's error document, the exception that carries it, and the fault shapes of the kernel.

Every REST web services failure answers the same JSON shape (not problem+json)::

    {"type": ..., "title": ..., "status": N,
     "o:errorDetails": [{"detail": ..., "o:errorCode": ..., "o:errorPath": ...}]}
"""

from __future__ import annotations

import logging
from typing import Any, Final

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    ValidationException,
)

log = logging.getLogger("revgate.sandbox.netsuite")

_TITLES: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_TYPES: Final = {
    400: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
    401: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
    403: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.4",
    404: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5",
    405: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6",
    409: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.10",
    415: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.16",
    429: "https://www.rfc-editor.org/rfc/rfc6585.html#section-4",
    500: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.1",
    503: "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.4",
}

INVALID_LOGIN_DETAIL: Final = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)


class ErrorDetail(msgspec.Struct, omit_defaults=True):
    detail: str
    error_code: str = msgspec.field(name="o:errorCode")
    error_path: str | None = msgspec.field(default=None, name="o:errorPath")


class ErrorDocument(msgspec.Struct):
    type: str
    title: str
    status: int
    error_details: list[ErrorDetail] = msgspec.field(name="o:errorDetails")


def error_document(status: int, code: str, detail: str, path: str | None = None) -> ErrorDocument:
    return ErrorDocument(
        type=_TYPES.get(status, _TYPES[400 if status < 500 else 500]),
        title=_TITLES.get(status, "Error"),
        status=status,
        error_details=[ErrorDetail(detail=detail, error_code=code, error_path=path)],
    )


class NetSuiteError(Exception):
    """Raised anywhere in the sandbox to answer with NetSuite's error document."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        path: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.path = path
        self.headers = headers or {}


def user_error(detail: str, path: str | None = None) -> NetSuiteError:
    """A business rule refused the request; NetSuite prefixes these details the same way."""
    return NetSuiteError(400, "USER_ERROR", f"Error while accessing a resource. {detail}", path)


def invalid_value(field: str, value: object, path: str | None = None) -> NetSuiteError:
    return NetSuiteError(
        400,
        "INVALID_CONTENT",
        f"Error while accessing a resource. You have entered an Invalid Field Value {value} "
        f"for the following field: {field}",
        path or field,
    )


def _respond(status: int, document: ErrorDocument, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        content=msgspec.json.encode(document),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def _on_netsuite_error(_: Request[Any, Any, Any], exc: NetSuiteError) -> Response[Any]:
    return _respond(exc.status, error_document(exc.status, exc.code, exc.detail, exc.path), exc.headers)


def _on_not_found(_: Request[Any, Any, Any], exc: NotFoundException) -> Response[Any]:
    return _respond(
        404,
        error_document(404, "NONEXISTENT_ID", "The requested resource does not exist. Check the URL."),
    )


def _on_method_not_allowed(request: Request[Any, Any, Any], exc: MethodNotAllowedException) -> Response[Any]:
    detail = f"The HTTP method {request.method} is not supported for this resource."
    return _respond(405, error_document(405, "INVALID_REQUEST", detail), exc.headers)


def _on_validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    return _respond(400, error_document(400, "INVALID_CONTENT", f"Invalid request: {exc.detail}"))


def _on_http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    code = "UNEXPECTED_ERROR" if status >= 500 else "INVALID_REQUEST"
    return _respond(status, error_document(status, code, exc.detail))


def _on_unexpected(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("sandbox bug", exc_info=exc)
    return _respond(500, error_document(500, "UNEXPECTED_ERROR", "An unexpected error occurred."))


EXCEPTION_HANDLERS: Final = {
    NetSuiteError: _on_netsuite_error,
    NotFoundException: _on_not_found,
    MethodNotAllowedException: _on_method_not_allowed,
    ValidationException: _on_validation,
    HTTPException: _on_http,
    Exception: _on_unexpected,
}


class NetSuiteFaultShapes:
    """How NetSuite answers when it throttles, is down, or breaks (see ``VendorFaultShapes``)."""

    def throttled(self, retry_after: int) -> tuple[int, Any, dict[str, str]]:
        body = error_document(
            429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded. Request blocked."
        )
        return 429, msgspec.to_builtins(body), {"Retry-After": str(retry_after)}

    def unavailable(self) -> tuple[int, Any, dict[str, str]]:
        body = error_document(
            503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable. Try again later."
        )
        return 503, msgspec.to_builtins(body), {}

    def server_error(self) -> tuple[int, Any, dict[str, str]]:
        body = error_document(
            500, "UNEXPECTED_ERROR", "An unexpected error occurred. Error ID: sandbox-injected."
        )
        return 500, msgspec.to_builtins(body), {}
