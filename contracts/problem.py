"""RFC 9457 problem details: the one error shape of every revgate component.

Every ``type`` a revgate component may answer is listed in :data:`PROBLEM_TYPES`
and documented in ``docs/problem-types.md``; a test keeps the two in step.
"""

from __future__ import annotations

from typing import Annotated, Final

import msgspec

PROBLEM_BASE: Final = "https://revgate.dev/problems/"
PROBLEM_MEDIA_TYPE: Final = "application/problem+json"

#: slug -> (title, usual HTTP status)
PROBLEM_TYPES: Final[dict[str, tuple[str, int]]] = {
    "invalid-request": ("The request is malformed", 400),
    "invalid-body": ("The request body does not match the schema", 422),
    "validation-failed": ("The request breaks a business rule", 422),
    "field-not-updatable": ("A field in the update cannot be changed", 422),
    "unsupported-media-type": ("The request body has an unsupported media type", 415),
    "not-found": ("The resource does not exist", 404),
    "method-not-allowed": ("The method is not allowed on this resource", 405),
    "duplicate-customer": ("The customer already exists", 409),
    "customer-incomplete": ("The customer exists in only some systems of record", 409),
    "vendor-rejected": ("A system of record refused the change", 422),
    "vendor-conflict": ("A system of record reports a conflicting change", 409),
    "vendor-throttled": ("A system of record is throttling revgate", 503),
    "vendor-unavailable": ("A system of record is unavailable", 503),
    "partial-write": ("The change reached only some systems of record", 503),
    "idempotency-key-required": ("The request needs an Idempotency-Key header", 400),
    "idempotency-key-reused": ("The Idempotency-Key was used with a different request", 422),
    "request-in-progress": ("A request with this Idempotency-Key is still being processed", 409),
    "order-exists": ("The opportunity has been ordered already", 409),
    "not-resumable": ("Only a stalled order or amendment can be resumed", 409),
    "internal-error": ("An unexpected error occurred", 500),
    "unauthorized": ("The request lacks a valid access token", 401),
    "insufficient-scope": ("The access token lacks a scope this operation needs", 403),
    "quota-exceeded": ("The client has used up its request quota", 429),
    "payload-too-large": ("The request body is larger than allowed", 413),
    "version-sunset": ("This major version has reached its sunset and is gone", 410),
    "upstream-unavailable": ("The capability is unavailable", 503),
    "bad-gateway": ("The capability answered with an error or not at all", 502),
    "gateway-timeout": ("The capability did not answer in time", 504),
}


def problem_type(slug: str) -> str:
    """The full type URI of a documented problem slug."""
    if slug not in PROBLEM_TYPES:
        raise KeyError(f"undocumented problem type {slug!r}")
    return PROBLEM_BASE + slug


class InvalidParam(msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True):
    """One reason a request was refused, located by a JSON pointer (RFC 6901) into the body."""

    pointer: str
    reason: str


class SystemState(
    msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True, omit_defaults=True
):
    """Where one system of record stands after a write that did not finish everywhere."""

    system: Annotated[str, msgspec.Meta(examples=["salesforce", "zuora", "netsuite"])]
    state: Annotated[str, msgspec.Meta(examples=["written", "failed", "not-attempted"])]
    id: str | None = None
    reason: str | None = None


_CUSTOMER: Final = "cus_01JD8Z6Q3W9R2N7M4K5H6G7F8E"
"""The customer of the examples of a problem."""
_Instance = Annotated[str, msgspec.Meta(examples=[f"/customer-master/v2/customers/{_CUSTOMER}"])]


class Problem(msgspec.Struct, rename="camel", forbid_unknown_fields=False, omit_defaults=True, frozen=True):
    """RFC 9457 problem details, with revgate's extension members.

    Unknown members are accepted when decoding, as RFC 9457 asks of consumers.
    """

    type: Annotated[str, msgspec.Meta(examples=[PROBLEM_BASE + "not-found"])]
    title: Annotated[str, msgspec.Meta(examples=[PROBLEM_TYPES["not-found"][0]])]
    status: Annotated[int, msgspec.Meta(examples=[404])]
    detail: Annotated[str, msgspec.Meta(examples=[f"No customer {_CUSTOMER}"])] | None = None
    instance: _Instance | None = None
    correlation_id: Annotated[str, msgspec.Meta(examples=["quickstart-1"])] | None = None
    errors: tuple[InvalidParam, ...] | None = None
    """Every reason the request was refused, not only the first."""
    systems: tuple[SystemState, ...] | None = None
    """For writes spanning several systems: which of them hold the change."""
    customer_id: str | None = None
    """The customer the problem is about, where there is one (for example the existing duplicate)."""
    retry_after: int | None = None
    """Seconds after which a retry may succeed; also sent as the ``Retry-After`` header."""
    violated_policies: tuple[str, ...] | None = msgspec.field(default=None, name="violated-policies")
    """For ``quota-exceeded``: the rate-limit policies the request went over."""
    successor: str | None = None
    """For ``version-sunset``: where the successor major version lives."""
