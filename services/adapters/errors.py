"""The one error tree every adapter raises. Vendor errors never leave an adapter in any other form.

::

    VendorError                 a system of record did not do what was asked
    ├── Rejected                it refused the request as invalid (business or field validation)
    ├── NotFound                the record does not exist
    ├── Conflict                it conflicts with the record's current state (duplicate, concurrent change)
    ├── Throttled               it asks us to slow down; ``retry_after`` says for how long
    └── Unavailable             it is down, timing out or answering garbage

``Throttled`` and ``Unavailable`` are *transient*: the same request may succeed later.
The others are final for the request as sent.
"""

from __future__ import annotations

import msgspec


class VendorReason(msgspec.Struct, frozen=True):
    """One reason a vendor gave, in its own words and code, for logs and problem details."""

    message: str
    code: str | None = None
    field: str | None = None


class VendorError(Exception):
    """A system of record did not do what was asked."""

    transient = False

    def __init__(
        self,
        system: str,
        message: str,
        *,
        reasons: tuple[VendorReason, ...] = (),
        status: int | None = None,
    ) -> None:
        super().__init__(f"{system}: {message}")
        self.system = system
        self.message = message
        self.reasons = reasons
        self.status = status
        """The vendor's HTTP status, when there was a response."""


class Rejected(VendorError):
    """The vendor refused the request as invalid."""


class NotFound(VendorError):
    """The record does not exist in the vendor."""


class Conflict(VendorError):
    """The request conflicts with the vendor's current state (duplicate key, concurrent change)."""


class Throttled(VendorError):
    """The vendor asks us to slow down."""

    transient = True

    def __init__(
        self,
        system: str,
        message: str,
        *,
        retry_after: float | None = None,
        reasons: tuple[VendorReason, ...] = (),
        status: int | None = None,
    ) -> None:
        super().__init__(system, message, reasons=reasons, status=status)
        self.retry_after = retry_after
        """Seconds the vendor asked us to wait, from ``Retry-After``; None when it did not say."""


class Unavailable(VendorError):
    """The vendor is down, timed out, or answered something we cannot read."""

    transient = True
