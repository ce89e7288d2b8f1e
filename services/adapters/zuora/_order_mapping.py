"""Quote-to-cash records <-> Zuora orders and subscriptions.

A new subscription is one CreateSubscription order action: every trigger date (contract
effective, service activation, customer acceptance) on its start date, so it is ``Active``
at once; a termed initial term of ``term_months`` renewing for the same length; each plan a
rate plan with its charge's quantity and the unit price sold as overrides; revgate's order id
as the subscription's ``RevgateOrderId__c`` (and the opportunity as ``RevgateOpportunityId__c``).
A quantity change is an UpdateProduct effective (all trigger dates) on its date, a renewal a
RenewSubscription, a cancellation a CancelSubscription at the end of the current term or on
its date; the amendment id is the order's ``RevgateAmendmentId__c``.
"""

from __future__ import annotations

import datetime as dt

from services.adapters.zuora._order_wire import (
    AMENDMENT_REF_FIELD,
    OPPORTUNITY_FIELD,
    ORDER_REF_FIELD,
    TRIGGERS,
    CancelSubscription,
    ChargeOverride,
    ChargeUpdate,
    CreateSubscription,
    InitialTerm,
    OrderAction,
    OrderBody,
    OrderSubscription,
    Pricing,
    RecurringPerUnit,
    RenewSubscription,
    SubscribeToRatePlan,
    SubscriptionRead,
    Term,
    Terms,
    TriggerDate,
    UpdateProduct,
)
from services.quote_to_cash import (
    Cancel,
    ChangeQuantity,
    NewSubscription,
    Renew,
    SubscribedCharge,
    Subscription,
    SubscriptionAmendment,
)


def _triggers(day: dt.date) -> list[TriggerDate]:
    return [TriggerDate(name=name, trigger_date=day) for name in TRIGGERS]


def creation_body(new: NewSubscription, order_date: dt.date) -> OrderBody:
    custom_fields = {ORDER_REF_FIELD: new.order_ref}
    if new.opportunity_id:
        custom_fields[OPPORTUNITY_FIELD] = new.opportunity_id
    create = CreateSubscription(
        terms=Terms(
            initial_term=InitialTerm(period=new.term_months, start_date=new.start_date),
            renewal_terms=[Term(period=new.term_months)],
            auto_renew=new.auto_renew,
        ),
        subscribe_to_rate_plans=[
            SubscribeToRatePlan(
                product_rate_plan_id=plan.rate_plan_id,
                charge_overrides=[
                    ChargeOverride(
                        product_rate_plan_charge_id=plan.charge_id,
                        pricing=Pricing(
                            recurring_per_unit=RecurringPerUnit(
                                quantity=plan.quantity, list_price=plan.unit_price
                            )
                        ),
                    )
                ],
            )
            for plan in new.plans
        ],
    )
    action = OrderAction(
        type="CreateSubscription", trigger_dates=_triggers(new.start_date), create_subscription=create
    )
    return OrderBody(
        existing_account_number=new.account_number,
        order_date=order_date,
        subscriptions=[OrderSubscription(order_actions=[action], custom_fields=custom_fields)],
    )


def _action(amendment: SubscriptionAmendment) -> OrderAction:
    change = amendment.action
    if isinstance(change, ChangeQuantity):
        update = UpdateProduct(
            rate_plan_id=change.rate_plan_id,
            charge_updates=[
                ChargeUpdate(
                    charge_number=change.charge_number,
                    pricing=Pricing(recurring_per_unit=RecurringPerUnit(quantity=change.quantity)),
                )
            ],
        )
        return OrderAction(
            type="UpdateProduct", trigger_dates=_triggers(change.effective_date), update_product=update
        )
    if isinstance(change, Renew):
        return OrderAction(type="RenewSubscription", renew_subscription=RenewSubscription())
    assert isinstance(change, Cancel)
    cancel = (
        CancelSubscription(cancellation_policy="EndOfCurrentTerm")
        if change.effective_date is None
        else CancelSubscription(
            cancellation_policy="SpecificDate", cancellation_effective_date=change.effective_date
        )
    )
    return OrderAction(type="CancelSubscription", cancel_subscription=cancel)


def amendment_body(amendment: SubscriptionAmendment, account_number: str, order_date: dt.date) -> OrderBody:
    return OrderBody(
        existing_account_number=account_number,
        order_date=order_date,
        custom_fields={AMENDMENT_REF_FIELD: amendment.amendment_ref},
        subscriptions=[
            OrderSubscription(
                subscription_number=amendment.subscription_number, order_actions=[_action(amendment)]
            )
        ],
    )


def to_subscription(read: SubscriptionRead) -> Subscription:
    return Subscription(
        subscription_number=read.subscription_number,
        account_number=read.account_number,
        status=read.status,
        term_start=read.term_start_date,
        term_end=read.term_end_date,
        auto_renew=read.auto_renew,
        charges=tuple(
            SubscribedCharge(
                rate_plan_id=plan.id,
                product_rate_plan_id=plan.product_rate_plan_id,
                charge_number=charge.number,
                sku=plan.product_sku,
                quantity=int(charge.quantity),
                unit_price=charge.price,
                billing_period=charge.billing_period,
            )
            for plan in read.rate_plans
            for charge in plan.rate_plan_charges
        ),
        order_ref=read.order_ref,
        version=read.version,
    )
