"""Zuora v1 JSON shapes of subscriptions as the sandbox answers them (see :mod:`._subscriptions`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

_Unset = msgspec.UnsetType


class ChargeOut(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    original_charge_id: str
    product_rate_plan_charge_id: str
    number: str
    name: str
    type: str
    model: str
    uom: str
    segment: int
    quantity: Decimal
    price: Decimal
    currency: str
    billing_period: str
    mrr: Decimal
    tcv: Decimal
    effective_start_date: dt.date
    effective_end_date: dt.date
    charged_through_date: dt.date | None


class RatePlanOut(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    product_id: str
    product_name: str
    product_sku: str
    product_rate_plan_id: str
    rate_plan_name: str
    rate_plan_charges: list[ChargeOut]


class SubscriptionOut(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    subscription_number: str
    account_id: str
    account_number: str
    account_name: str
    version: int
    status: str
    term_type: str
    contract_effective_date: dt.date
    service_activation_date: dt.date | None
    customer_acceptance_date: dt.date | None
    subscription_start_date: dt.date
    subscription_end_date: dt.date | None
    term_start_date: dt.date
    term_end_date: dt.date
    initial_term: int
    initial_term_period_type: str
    current_term: int
    current_term_period_type: str
    renewal_term: int
    renewal_term_period_type: str
    renewal_setting: str
    auto_renew: bool
    cancelled_date: dt.date | None
    order_number: str
    contracted_mrr: Decimal
    total_contracted_value: Decimal
    revgate_order_id: str | None = msgspec.field(default=None, name="RevgateOrderId__c")
    revgate_opportunity_id: str | None = msgspec.field(default=None, name="RevgateOpportunityId__c")
    rate_plans: list[RatePlanOut]
    success: bool | _Unset = msgspec.UNSET
    """Only on the answer of ``GET /v1/subscriptions/{key}``, not on the items of a list."""


class SubscriptionsPage(msgspec.Struct, rename="camel", frozen=True):
    subscriptions: list[SubscriptionOut]
    next_page: str | msgspec.UnsetType = msgspec.UNSET
    success: bool = True
