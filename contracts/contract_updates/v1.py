"""contract-updates v1: seat changes, renewals and cancellations of a subscription.

``POST /v1/amendments`` (with an ``Idempotency-Key``) checks the amendment and answers every
reason at once (422), or accepts it (202) and runs it: Zuora amends and prorates, NetSuite books
the financial change, Salesforce shows the new commercial state. ``GET /v1/amendments/{id}``
shows each step.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from contracts._base import Model
from contracts.common import Money, id_pattern
from contracts.journal import Reason, RunStatus, Step

AmendmentId = Annotated[
    str,
    msgspec.Meta(
        pattern=id_pattern("amd"),
        description="revgate's id of an amendment: `amd_` and a ULID.",
        examples=["amd_01JDF3K8Q2W9R2N7M4K5H6G7F8"],
    ),
]
SubscriptionNumber = Annotated[
    str,
    msgspec.Meta(
        pattern="^[A-Z0-9-]{1,40}$", description="Zuora subscription number.", examples=["A-S00000001"]
    ),
]
AmendmentType = Literal["change-quantity", "renew", "cancel"]


class AmendmentRequest(Model):
    """One change to a subscription.

    - ``change-quantity``: ``productCode``, ``quantity`` (the new total, higher than today's: seat
      reductions take effect at renewal) and ``effectiveDate`` (within the current term);
    - ``renew``: one more term;
    - ``cancel``: at ``effectiveDate``, or at the end of the current term when it is left out.
    """

    type: AmendmentType
    subscription_number: SubscriptionNumber
    product_code: (
        Annotated[str, msgspec.Meta(pattern="^[A-Z0-9][A-Z0-9-]{1,39}$", examples=["RG-PLATFORM"])] | None
    ) = None
    quantity: Annotated[int, msgspec.Meta(ge=1, le=1_000_000, examples=[30])] | None = None
    effective_date: dt.date | None = None


class Amendment(Model):
    """An amendment and how far it has got."""

    id: AmendmentId
    status: RunStatus
    type: AmendmentType
    subscription_number: SubscriptionNumber
    steps: tuple[Step, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    product_code: str | None = None
    quantity: int | None = None
    effective_date: dt.date | None = None
    order_id: str | None = None
    """The revgate order that created the subscription, when revgate created it."""
    zuora_order_number: str | None = None
    prorated_amount: Money | None = None
    """What the amendment adds to the current term (negative: takes off), as Zuora prorated it."""
    erp_order_id: str | None = None
    """The NetSuite change or renewal order's document number (tranId), when one was booked."""
    stalled_reason: str | None = None
    next_attempt_at: dt.datetime | None = None
    failure_reasons: tuple[Reason, ...] | None = None


class AmendmentList(Model):
    """Amendments still under way, oldest first."""

    items: tuple[Amendment, ...]
