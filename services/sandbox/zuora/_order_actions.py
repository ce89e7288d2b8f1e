"""What each order action does to a subscription, and the delta metrics it yields.

Every action answers the *changes* it made: ``(charge, start, end, quantity delta, price)``
stretches. The Order Delta Mrr of a change is ``delta x price / months per billing period``
over ``[start, end)``; its Order Delta Tcb (the change in billing) is ``delta x price x
billing periods in [start, end)`` by the proration rule of :mod:`._calendar`. So:

- CreateSubscription: each charge's quantity over the whole initial term;
- UpdateProduct on date *d*: ``(new - old quantity)`` from *d* to the end of the term;
- RenewSubscription: the quantities over the new term;
- CancelSubscription on date *c*: minus the quantities from *c* to the end of the term
  (nothing at the end of the term).

Actions work on copies of the subscriptions (the order applies all or nothing). The
amendments (UpdateProduct, RenewSubscription, CancelSubscription) are in :mod:`._amendments`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from services.sandbox.zuora._calendar import (
    PERIOD_MONTHS,
    TERM_PERIOD_MONTHS,
    add_months,
    billing_periods,
    cents,
)
from services.sandbox.zuora._catalog import rate_plan_status
from services.sandbox.zuora._errors import Category, Resource, ZuoraError
from services.sandbox.zuora._order_wire import (
    CreateSubscriptionIn,
    RatePlanIn,
)
from services.sandbox.zuora._records import (
    ChargeSegment,
    MetricLine,
    RatePlan,
    RatePlanCharge,
    Subscription,
)
from services.sandbox.zuora._store import Account, ZuoraTenant, new_id

TRIGGERS = ("ContractEffective", "ServiceActivation", "CustomerAcceptance")


class Change(NamedTuple):
    """What an action changed: the charge's quantity by ``delta`` (at ``price``) over ``[start, end)``."""

    charge: RatePlanCharge
    start: dt.date
    end: dt.date
    delta: Decimal
    price: Decimal


def invalid(message: str) -> ZuoraError:
    return ZuoraError(Category.INVALID_VALUE, message, resource=Resource.ORDER)


def missing(field: str) -> ZuoraError:
    return ZuoraError(Category.MISSING_REQUIRED, f"'{field}' may not be null", resource=Resource.ORDER)


def _months(period: int | None, period_type: str, field: str) -> int:
    if period is None:
        raise missing(f"{field}.period")
    if period_type not in TERM_PERIOD_MONTHS:
        raise invalid(f"Invalid value for field '{field}.periodType': '{period_type}'.")
    if period < 1:
        raise invalid(f"Invalid value for field '{field}.period': {period}. It must be at least 1.")
    return period * TERM_PERIOD_MONTHS[period_type]


def quantity_of(value: Decimal | None, default: Decimal) -> Decimal:
    quantity = default if value is None else value
    if quantity <= 0:
        raise invalid(f"Invalid value for field 'quantity': {quantity}. The quantity must be greater than 0.")
    return quantity


def create_subscription(
    tenant: ZuoraTenant, account: Account, body: CreateSubscriptionIn, triggers: dict[str, dt.date]
) -> tuple[Subscription, list[Change]]:
    effective = triggers.get("ContractEffective")
    if effective is None:
        raise missing("triggerDates.ContractEffective")
    initial = body.terms.initial_term
    if initial.term_type != "TERMED":
        raise invalid(f"Term type '{initial.term_type}' is not supported here: only TERMED subscriptions.")
    term_months = _months(initial.period, initial.period_type, "initialTerm")
    renewal = body.terms.renewal_terms[0] if body.terms.renewal_terms else None
    renewal_period, renewal_type = (
        (renewal.period, renewal.period_type) if renewal else (initial.period, initial.period_type)
    )
    _months(renewal_period, renewal_type, "renewalTerms[0]")
    if not body.subscribe_to_rate_plans:
        raise missing("subscribeToRatePlans")
    number = body.subscription_number or tenant.next_number("A-S")
    if tenant.subscriptions.number_taken(number):
        raise ZuoraError(
            Category.LOCKING_CONTENTION,
            f"Subscription number '{number}' already exists.",
            resource=Resource.ORDER,
        )
    term_start = initial.start_date or effective
    term_end = add_months(term_start, term_months)
    plans = [_subscribed_plan(tenant, account, p, effective, term_end) for p in body.subscribe_to_rate_plans]
    status = (
        "Pending Activation"
        if "ServiceActivation" not in triggers
        else "Pending Acceptance"
        if "CustomerAcceptance" not in triggers
        else "Active"
    )
    subscription = Subscription(
        id=new_id(),
        number=number,
        account_id=account.id,
        account_number=account.account_number,
        currency=account.currency,
        version=1,
        status=status,
        contract_effective=effective,
        service_activation=triggers.get("ServiceActivation"),
        customer_acceptance=triggers.get("CustomerAcceptance"),
        term_start=term_start,
        term_end=term_end,
        current_term=initial.period or 0,
        current_term_period_type=initial.period_type,
        initial_term=initial.period or 0,
        initial_term_period_type=initial.period_type,
        renewal_term=renewal_period or 0,
        renewal_term_period_type=renewal_type,
        auto_renew=body.terms.auto_renew,
        renewal_setting=body.terms.renewal_setting,
        order_number="",
        custom_fields={},
        rate_plans=plans,
    )
    changes = [
        Change(c, effective, term_end, c.segments[0].quantity, c.segments[0].price)
        for c in subscription.charges()
    ]
    return subscription, changes


