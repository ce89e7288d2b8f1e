"""Zuora v1 JSON shapes of the Orders API and of subscriptions, as the sandbox reads and answers them.

Requests forbid unknown fields (category 21), like the account shapes of :mod:`._wire`; they
know the fields revgate and the tests use, where real Zuora knows many more. Request Structs
omit their defaults when encoded, because a stored order echoes its actions as they were sent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

import msgspec


class RequestShape(
    msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True, kw_only=True
):
    """Base of the request shapes (msgspec Structs inherit these settings)."""


# --- requests -------------------------------------------------------------------------------


class TriggerDateIn(RequestShape):
    name: str
    trigger_date: dt.date


class RecurringPerUnitIn(RequestShape):
    quantity: Decimal | None = None
    list_price: Decimal | None = None


class PricingIn(RequestShape):
    recurring_per_unit: RecurringPerUnitIn | None = None


class ChargeOverrideIn(RequestShape):
    product_rate_plan_charge_id: str
    pricing: PricingIn | None = None


class RatePlanIn(RequestShape):
    product_rate_plan_id: str
    charge_overrides: list[ChargeOverrideIn] = msgspec.field(default_factory=list)


class InitialTermIn(RequestShape):
    term_type: str
    period: int | None = None
    period_type: str = "Month"
    start_date: dt.date | None = None


class RenewalTermIn(RequestShape):
    period: int
    period_type: str = "Month"


class TermsIn(RequestShape):
    initial_term: InitialTermIn
    renewal_setting: str = "RENEW_WITH_SPECIFIC_TERM"
    renewal_terms: list[RenewalTermIn] = msgspec.field(default_factory=list)
    auto_renew: bool = False


class CreateSubscriptionIn(RequestShape):
    terms: TermsIn
    subscribe_to_rate_plans: list[RatePlanIn] = msgspec.field(default_factory=list)
    subscription_number: str | None = None
    notes: str | None = None


class ChargeUpdateIn(RequestShape):
    charge_number: str
    pricing: PricingIn | None = None


class UpdateProductIn(RequestShape):
    rate_plan_id: str
    charge_updates: list[ChargeUpdateIn] = msgspec.field(default_factory=list)


class RenewSubscriptionIn(RequestShape):
    pass


class CancelSubscriptionIn(RequestShape):
    cancellation_policy: str
    cancellation_effective_date: dt.date | None = None


class OrderActionIn(RequestShape):
    type: str
    trigger_dates: list[TriggerDateIn] = msgspec.field(default_factory=list)
    create_subscription: CreateSubscriptionIn | None = None
    update_product: UpdateProductIn | None = None
    renew_subscription: RenewSubscriptionIn | None = None
    cancel_subscription: CancelSubscriptionIn | None = None


class OrderSubscriptionIn(RequestShape):
    order_actions: list[OrderActionIn]
    subscription_number: str | None = None
    custom_fields: dict[str, str | None] = msgspec.field(default_factory=dict)


class BillingOptionsIn(RequestShape):
    target_date: dt.date | None = None


class ProcessingOptionsIn(RequestShape):
    run_billing: bool = False
    billing_options: BillingOptionsIn | None = None
    collect_payment: bool = False


class OrderCreate(RequestShape):
    order_date: dt.date
    subscriptions: list[OrderSubscriptionIn]
    existing_account_number: str | None = None
    custom_fields: dict[str, str | None] = msgspec.field(default_factory=dict)
    processing_options: ProcessingOptionsIn | None = None
    description: str | None = None


ORDER_CREATE: Final = msgspec.json.Decoder(OrderCreate)

# --- answers: orders ------------------------------------------------------------------------


class SubscriptionResult(msgspec.Struct, rename="camel", frozen=True):
    subscription_number: str
    status: str


class OrderCreated(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    order_number: str
    account_number: str
    status: str
    subscriptions: list[SubscriptionResult]
    invoice_numbers: list[str] | msgspec.UnsetType = msgspec.UNSET
    payment_numbers: list[str] | msgspec.UnsetType = msgspec.UNSET
    success: bool = True


class MetricOut(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    """One Order Delta Mrr / Tcb line (the fields of Zuora's Order Delta Metrics objects)."""

    order_action_id: str
    charge_number: str
    rate_plan_charge_id: str
    product_rate_plan_charge_id: str
    start_date: dt.date
    end_date: dt.date
    gross_amount: Decimal
    net_amount: Decimal
    currency: str


class DeltaMetricsOut(msgspec.Struct, rename="camel", frozen=True):
    order_delta_mrr: list[MetricOut]
    order_delta_tcb: list[MetricOut]


class OrderActionOut(msgspec.Struct, rename="camel", frozen=True, omit_defaults=True, kw_only=True):
    id: str
    sequence: int
    type: str
    trigger_dates: list[TriggerDateIn]
    order_delta_metrics: DeltaMetricsOut
    create_subscription: CreateSubscriptionIn | None = None
    update_product: UpdateProductIn | None = None
    renew_subscription: RenewSubscriptionIn | None = None
    cancel_subscription: CancelSubscriptionIn | None = None


class OrderSubscriptionOut(msgspec.Struct, rename="camel", frozen=True):
    subscription_number: str
    base_version: int | None
    new_version: int
    custom_fields: dict[str, str | None]
    order_actions: list[OrderActionOut]


class OrderOut(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    order_number: str
    order_date: dt.date
    created_date: dt.datetime
    status: str
    existing_account_number: str
    custom_fields: dict[str, str | None]
    subscriptions: list[OrderSubscriptionOut]


class OrderAnswer(msgspec.Struct, frozen=True):
    order: OrderOut
    success: bool = True


class OrdersPage(msgspec.Struct, rename="camel", frozen=True):
    orders: list[OrderOut]
    next_page: str | msgspec.UnsetType = msgspec.UNSET
    success: bool = True
