"""``GET /v1/subscriptions/{subscription-key}`` and ``GET /v1/subscriptions/accounts/{account-key}``.

A subscription key is its number (the current version) or the id of any version: every order
that changes a subscription makes a new version with a new id and ``version`` one higher, as
in Zuora; the number stays. Rate plan and charge ids and charge numbers stay across versions
(a deliberate simplification: Zuora gives each version's rate plans new ids, and accepts the
ids of any version in orders). Each charge shows its last segment (the quantity and price in
force at the end of the term), its ``mrr`` and its ``tcv`` (value over the whole subscription),
and ``chargedThroughDate`` (how far it is billed). Custom fields are top-level keys
(``RevgateOrderId__c``), as Zuora answers them. Statuses: ``Pending Activation``, ``Pending
Acceptance``, ``Active``, ``Cancelled`` (set when the cancelling order is placed, whatever its
effective date). The sandbox has no clock of its own: a term that ends is neither renewed
automatically nor ``Expired``; orders renew it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from services.sandbox.zuora._bill_runs import charged_through
from services.sandbox.zuora._calendar import PERIOD_MONTHS, billing_periods, cents
from services.sandbox.zuora._errors import Resource, not_found
from services.sandbox.zuora._paging import page_of
from services.sandbox.zuora._records import RatePlanCharge, Subscription
from services.sandbox.zuora._store import ZuoraTenant
from services.sandbox.zuora._subscription_wire import (
    ChargeOut,
    RatePlanOut,
    SubscriptionOut,
    SubscriptionsPage,
)
from services.sandbox.zuora._wire import json_response


def _charge_out(tenant: ZuoraTenant, charge: RatePlanCharge, currency: str) -> ChargeOut:
    months = PERIOD_MONTHS[charge.billing_period]
    current = charge.current()
    live = current.end > current.start
    tcv = sum(
        (
            s.quantity * s.price * billing_periods(charge.anchor, months, s.start, s.end)
            for s in charge.segments
        ),
        Decimal(0),
    )
    return ChargeOut(
        id=charge.id,
        original_charge_id=charge.id,
        product_rate_plan_charge_id=charge.product_rate_plan_charge_id,
        number=charge.number,
        name=charge.name,
        type=charge.type,
        model=charge.model,
        uom=charge.uom,
        segment=current.segment,
        quantity=current.quantity,
        price=current.price,
        currency=currency,
        billing_period=charge.billing_period,
        mrr=cents(current.quantity * current.price / months) if live else Decimal("0.00"),
        tcv=cents(tcv),
        effective_start_date=current.start,
        effective_end_date=current.end,
        charged_through_date=charged_through(tenant, charge),
    )


def subscription_out(tenant: ZuoraTenant, subscription: Subscription) -> SubscriptionOut:
    account = tenant.accounts.get(subscription.account_id)
    plans = [
        RatePlanOut(
            id=plan.id,
            product_id=plan.product_id,
            product_name=plan.product_name,
            product_sku=plan.product_sku,
            product_rate_plan_id=plan.product_rate_plan_id,
            rate_plan_name=plan.name,
            rate_plan_charges=[_charge_out(tenant, c, subscription.currency) for c in plan.charges],
        )
        for plan in subscription.rate_plans
    ]
    charges = [c for p in plans for c in p.rate_plan_charges]
    fields = subscription.custom_fields
    return SubscriptionOut(
        id=subscription.id,
        subscription_number=subscription.number,
        account_id=subscription.account_id,
        account_number=subscription.account_number,
        account_name=account.name if account else "",
        version=subscription.version,
        status=subscription.status,
        term_type="TERMED",
        contract_effective_date=subscription.contract_effective,
        service_activation_date=subscription.service_activation,
        customer_acceptance_date=subscription.customer_acceptance,
        subscription_start_date=subscription.contract_effective,
        subscription_end_date=subscription.end_date,
        term_start_date=subscription.term_start,
        term_end_date=subscription.term_end,
        initial_term=subscription.initial_term,
        initial_term_period_type=subscription.initial_term_period_type,
        current_term=subscription.current_term,
        current_term_period_type=subscription.current_term_period_type,
        renewal_term=subscription.renewal_term,
        renewal_term_period_type=subscription.renewal_term_period_type,
        renewal_setting=subscription.renewal_setting,
        auto_renew=subscription.auto_renew,
        cancelled_date=subscription.cancelled_date,
        order_number=subscription.order_number,
        contracted_mrr=sum((c.mrr for c in charges), Decimal("0.00")),
        total_contracted_value=sum((c.tcv for c in charges), Decimal("0.00")),
        revgate_order_id=fields.get("RevgateOrderId__c"),
        revgate_opportunity_id=fields.get("RevgateOpportunityId__c"),
        rate_plans=plans,
    )


class SubscriptionsController(Controller):
    """Read subscriptions (they are made and changed with orders)."""

    path = "/v1/subscriptions"

    @get("/{subscription_key:str}")
    async def retrieve(
        self, subscription_key: FromPath[str], tenant: NamedDependency[ZuoraTenant]
    ) -> Response[bytes]:
        subscription = tenant.subscription(subscription_key)
        if subscription is None:
            raise not_found(subscription_key)
        return json_response(msgspec.structs.replace(subscription_out(tenant, subscription), success=True))

    @get("/accounts/{account_key:str}")
    async def of_account(
        self,
        account_key: FromPath[str],
        request: Request[Any, Any, Any],
        tenant: NamedDependency[ZuoraTenant],
    ) -> Response[bytes]:
        account = tenant.accounts.get(account_key)
        if account is None:
            raise not_found(account_key)
        subscriptions = sorted(
            (s for s in tenant.subscriptions if s.account_id == account.id), key=lambda s: s.number
        )
        page, next_page = page_of(request, subscriptions, Resource.SUBSCRIPTION)
        return json_response(SubscriptionsPage([subscription_out(tenant, s) for s in page], next_page))
