"""Checks an amendment request against Zuora and NetSuite, answering every reason at once.

- the subscription exists and is active;
- a seat change names a product of the subscription, raises its quantity (reductions take effect
  at renewal: submit them then) and takes effect within the current term;
- a cancellation date, when given, lies within the current term;
- fields that do not apply to the type are refused rather than ignored.
"""

from __future__ import annotations

import datetime as dt

from contracts.contract_updates import v1
from contracts.problem import InvalidParam
from services.contract_updates.plan import AmendmentPlan, ChargeNow
from services.order_submission.flow import subscription_link
from services.order_submission.plan import stored_order
from services.quote_to_cash import SystemsOfRecord
from services.runtime.problems import validation_failed
from services.workflow import WorkflowStore


class AmendmentChecks:
    def __init__(self, systems: SystemsOfRecord, store: WorkflowStore) -> None:
        self.systems = systems
        self.store = store

    async def plan(self, request: v1.AmendmentRequest) -> AmendmentPlan:
        reasons = _fields(request)
        subscription = await self.systems.billing.subscription(request.subscription_number)
        if subscription is None:
            reasons.append(
                InvalidParam(
                    "/subscriptionNumber", f"Zuora has no subscription {request.subscription_number}"
                )
            )
            raise validation_failed("The amendment", reasons)
        if subscription.status != "Active":
            reasons.append(
                InvalidParam("/subscriptionNumber", f"The subscription is {subscription.status}, not Active")
            )
        charges = tuple(
            ChargeNow(c.sku, c.charge_number, c.quantity, c.unit_price, c.billing_period)
            for c in subscription.charges
        )
        start, end = subscription.term_start, subscription.term_end
        when = request.effective_date
        if request.type == "change-quantity" and request.product_code and request.quantity:
            charge = next((c for c in charges if c.sku == request.product_code), None)
            if charge is None:
                reasons.append(
                    InvalidParam("/productCode", f"The subscription has no {request.product_code}")
                )
            elif request.quantity <= charge.quantity:
                reasons.append(
                    InvalidParam(
                        "/quantity",
                        f"{request.quantity} is not more than today's {charge.quantity}: seat reductions "
                        "take effect at renewal",
                    )
                )
        if when is not None and not start <= when < end:
            last = end - dt.timedelta(days=1)
            reasons.append(
                InvalidParam("/effectiveDate", f"{when} is outside the current term {start} to {last}")
            )
        customer = await self.systems.erp_customers.customer(external_id=subscription.account_number)
        if customer is None:
            reasons.append(InvalidParam("", f"NetSuite has no customer {subscription.account_number}"))
        if reasons or customer is None:
            raise validation_failed("The amendment", reasons)
        order_id = await self.store.linked(subscription_link(subscription.subscription_number))
        return AmendmentPlan(
            type=request.type,
            subscription_number=subscription.subscription_number,
            customer_id=subscription.account_number,
            legal_entity=customer.legal_entity,
            currency=customer.currency,
            term_start=start,
            term_end=end,
            charges=charges,
            sku=request.product_code,
            quantity=request.quantity,
            effective_date=when,
            order_id=order_id,
            opportunity_id=await self._opportunity(order_id),
        )

    async def _opportunity(self, order_id: str | None) -> str | None:
        order = await stored_order(self.store, order_id) if order_id else None
        return None if order is None else order.plan.opportunity_id


def _fields(request: v1.AmendmentRequest) -> list[InvalidParam]:
    """Which fields the type needs and which it does not take."""
    needs = {"change-quantity": {"productCode", "quantity", "effectiveDate"}, "renew": set(), "cancel": set()}
    allowed = {**needs, "cancel": {"effectiveDate"}}[request.type]
    given = {
        name
        for name, value in (
            ("productCode", request.product_code),
            ("quantity", request.quantity),
            ("effectiveDate", request.effective_date),
        )
        if value is not None
    }
    reasons = [
        InvalidParam(f"/{name}", f"required for {request.type}")
        for name in sorted(needs[request.type] - given)
    ]
    reasons += [
        InvalidParam(f"/{name}", f"does not apply to {request.type}") for name in sorted(given - allowed)
    ]
    return reasons
