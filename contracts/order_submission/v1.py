"""order-submission v1: a closed-won deal becomes a Zuora subscription and a NetSuite sales order.

``POST /v1/orders`` takes an opportunity id (the deal is read from Salesforce) or an explicit order,
and an ``Idempotency-Key`` header. It checks everything first and answers every reason at once
(422), or accepts the order (202) and runs it: subscription created, activated, ERP order booked,
Salesforce updated. ``GET /v1/orders/{id}`` shows each step.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from contracts._base import Model
from contracts.common import CurrencyCode, CustomerId, DecimalString, Money, id_pattern
from contracts.journal import Reason, RunStatus, Step

OrderId = Annotated[
    str,
    msgspec.Meta(
        pattern=id_pattern("ord"),
        description="revgate's id of an order: `ord_` and a ULID.",
        examples=["ord_01JDF3K8Q2W9R2N7M4K5H6G7F8"],
    ),
]
OpportunityId = Annotated[
    str,
    msgspec.Meta(
        pattern="^006[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$",
        description="A Salesforce Opportunity id (15 or 18 characters).",
        examples=["006Hs00000000EWIAY"],
    ),
]
Sku = Annotated[
    str,
    msgspec.Meta(pattern="^[A-Z0-9][A-Z0-9-]{1,39}$", description="Product code.", examples=["RG-PLATFORM"]),
]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=1_000_000, description="Seats.", examples=[25])]
TermMonths = Annotated[int, msgspec.Meta(ge=1, le=60, description="Contract term in months.", examples=[12])]


class OrderLine(Model):
    """One product of the order, priced per unit and month."""

    product_code: Sku
    quantity: Quantity
    unit_price: DecimalString


class ExplicitOrder(Model):
    """An order given in full, for deals that do not come from Salesforce."""

    customer_id: CustomerId
    currency: CurrencyCode
    start_date: dt.date
    term_months: TermMonths
    lines: Annotated[tuple[OrderLine, ...], msgspec.Meta(min_length=1, max_length=50)]
    auto_renew: bool = True


class OrderSubmission(Model):
    """What to order: exactly one of ``opportunityId`` and ``order``."""

    opportunity_id: OpportunityId | None = None
    order: ExplicitOrder | None = None


class Order(Model):
    """An order and how far it has got."""

    id: OrderId
    status: RunStatus
    customer_id: CustomerId
    currency: CurrencyCode
    start_date: dt.date
    term_months: TermMonths
    lines: tuple[OrderLine, ...]
    steps: tuple[Step, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    total_per_month: Money
    opportunity_id: OpportunityId | None = None
    subscription_number: str | None = None
    erp_order_id: str | None = None
    """The NetSuite sales order's document number (tranId)."""
    stalled_reason: str | None = None
    next_attempt_at: dt.datetime | None = None
    """When a stalled order is tried again by itself; ``POST .../resume`` tries at once."""
    failure_reasons: tuple[Reason, ...] | None = None


class OrderList(Model):
    """Orders still under way, oldest first."""

    items: tuple[Order, ...]
