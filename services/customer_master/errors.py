"""The customer-master's own failures, each a documented problem."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from contracts.problem import InvalidParam, SystemState
from services.adapters.errors import Conflict, Rejected, VendorError
from services.runtime.problems import ProblemError, retry_seconds, vendor_reasons


def _pointer(field: str) -> str:
    """The JSON pointer of a canonical field in the request body: the same in every major."""
    head, *rest = field.split("_")
    return "/" + head + "".join(part.title() for part in rest)


class CustomerNotFound(ProblemError):
    def __init__(self, customer_id: str) -> None:
        super().__init__("not-found", f"No customer {customer_id}", customer_id=customer_id)


class DuplicateCustomer(ProblemError):
    """The customer already exists in every system; the answer links to it."""

    def __init__(self, customer_id: str) -> None:
        super().__init__(
            "duplicate-customer",
            f"A customer with this name already exists for this legal entity: {customer_id}",
            customer_id=customer_id,
        )


class CustomerIncomplete(ProblemError):
    """A create that failed midway and was not retried: the customer is not in every system."""

    def __init__(self, customer_id: str, systems: Iterable[SystemState]) -> None:
        super().__init__(
            "customer-incomplete",
            "The customer's creation did not finish; repeat the create request to complete it",
            customer_id=customer_id,
            systems=systems,
        )


class InvalidCustomer(ProblemError):
    """Business rules the request breaks, all of them. ``fields`` name canonical fields."""

    def __init__(self, reasons: Mapping[str, str]) -> None:
        self.fields = dict(reasons)
        super().__init__(
            "validation-failed",
            "; ".join(f"{field}: {reason}" for field, reason in reasons.items()),
            errors=[
                InvalidParam(pointer=_pointer(field), reason=reason) for field, reason in reasons.items()
            ],
        )


class FieldNotUpdatable(ProblemError):
    def __init__(self, fields: Iterable[str]) -> None:
        names = sorted(fields)
        self.fields = dict.fromkeys(names, "fixed once the customer exists")
        super().__init__(
            "field-not-updatable",
            f"{', '.join(names)} cannot change once the customer exists; create a new customer instead",
            errors=[
                InvalidParam(pointer=_pointer(name), reason="fixed once the customer exists")
                for name in names
            ],
        )


class PartialWrite(ProblemError):
    """A write reached some systems and not others. Repeating the same request finishes it."""

    def __init__(self, customer_id: str, systems: Iterable[SystemState], cause: VendorError) -> None:
        if isinstance(cause, Rejected):
            status, retry_after = 422, None
        elif isinstance(cause, Conflict):
            status, retry_after = 409, None
        else:
            status, retry_after = 503, retry_seconds(cause)
        super().__init__(
            "partial-write",
            f"{cause.system} failed: {cause.message.rstrip('.')}. "
            "Repeat the same request to finish the change",
            status=status,
            customer_id=customer_id,
            systems=systems,
            errors=vendor_reasons(cause),
            retry_after=retry_after,
            headers={"Retry-After": str(retry_after)} if retry_after else None,
        )
