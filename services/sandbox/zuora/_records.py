"""The sandbox's quote-to-cash records: catalog, subscriptions, orders, invoices, payments.

These are the tenant's own data (kept in :class:`services.sandbox.zuora._store.ZuoraTenant`
tables), not wire shapes: the routes render them into Zuora's JSON. Dates are
``datetime.date``; ranges ``[start, end)`` end exclusively, as Zuora's ``effectiveEndDate``
and ``termEndDate`` do (invoice items show an inclusive ``serviceEndDate``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from services.sandbox.zuora._order_wire import OrderActionIn

# --- catalog --------------------------------------------------------------------------------


class CatalogCharge(msgspec.Struct, kw_only=True):
    """A product rate plan charge: recurring, per unit, priced per billing period by currency."""

    id: str
    name: str
    billing_period: str
    prices: dict[str, Decimal]
    type: str = "Recurring"
    model: str = "PerUnit"
    uom: str = "Seat"


class CatalogRatePlan(msgspec.Struct, kw_only=True):
    id: str
    name: str
    charges: list[CatalogCharge]


class Product(msgspec.Struct, kw_only=True):
    id: str
    sku: str
    name: str
    description: str
    effective_start: dt.date
    effective_end: dt.date
    rate_plans: list[CatalogRatePlan]

    def effective_on(self, day: dt.date) -> bool:
        return self.effective_start <= day < self.effective_end


# --- subscriptions --------------------------------------------------------------------------


class ChargeSegment(msgspec.Struct, kw_only=True):
    """One stretch of a charge at one quantity and price. A cut segment keeps its number with
    ``end == start``, so that billing can still credit what was billed for it."""

    segment: int
    quantity: Decimal
    price: Decimal
    start: dt.date
    end: dt.date


class RatePlanCharge(msgspec.Struct, kw_only=True):
    id: str
    number: str
    product_rate_plan_charge_id: str
    name: str
    billing_period: str
    segments: list[ChargeSegment]
    type: str = "Recurring"
    model: str = "PerUnit"
    uom: str = "Seat"

    @property
    def anchor(self) -> dt.date:
        """Where its billing periods are counted from: the start of its first segment."""
        return self.segments[0].start

    def live_segments(self) -> list[ChargeSegment]:
        return [s for s in self.segments if s.end > s.start]

    def current(self) -> ChargeSegment:
        """The last segment with any service in it (the first one when all were cut)."""
        live = self.live_segments()
        return live[-1] if live else self.segments[0]


class RatePlan(msgspec.Struct, kw_only=True):
    id: str
    product_id: str
    product_rate_plan_id: str
    product_sku: str
    product_name: str
    name: str
    charges: list[RatePlanCharge]


class Subscription(msgspec.Struct, kw_only=True):
    """The current version of a subscription (older versions are kept by id, frozen)."""

    id: str
    number: str
    account_id: str
    account_number: str
    currency: str
    version: int
    status: str
    """``Pending Activation``, ``Pending Acceptance``, ``Active`` or ``Cancelled``."""
    contract_effective: dt.date
    service_activation: dt.date | None
    customer_acceptance: dt.date | None
    term_start: dt.date
    term_end: dt.date
    current_term: int
    current_term_period_type: str
    initial_term: int
    initial_term_period_type: str
    renewal_term: int
    renewal_term_period_type: str
    auto_renew: bool
    renewal_setting: str
    order_number: str
    custom_fields: dict[str, str | None]
    rate_plans: list[RatePlan]
    cancelled_date: dt.date | None = None
    end_date: dt.date | None = None
    """``subscriptionEndDate``: the cancellation's effective date, once cancelled."""

    def charges(self) -> list[RatePlanCharge]:
        return [charge for plan in self.rate_plans for charge in plan.charges]


# --- orders ---------------------------------------------------------------------------------


class MetricLine(msgspec.Struct, kw_only=True):
    """One order delta metric (Mrr or Tcb) of one charge over ``[start, end)``."""

    charge_number: str
    rate_plan_charge_id: str
    product_rate_plan_charge_id: str
    start: dt.date
    end: dt.date
    amount: Decimal
    currency: str


class OrderActionRecord(msgspec.Struct, kw_only=True):
    id: str
    sequence: int
    type: str
    trigger_dates: dict[str, dt.date]
    request: OrderActionIn
    """The action as it was sent, echoed when read back."""
    delta_mrr: list[MetricLine]
    delta_tcb: list[MetricLine]


class OrderSubscriptionRecord(msgspec.Struct, kw_only=True):
    subscription_number: str
    base_version: int | None
    new_version: int
    custom_fields: dict[str, str | None]
    actions: list[OrderActionRecord]


class Order(msgspec.Struct, kw_only=True):
    id: str
    number: str
    order_date: dt.date
    account_number: str
    status: str
    custom_fields: dict[str, str | None]
    subscriptions: list[OrderSubscriptionRecord]
    created: dt.datetime


# --- billing documents ----------------------------------------------------------------------


class InvoiceItem(msgspec.Struct, kw_only=True):
    id: str
    subscription_id: str
    subscription_number: str
    charge_id: str
    charge_number: str
    charge_name: str
    product_name: str
    service_start: dt.date
    service_end: dt.date
    """Exclusive here; rendered inclusive as Zuora's ``serviceEndDate``."""
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class Invoice(msgspec.Struct, kw_only=True):
    id: str
    number: str
    account_id: str
    account_number: str
    invoice_date: dt.date
    due_date: dt.date
    amount: Decimal
    balance: Decimal
    status: str
    """``Draft`` or ``Posted``."""
    currency: str
    items: list[InvoiceItem]


class BillRun(msgspec.Struct, kw_only=True):
    id: str
    number: str
    target_date: dt.date
    invoice_date: dt.date
    auto_post: bool
    status: str
    invoice_ids: list[str]


class PaymentMethod(msgspec.Struct, kw_only=True):
    id: str
    account_id: str
    type: str
    card_type: str
    card_mask: str
    expiration_month: int
    expiration_year: int
    holder_name: str
    declines: bool
    """The gateway declines every charge to this card (the sandbox's test card)."""


class PaymentApplication(msgspec.Struct, kw_only=True):
    invoice_id: str
    invoice_number: str
    amount: Decimal


class Payment(msgspec.Struct, kw_only=True):
    id: str
    number: str
    account_id: str
    account_number: str
    amount: Decimal
    currency: str
    effective_date: dt.date
    status: str
    """``Processed`` or ``Error``."""
    gateway_response: str
    gateway_response_code: str
    payment_method_id: str
    applications: list[PaymentApplication]
    type: str = "Electronic"


class PaymentRun(msgspec.Struct, kw_only=True):
    id: str
    number: str
    target_date: dt.date
    status: str
    payment_ids: list[str]
