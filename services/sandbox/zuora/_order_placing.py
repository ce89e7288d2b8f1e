"""Placing an order: validate it and apply its actions to the tenant, all or nothing.

The subscriptions an order touches are copied into drafts (an existing one as its next
version, with a new id); the actions change the drafts; only when every action succeeded are
the drafts put in place of the current versions (kept by id as earlier versions) and the order
recorded. A refused order changes nothing and gives back the numbers it drew.
"""

from __future__ import annotations

import copy
import datetime as dt

from services.sandbox.zuora import _amendments
from services.sandbox.zuora._errors import Category, Resource, ZuoraError
from services.sandbox.zuora._order_actions import (
    TRIGGERS,
    Change,
    create_subscription,
    invalid,
    metrics,
    missing,
)
from services.sandbox.zuora._order_wire import OrderActionIn, OrderCreate
from services.sandbox.zuora._records import Order, OrderActionRecord, OrderSubscriptionRecord, Subscription
from services.sandbox.zuora._store import (
    ORDER_CUSTOM_FIELDS,
    SUBSCRIPTION_CUSTOM_FIELDS,
    Account,
    ZuoraTenant,
    new_id,
)


def _check_custom_fields(fields: dict[str, str | None], defined: frozenset[str], where: str) -> None:
    for name in fields:
        if name not in defined:
            raise ZuoraError(
                Category.UNKNOWN_FIELD,
                f"Field '{where}customFields.{name}' is not recognized.",
                resource=Resource.ORDER,
            )


def _triggers(action: OrderActionIn) -> dict[str, dt.date]:
    for trigger in action.trigger_dates:
        if trigger.name not in TRIGGERS:
            raise invalid(f"Invalid value for field 'triggerDates.name': '{trigger.name}'.")
    return {t.name: t.trigger_date for t in action.trigger_dates}


def _amend(
    subscription: Subscription, action: OrderActionIn, effective: dt.date, order_date: dt.date
) -> list[Change]:
    if action.type == "UpdateProduct":
        if action.update_product is None:
            raise missing("updateProduct")
        return _amendments.update_product(subscription, action.update_product, effective)
    if action.type == "RenewSubscription":
        return _amendments.renew(subscription)
    if action.type == "CancelSubscription":
        if action.cancel_subscription is None:
            raise missing("cancelSubscription")
        return _amendments.cancel(subscription, action.cancel_subscription, order_date)
    raise invalid(
        f"Invalid value for field 'type': '{action.type}' is not an order action the sandbox knows."
    )


class _Work:
    """The subscriptions an order changes: each current version and its draft next version."""

    def __init__(self, tenant: ZuoraTenant, account: Account) -> None:
        self.tenant = tenant
        self.account = account
        self.drafts: dict[str, tuple[Subscription | None, Subscription]] = {}

    def existing(self, number: str) -> Subscription:
        if number in self.drafts:
            return self.drafts[number][1]
        current = self.tenant.subscriptions.get(number)
        if current is None or current.account_id != self.account.id:
            raise invalid(
                f"Invalid value for field 'subscriptionNumber': '{number}' is not a subscription "
                f"of account {self.account.account_number}."
            )
        draft = copy.deepcopy(current)
        draft.id, draft.version = new_id(), current.version + 1
        self.drafts[number] = (current, draft)
        return draft

    def commit(self) -> list[Subscription]:
        for current, draft in self.drafts.values():
            if current is not None:
                self.tenant.subscriptions.remove(current.id)
                self.tenant.subscription_versions[current.id] = current
            self.tenant.subscriptions.put(draft)
        return [draft for _, draft in self.drafts.values()]


def _place(tenant: ZuoraTenant, account: Account, data: OrderCreate) -> Order:
    number = tenant.next_number("O-")
    work = _Work(tenant, account)
    records: list[OrderSubscriptionRecord] = []
    sequence = 0
    for index, wanted in enumerate(data.subscriptions):
        _check_custom_fields(wanted.custom_fields, SUBSCRIPTION_CUSTOM_FIELDS, f"subscriptions[{index}].")
        if not wanted.order_actions:
            raise missing(f"subscriptions[{index}].orderActions")
        draft = None if wanted.subscription_number is None else work.existing(wanted.subscription_number)
        base_version = None if draft is None else draft.version - 1
        actions: list[OrderActionRecord] = []
        for action in wanted.order_actions:
            sequence += 1
            triggers = _triggers(action)
            if action.type == "CreateSubscription":
                if draft is not None:
                    raise invalid("A CreateSubscription action cannot act on an existing subscription.")
                if action.create_subscription is None:
                    raise missing("createSubscription")
                draft, changes = create_subscription(tenant, account, action.create_subscription, triggers)
                draft.order_number = number
                work.drafts[draft.number] = (None, draft)
            elif draft is None:
                raise missing(f"subscriptions[{index}].subscriptionNumber")
            else:
                effective = triggers.get("ContractEffective", data.order_date)
                changes = _amend(draft, action, effective, data.order_date)
            mrr, tcb = metrics(changes, draft.currency)
            actions.append(
                OrderActionRecord(
                    id=new_id(),
                    sequence=sequence,
                    type=action.type,
                    trigger_dates=triggers,
                    request=action,
                    delta_mrr=mrr,
                    delta_tcb=tcb,
                )
            )
        assert draft is not None
        draft.custom_fields.update(wanted.custom_fields)
        records.append(
            OrderSubscriptionRecord(
                subscription_number=draft.number,
                base_version=base_version,
                new_version=draft.version,
                custom_fields=dict(wanted.custom_fields),
                actions=actions,
            )
        )
    changed = work.commit()
    pending = any(s.status.startswith("Pending") for s in changed)
    order = Order(
        id=new_id(),
        number=number,
        order_date=data.order_date,
        account_number=account.account_number,
        status="Pending" if pending else "Completed",
        custom_fields=dict(data.custom_fields),
        subscriptions=records,
        created=dt.datetime.now(dt.UTC),
    )
    return tenant.orders.put(order)


def place_order(tenant: ZuoraTenant, data: OrderCreate) -> Order:
    """Validate and apply an order, all or nothing (numbers drawn by a refused order are given back)."""
    if data.existing_account_number is None:
        raise missing("existingAccountNumber")
    account = tenant.accounts.get(data.existing_account_number)
    if account is None:
        key = data.existing_account_number
        raise invalid(f"Invalid value for field 'existingAccountNumber': account '{key}' does not exist.")
    _check_custom_fields(data.custom_fields, ORDER_CUSTOM_FIELDS, "")
    if not data.subscriptions:
        raise missing("subscriptions")
    drawn = {prefix: sequence.last for prefix, sequence in tenant.sequences.items()}
    try:
        return _place(tenant, account, data)
    except ZuoraError:
        for prefix, last in drawn.items():
            tenant.sequences[prefix].last = last
        raise
