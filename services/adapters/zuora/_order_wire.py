"""Zuora's Orders API and subscription shapes as the adapter sends and reads them; decoders built once.

Reading shapes list only the fields the adapter uses. Custom fields of a subscription are
top-level keys of its answer (``RevgateOrderId__c``); those of an order are in ``customFields``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

import msgspec

_Unset = msgspec.UnsetType
UNSET: Final = msgspec.UNSET

ORDER_REF_FIELD: Final = "RevgateOrderId__c"
AMENDMENT_REF_FIELD: Final = "RevgateAmendmentId__c"
OPPORTUNITY_FIELD: Final = "RevgateOpportunityId__c"
TRIGGERS: Final = ("ContractEffective", "ServiceActivation", "CustomerAcceptance")


class _Body(msgspec.Struct, rename="camel", kw_only=True):
    """Base of the shapes sent: ``UNSET`` fields are left out, defaults are sent."""


# --- sent -----------------------------------------------------------------------------------


class TriggerDate(_Body):
    name: str
    trigger_date: dt.date


class RecurringPerUnit(_Body):
    quantity: int
    list_price: Decimal | _Unset = UNSET


class Pricing(_Body):
    recurring_per_unit: RecurringPerUnit


class ChargeOverride(_Body):
    product_rate_plan_charge_id: str
    pricing: Pricing


class SubscribeToRatePlan(_Body):
    product_rate_plan_id: str
    charge_overrides: list[ChargeOverride]


class Term(_Body):
    period: int
    period_type: str = "Month"


class InitialTerm(_Body):
    period: int
    start_date: dt.date
    period_type: str = "Month"
    term_type: str = "TERMED"


class Terms(_Body):
    initial_term: InitialTerm
    renewal_terms: list[Term]
    auto_renew: bool
    renewal_setting: str = "RENEW_WITH_SPECIFIC_TERM"


class CreateSubscription(_Body):
    terms: Terms
    subscribe_to_rate_plans: list[SubscribeToRatePlan]


class ChargeUpdate(_Body):
    charge_number: str
    pricing: Pricing


class UpdateProduct(_Body):
    rate_plan_id: str
    charge_updates: list[ChargeUpdate]


class RenewSubscription(_Body):
    pass


class CancelSubscription(_Body):
    cancellation_policy: str
    cancellation_effective_date: dt.date | _Unset = UNSET


class OrderAction(_Body):
    type: str
    trigger_dates: list[TriggerDate] | _Unset = UNSET
    create_subscription: CreateSubscription | _Unset = UNSET
    update_product: UpdateProduct | _Unset = UNSET
    renew_subscription: RenewSubscription | _Unset = UNSET
    cancel_subscription: CancelSubscription | _Unset = UNSET


class OrderSubscription(_Body):
    order_actions: list[OrderAction]
    subscription_number: str | _Unset = UNSET
    custom_fields: dict[str, str] | _Unset = UNSET


class OrderBody(_Body):
    existing_account_number: str
    order_date: dt.date
    subscriptions: list[OrderSubscription]
    custom_fields: dict[str, str] | _Unset = UNSET


# --- read -----------------------------------------------------------------------------------


class ChargeRead(msgspec.Struct, rename="camel", frozen=True):
    number: str
    quantity: Decimal
    price: Decimal
    billing_period: str


class RatePlanRead(msgspec.Struct, rename="camel", frozen=True):
    id: str
    product_rate_plan_id: str
    product_sku: str = ""
    rate_plan_charges: list[ChargeRead] = msgspec.field(default_factory=list)


class SubscriptionRead(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    subscription_number: str
    account_number: str
    status: str
    term_start_date: dt.date
    term_end_date: dt.date
    auto_renew: bool = False
    version: int = 1
    order_ref: str | None = msgspec.field(default=None, name=ORDER_REF_FIELD)
    rate_plans: list[RatePlanRead] = msgspec.field(default_factory=list)


class SubscriptionsPage(msgspec.Struct, rename="camel", frozen=True):
    subscriptions: list[SubscriptionRead] = msgspec.field(default_factory=list)
    next_page: str | None = None


class CreatedSubscription(msgspec.Struct, rename="camel", frozen=True):
    subscription_number: str


class OrderCreated(msgspec.Struct, rename="camel", frozen=True):
    order_number: str
    subscriptions: list[CreatedSubscription] = msgspec.field(default_factory=list)


class MetricRead(msgspec.Struct, rename="camel", frozen=True):
    gross_amount: Decimal


class DeltaMetricsRead(msgspec.Struct, rename="camel", frozen=True):
    order_delta_tcb: list[MetricRead] = msgspec.field(default_factory=list)


class OrderActionRead(msgspec.Struct, rename="camel", frozen=True):
    type: str
    order_delta_metrics: DeltaMetricsRead | None = None


class OrderSubscriptionRead(msgspec.Struct, rename="camel", frozen=True):
    subscription_number: str
    order_actions: list[OrderActionRead] = msgspec.field(default_factory=list)


class OrderRead(msgspec.Struct, rename="camel", frozen=True):
    order_number: str
    custom_fields: dict[str, str | None] = msgspec.field(default_factory=dict)
    subscriptions: list[OrderSubscriptionRead] = msgspec.field(default_factory=list)


class OrderAnswer(msgspec.Struct, frozen=True):
    order: OrderRead


class OrdersPage(msgspec.Struct, rename="camel", frozen=True):
    orders: list[OrderRead] = msgspec.field(default_factory=list)
    next_page: str | None = None


SUBSCRIPTION_READ: Final = msgspec.json.Decoder(SubscriptionRead)
SUBSCRIPTIONS_PAGE: Final = msgspec.json.Decoder(SubscriptionsPage)
ORDER_CREATED: Final = msgspec.json.Decoder(OrderCreated)
ORDER_ANSWER: Final = msgspec.json.Decoder(OrderAnswer)
ORDERS_PAGE: Final = msgspec.json.Decoder(OrdersPage)
