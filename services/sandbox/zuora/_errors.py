"""Zuora's error answers: the v1 ``reasons`` body, its 8-digit codes, and the fault shapes.

A reason code is a 6-digit *resource* code followed by a 2-digit *category*. Only the
category is contractual for clients (it says what went wrong); the resource part tells
Zuora support which object was involved. ``50000040`` ("Cannot find entity by key") is the
code real tenants answer for any unknown key, so the generic resource is ``500000``.
"""

from __future__ import annotations

import contextvars
import enum
import secrets
from typing import Any, Final

import msgspec

#: The ``Zuora-Request-Id`` of the request being answered (set by the edge, read in error bodies).
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("zuora_request_id", default="")


class Category(enum.IntEnum):
    """The last two digits of a reason code."""

    PERMISSION = 10
    AUTHENTICATION = 11
    INVALID_VALUE = 20
    UNKNOWN_FIELD = 21
    MISSING_REQUIRED = 22
    RULE_RESTRICTION = 30
    NOT_FOUND = 40
    LOCKING_CONTENTION = 50
    INTERNAL = 60
    TEMPORARY = 61
    LIMIT_EXCEEDED = 70
    MALFORMED = 90


class Resource(enum.IntEnum):
    """The first six digits of a reason code: which kind of object the error is about."""

    GENERIC = 500000
    PRODUCT = 510000
    ACCOUNT = 530000
    SUBSCRIPTION = 530500
    ORDER = 531003
    BILL_RUN = 580100
    INVOICE = 580000
    PAYMENT = 590000
    PAYMENT_METHOD = 590100
    PAYMENT_RUN = 590200


class Reason(msgspec.Struct, frozen=True):
    code: int
    message: str


class ErrorBody(msgspec.Struct, rename="camel", frozen=True):
    success: bool
    process_id: str
    reasons: list[Reason]
    request_id: str


def reason_code(resource: Resource, category: Category) -> int:
    return resource * 100 + category


def error_body(resource: Resource, category: Category, message: str) -> ErrorBody:
    """The v1 failure body, with a fresh process id and the current request id."""
    return ErrorBody(
        success=False,
        process_id=secrets.token_hex(8).upper(),
        reasons=[Reason(code=reason_code(resource, category), message=message)],
        request_id=current_request_id.get(),
    )


class ZuoraError(Exception):
    """Raised by handlers; answered as the v1 failure body.

    ``status`` is 200 for business and validation errors: the v1 CRUD actions report
    those inside a successful HTTP answer.
    """

    def __init__(
        self, category: Category, message: str, *, resource: Resource = Resource.ACCOUNT, status: int = 200
    ) -> None:
        super().__init__(message)
        self.category = category
        self.message = message
        self.resource = resource
        self.status = status

    def body(self) -> ErrorBody:
        return error_body(self.resource, self.category, self.message)


def not_found(key: str) -> ZuoraError:
    """An unknown ``{object-key}``: real tenants answer any of them with the generic code 50000040."""
    return ZuoraError(Category.NOT_FOUND, f"Cannot find entity by key: '{key}'.", resource=Resource.GENERIC)


AUTHENTICATION_ERROR: Final = {"message": "Authentication error"}
"""What the API answers with 401 when the bearer token is missing, unknown or expired."""


class ZuoraFaultShapes:
    """How Zuora answers while throttling, during an outage, and when it breaks."""

    def throttled(self, retry_after: int) -> tuple[int, Any, dict[str, str]]:
        # The tenant rate limiter answers with the IETF RateLimit headers; Retry-After says when.
        headers = {
            "Retry-After": str(retry_after),
            "RateLimit-Limit": "50000",
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(retry_after),
        }
        body = {"message": f"You have exceeded the API rate limit. Please retry after {retry_after} seconds."}
        return 429, body, headers

    def unavailable(self) -> tuple[int, Any, dict[str, str]]:
        body = error_body(
            Resource.GENERIC,
            Category.TEMPORARY,
            "The service is temporarily unavailable. Please retry later.",
        )
        return 503, msgspec.to_builtins(body), {"Retry-After": "1"}

    def server_error(self) -> tuple[int, Any, dict[str, str]]:
        body = error_body(Resource.GENERIC, Category.INTERNAL, "An unexpected error occurred.")
        return 500, msgspec.to_builtins(body), {}
