"""The amending order actions: UpdateProduct, RenewSubscription, CancelSubscription.

Each changes a copy of the subscription and answers its changes (see :mod:`._order_actions`).
A quantity change on date *d* ends the charge's segments at *d* (a segment cut before it
started keeps its number with no service, so that billing credits what it billed for it) and
adds a segment at the new quantity from *d* to the end of the term. A renewal extends the
last segments over the new term; a cancellation ends every segment on its date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from services.sandbox.zuora._calendar import TERM_PERIOD_MONTHS, add_months
from services.sandbox.zuora._errors import Category, Resource, ZuoraError
from services.sandbox.zuora._order_actions import Change, invalid, missing, quantity_of
from services.sandbox.zuora._order_wire import CancelSubscriptionIn, UpdateProductIn
from services.sandbox.zuora._records import ChargeSegment, RatePlanCharge, Subscription


def _cut(charge: RatePlanCharge, day: dt.date, delta_of: Decimal | None) -> list[Change]:
    """End every segment at ``day``; the changes of losing (or, with ``delta_of``, of changing
    to that quantity) the service from ``day`` on."""
    changes = []
    for segment in charge.live_segments():
        if segment.end > day:
            start = max(segment.start, day)
            delta = -segment.quantity if delta_of is None else delta_of - segment.quantity
            changes.append(Change(charge, start, segment.end, delta, segment.price))
            segment.end = max(segment.start, day)
    return changes


def _refuse_if_cancelled(subscription: Subscription) -> None:
    if subscription.status == "Cancelled":
        raise ZuoraError(
            Category.RULE_RESTRICTION,
            f"The subscription {subscription.number} is cancelled: it cannot be changed.",
            resource=Resource.ORDER,
        )


def update_product(subscription: Subscription, body: UpdateProductIn, effective: dt.date) -> list[Change]:
    _refuse_if_cancelled(subscription)
    plan = next((p for p in subscription.rate_plans if p.id == body.rate_plan_id), None)
    if plan is None:
        raise invalid(
            f"Invalid value for field 'ratePlanId': '{body.rate_plan_id}' is not a rate plan "
            f"of subscription {subscription.number}."
        )
    if not body.charge_updates:
        raise missing("updateProduct.chargeUpdates")
    if not subscription.term_start <= effective < subscription.term_end:
        raise invalid(
            f"The update's effective date {effective} is outside the current term "
            f"({subscription.term_start} to {subscription.term_end})."
        )
    changes: list[Change] = []
    for update in body.charge_updates:
        charge = next((c for c in plan.charges if c.number == update.charge_number), None)
        if charge is None:
            raise invalid(
                f"Invalid value for field 'chargeNumber': '{update.charge_number}' is not a charge "
                f"of rate plan '{plan.id}'."
            )
        per_unit = update.pricing.recurring_per_unit if update.pricing else None
        current = charge.current()
        quantity = quantity_of(per_unit.quantity if per_unit else None, current.quantity)
        end = current.end
        changes += _cut(charge, effective, quantity)
        charge.segments.append(
            ChargeSegment(
                segment=charge.segments[-1].segment + 1,
                quantity=quantity,
                price=current.price,
                start=effective,
                end=end,
            )
        )
    return changes


def renew(subscription: Subscription) -> list[Change]:
    _refuse_if_cancelled(subscription)
    months = subscription.renewal_term * TERM_PERIOD_MONTHS[subscription.renewal_term_period_type]
    old_end = subscription.term_end
    subscription.term_start, subscription.term_end = old_end, add_months(old_end, months)
    subscription.current_term = subscription.renewal_term
    subscription.current_term_period_type = subscription.renewal_term_period_type
    changes = []
    for charge in subscription.charges():
        last = charge.current()
        if last.end == old_end and last.end > last.start:
            last.end = subscription.term_end
            changes.append(Change(charge, old_end, last.end, last.quantity, last.price))
    return changes


def cancel(subscription: Subscription, body: CancelSubscriptionIn, order_date: dt.date) -> list[Change]:
    _refuse_if_cancelled(subscription)
    if body.cancellation_policy == "EndOfCurrentTerm":
        day = subscription.term_end
    elif body.cancellation_policy == "SpecificDate":
        if body.cancellation_effective_date is None:
            raise missing("cancelSubscription.cancellationEffectiveDate")
        day = body.cancellation_effective_date
        if not subscription.contract_effective <= day <= subscription.term_end:
            raise invalid(
                f"The cancellation effective date {day} is outside the subscription "
                f"({subscription.contract_effective} to {subscription.term_end})."
            )
    else:
        raise invalid(
            f"Invalid value for field 'cancellationPolicy': '{body.cancellation_policy}'. "
            "Use EndOfCurrentTerm or SpecificDate."
        )
    changes = [change for charge in subscription.charges() for change in _cut(charge, day, None)]
    subscription.status = "Cancelled"
    subscription.cancelled_date = order_date
    subscription.end_date = subscription.term_end = day
    return changes
