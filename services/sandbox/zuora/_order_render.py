"""An order as ``GET /v1/orders/...`` answers it: actions as sent, with their delta metrics."""

from __future__ import annotations

from services.sandbox.zuora._order_wire import (
    DeltaMetricsOut,
    MetricOut,
    OrderActionOut,
    OrderOut,
    OrderSubscriptionOut,
    TriggerDateIn,
)
from services.sandbox.zuora._records import MetricLine, Order, OrderActionRecord


def _metric(line: MetricLine, action_id: str) -> MetricOut:
    return MetricOut(
        order_action_id=action_id,
        charge_number=line.charge_number,
        rate_plan_charge_id=line.rate_plan_charge_id,
        product_rate_plan_charge_id=line.product_rate_plan_charge_id,
        start_date=line.start,
        end_date=line.end,
        gross_amount=line.amount,
        net_amount=line.amount,
        currency=line.currency,
    )


def _action_out(action: OrderActionRecord) -> OrderActionOut:
    sent = action.request
    return OrderActionOut(
        id=action.id,
        sequence=action.sequence,
        type=action.type,
        trigger_dates=[
            TriggerDateIn(name=name, trigger_date=day) for name, day in action.trigger_dates.items()
        ],
        order_delta_metrics=DeltaMetricsOut(
            order_delta_mrr=[_metric(m, action.id) for m in action.delta_mrr],
            order_delta_tcb=[_metric(m, action.id) for m in action.delta_tcb],
        ),
        create_subscription=sent.create_subscription,
        update_product=sent.update_product,
        renew_subscription=sent.renew_subscription,
        cancel_subscription=sent.cancel_subscription,
    )


def order_out(order: Order) -> OrderOut:
    return OrderOut(
        order_number=order.number,
        order_date=order.order_date,
        created_date=order.created,
        status=order.status,
        existing_account_number=order.account_number,
        custom_fields=order.custom_fields,
        subscriptions=[
            OrderSubscriptionOut(
                subscription_number=s.subscription_number,
                base_version=s.base_version,
                new_version=s.new_version,
                custom_fields=s.custom_fields,
                order_actions=[_action_out(a) for a in s.actions],
            )
            for s in order.subscriptions
        ],
    )