def _subscribed_plan(
    tenant: ZuoraTenant, account: Account, body: RatePlanIn, start: dt.date, end: dt.date
) -> RatePlan:
    plan_id = body.product_rate_plan_id
    found = next(((p, plan) for p in tenant.products for plan in p.rate_plans if plan.id == plan_id), None)
    if found is None:
        raise invalid(f"Invalid value for field 'productRatePlanId': '{plan_id}' is not a product rate plan.")
    product, plan = found
    if rate_plan_status(product, dt.date.today()) != "Active":
        raise invalid(
            f"The product rate plan '{plan.name}' ({plan_id}) is not active: "
            f"its product is effective from {product.effective_start} until {product.effective_end}."
        )
    overrides = {o.product_rate_plan_charge_id: o for o in body.charge_overrides}
    unknown = set(overrides) - {c.id for c in plan.charges}
    if unknown:
        raise invalid(
            f"Invalid value for field 'productRatePlanChargeId': '{sorted(unknown)[0]}' "
            f"is not a charge of product rate plan '{plan_id}'."
        )
    charges: list[RatePlanCharge] = []
    for charge in plan.charges:
        override = overrides.get(charge.id)
        per_unit = override.pricing.recurring_per_unit if override and override.pricing else None
        price = per_unit.list_price if per_unit and per_unit.list_price is not None else None
        if price is None:
            price = charge.prices.get(account.currency)
        if price is None:
            raise invalid(f"The charge '{charge.name}' has no price in {account.currency}.")
        if price < 0:
            raise invalid(f"Invalid value for field 'listPrice': {price}.")
        quantity = quantity_of(per_unit.quantity if per_unit else None, Decimal(1))
        segment = ChargeSegment(segment=1, quantity=quantity, price=price, start=start, end=end)
        charges.append(
            RatePlanCharge(
                id=new_id(),
                number=tenant.next_number("C-"),
                product_rate_plan_charge_id=charge.id,
                name=charge.name,
                billing_period=charge.billing_period,
                segments=[segment],
                type=charge.type,
                model=charge.model,
                uom=charge.uom,
            )
        )
    return RatePlan(
        id=new_id(),
        product_id=product.id,
        product_rate_plan_id=plan.id,
        product_sku=product.sku,
        product_name=product.name,
        name=plan.name,
        charges=charges,
    )


def metrics(changes: list[Change], currency: str) -> tuple[list[MetricLine], list[MetricLine]]:
    """The Order Delta Mrr and Order Delta Tcb lines of an action's changes (zero deltas left out)."""
    mrr: list[MetricLine] = []
    tcb: list[MetricLine] = []
    for change in changes:
        if change.delta == 0 or change.start >= change.end:
            continue
        charge = change.charge
        months = PERIOD_MONTHS[charge.billing_period]
        periods = billing_periods(charge.anchor, months, change.start, change.end)
        for lines, amount in (
            (mrr, change.delta * change.price / months),
            (tcb, change.delta * change.price * periods),
        ):
            lines.append(
                MetricLine(
                    charge_number=charge.number,
                    rate_plan_charge_id=charge.id,
                    product_rate_plan_charge_id=charge.product_rate_plan_charge_id,
                    start=change.start,
                    end=change.end,
                    amount=cents(amount),
                    currency=currency,
                )
            )
    return mrr, tcb
