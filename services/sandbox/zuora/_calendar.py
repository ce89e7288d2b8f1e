"""Billing calendar of the sandbox: billing periods, proration, payment terms.

**The proration rule** (used alike by order delta metrics and bill runs, so that what an order
says it adds is what billing charges). A charge bills by *billing periods* anchored on the
day its subscription's contract takes effect (Zuora's bill cycle type *Subscription Start
Day*): for a monthly charge starting on 2025-01-15 the periods are Jan 15 - Feb 14, Feb 15 -
Mar 14, and so on (an anchor day the month lacks falls on the month's last day). The price
is per billing period. A stretch of service ``[start, end)`` is worth, in billing periods,
the sum over the periods it touches of *days used / days of that period*: whole periods count
1, a part period its share of days. Example, monthly periods on the 1st: 2025-04-16 to
2026-01-01 is 15/30 of April plus May to December, 8.5 periods.

Amounts are rounded to cents (half up) per metric line and per invoice item.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

PERIOD_MONTHS: Final = {
    "Month": 1,
    "Quarter": 3,
    "Semi_Annual": 6,
    "Annual": 12,
    "Eighteen_Months": 18,
    "Two_Years": 24,
}
"""Zuora's billing period names and their length in months."""

TERM_PERIOD_MONTHS: Final = {"Month": 1, "Year": 12}
"""Term period types the sandbox supports (Zuora also knows Day and Week)."""

PAYMENT_TERM_DAYS: Final = {"Due Upon Receipt": 0, "Net 15": 15, "Net 30": 30, "Net 45": 45, "Net 60": 60}

_CENT: Final = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def add_months(anchor: dt.date, months: int) -> dt.date:
    """``anchor`` plus whole months, on the anchor's day or the month's last day when it is shorter."""
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(anchor.day, last_day))


def _index(anchor: dt.date, months: int, day: dt.date) -> int:
    """The number of the billing period holding ``day`` (0 is the one starting on ``anchor``)."""
    k = ((day.year - anchor.year) * 12 + day.month - anchor.month) // months
    while add_months(anchor, k * months) > day:
        k -= 1
    while add_months(anchor, (k + 1) * months) <= day:
        k += 1
    return k


def period_containing(anchor: dt.date, months: int, day: dt.date) -> tuple[dt.date, dt.date]:
    """The billing period ``[start, end)`` of ``day``, periods of ``months`` anchored on ``anchor``."""
    k = _index(anchor, months, day)
    return add_months(anchor, k * months), add_months(anchor, (k + 1) * months)


def periods(anchor: dt.date, months: int, start: dt.date, end: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """The billing periods that ``[start, end)`` touches, whole (not clipped), in order."""
    if start >= end:
        return
    k = _index(anchor, months, start)
    # Each period computed from the anchor, so that clamped month ends do not drift (Jan 31, Feb 28, Mar 31).
    while (period_start := add_months(anchor, k * months)) < end:
        yield period_start, add_months(anchor, (k + 1) * months)
        k += 1


def share(start: dt.date, end: dt.date, period: tuple[dt.date, dt.date]) -> Decimal:
    """The part of ``period`` that ``[start, end)`` covers, as a fraction of its days."""
    used = (min(end, period[1]) - max(start, period[0])).days
    return Decimal(max(used, 0)) / Decimal((period[1] - period[0]).days)


def billing_periods(anchor: dt.date, months: int, start: dt.date, end: dt.date) -> Decimal:
    """How many billing periods ``[start, end)`` is worth (see the module docstring)."""
    return sum((share(start, end, p) for p in periods(anchor, months, start, end)), Decimal(0))
