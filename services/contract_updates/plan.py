"""An amendment as checked and planned, and the journal that carries it through the workflow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

import msgspec

from services.workflow import Journal

AmendmentType = Literal["change-quantity", "renew", "cancel"]


class ChargeNow(msgspec.Struct, frozen=True):
    """A charge of the subscription when the amendment was accepted.

    No rate plan id: Zuora gives it anew with every subscription version, so a step looks the current
    one up by the charge number when it runs.
    """

    sku: str
    charge_number: str
    quantity: int
    unit_price: Decimal
    billing_period: str


class AmendmentPlan(msgspec.Struct, frozen=True):
    type: AmendmentType
    subscription_number: str
    customer_id: str
    legal_entity: str
    currency: str
    term_start: dt.date
    term_end: dt.date
    """The day after the current term's last day, as Zuora gives it."""
    charges: tuple[ChargeNow, ...]
    """Every charge of the subscription as it was when the amendment was accepted."""
    sku: str | None = None
    quantity: int | None = None
    effective_date: dt.date | None = None
    order_id: str | None = None
    """The revgate order that created the subscription, if revgate did."""
    opportunity_id: str | None = None

    @property
    def last_day(self) -> dt.date:
        """The current term's last day."""
        return self.term_end - dt.timedelta(days=1)

    @property
    def changed(self) -> ChargeNow | None:
        return next((c for c in self.charges if c.sku == self.sku), None)

    def seat_change(self) -> tuple[ChargeNow, int, dt.date]:
        """The charge, its new quantity and the date of a ``change-quantity`` amendment."""
        changed = self.changed
        if changed is None or self.quantity is None or self.effective_date is None:
            raise ValueError(f"a {self.type} amendment changes no seats")
        return changed, self.quantity, self.effective_date


class AmendmentJournal(Journal, kw_only=True):
    plan: AmendmentPlan
