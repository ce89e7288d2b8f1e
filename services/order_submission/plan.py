"""An order as checked and planned, and the journal that carries it through the workflow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from services.workflow import Journal, WorkflowStore


class PlannedLine(msgspec.Struct, frozen=True):
    """A line of the order, matched to the billing catalog."""

    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    """Per unit and billing period (a month for every product sold today)."""
    rate_plan_id: str
    charge_id: str
    billing_period: str


class OrderPlan(msgspec.Struct, frozen=True):
    """Everything the steps need, fixed when the order is accepted."""

    customer_id: str
    account_crm_id: str
    legal_entity: str
    currency: str
    start_date: dt.date
    term_months: int
    auto_renew: bool
    lines: tuple[PlannedLine, ...]
    opportunity_id: str | None = None

    @property
    def end_date(self) -> dt.date:
        """The last day of the initial term."""
        return add_months(self.start_date, self.term_months) - dt.timedelta(days=1)

    @property
    def total_per_month(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal(0))


class OrderJournal(Journal, kw_only=True):
    plan: OrderPlan


_journal = msgspec.json.Decoder(OrderJournal)


async def stored_order(store: WorkflowStore, order_id: str) -> OrderJournal | None:
    """An order's journal as the store has it (for the capabilities that read orders they did not run)."""
    found = await store.load(order_id)
    return None if found is None else _journal.decode(found.data)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover - every month has 28 days
