"""Subscriptions and amendments of :class:`services.quote_to_cash.SubscriptionOrders` over Zuora's Orders API.

Exactly once, beyond Zuora's 24-hour ``Idempotency-Key`` window: before placing an order the
adapter looks for what an earlier attempt made — the account's subscription whose
``RevgateOrderId__c`` is the order ref, the subscription's order whose ``RevgateAmendmentId__c``
is the amendment ref — and answers that. Otherwise it posts the order with the key
``revgate-order-<ref>`` / ``revgate-amendment-<ref>``, so that a retry within the window gets
the first answer. If Zuora says the key is still in use by a request in progress (409) or was
used for another body (422, e.g. a retry on another day: ``orderDate`` is the day the order is
placed), the adapter looks again: what it finds is the answer; otherwise a 409 is
``Unavailable`` (transient: retry later) and a 422 stays ``Rejected``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from services.adapters._session import VendorSession
from services.adapters.errors import Conflict, NotFound, Rejected, Unavailable, VendorError
from services.adapters.zuora._calls import body, headers, key, pages, read
from services.adapters.zuora._errors import SYSTEM
from services.adapters.zuora._order_mapping import amendment_body, creation_body, to_subscription
from services.adapters.zuora._order_wire import (
    AMENDMENT_REF_FIELD,
    ORDER_ANSWER,
    ORDER_CREATED,
    ORDERS_PAGE,
    SUBSCRIPTION_READ,
    SUBSCRIPTIONS_PAGE,
    OrderBody,
    OrderCreated,
    OrderRead,
)
from services.quote_to_cash import AmendmentOutcome, NewSubscription, Subscription, SubscriptionAmendment


async def subscription(session: VendorSession, number: str) -> Subscription | None:
    try:
        response = await session.request("GET", f"/v1/subscriptions/{key(number)}", headers=headers())
    except NotFound:
        return None
    return to_subscription(read(SUBSCRIPTION_READ, response, "subscription"))


async def _made_for_order(session: VendorSession, account_number: str, order_ref: str) -> Subscription | None:
    """The account's subscription made for revgate's order ``order_ref``, if there is one."""
    async for found in pages(
        session,
        f"/v1/subscriptions/accounts/{key(account_number)}",
        SUBSCRIPTIONS_PAGE,
        lambda page: page.subscriptions,
    ):
        if found.order_ref == order_ref:
            return to_subscription(found)
    return None


async def _order_for_amendment(session: VendorSession, number: str, amendment_ref: str) -> OrderRead | None:
    async for order in pages(
        session,
        f"/v1/orders/subscriptionNumber/{key(number)}",
        ORDERS_PAGE,
        lambda page: page.orders,
    ):
        if order.custom_fields.get(AMENDMENT_REF_FIELD) == amendment_ref:
            return order
    return None


def _key_in_use(error: VendorError) -> bool:
    """Zuora refused the Idempotency-Key: in progress (409) or used for another request (422)."""
    return (isinstance(error, Conflict) and error.status == 409) or (
        isinstance(error, Rejected) and error.status == 422
    )


def _unsettled(error: VendorError) -> VendorError:
    if error.status == 409:
        message = "an order with the same idempotency key is still in progress; try again later"
        return Unavailable(SYSTEM, message, reasons=error.reasons, status=error.status)
    return error


async def _place(session: VendorSession, order: OrderBody, idempotency_key: str) -> OrderCreated:
    """POST the order. Resent safely on outages thanks to the key."""
    response = await session.request(
        "POST",
        "/v1/orders",
        json=body(order),
        headers=headers(**{"Idempotency-Key": idempotency_key}),
        idempotent=True,
    )
    return read(ORDER_CREATED, response, "order")


async def create_subscription(session: VendorSession, new: NewSubscription) -> Subscription:
    found = await _made_for_order(session, new.account_number, new.order_ref)
    if found is not None:
        return found
    order = creation_body(new, dt.date.today())
    try:
        created = await _place(session, order, f"revgate-order-{new.order_ref}")
    except (Conflict, Rejected) as exc:
        if not _key_in_use(exc):
            raise
        if (found := await _made_for_order(session, new.account_number, new.order_ref)) is not None:
            return found
        raise _unsettled(exc) from exc
    made = (
        await subscription(session, created.subscriptions[0].subscription_number)
        if created.subscriptions
        else None
    )
    if made is None:
        raise Unavailable(SYSTEM, f"order {created.order_number} answered no readable subscription")
    return made


async def _outcome(session: VendorSession, order: OrderRead, number: str) -> AmendmentOutcome:
    after = await subscription(session, number)
    if after is None:
        raise NotFound(SYSTEM, f"subscription {number} vanished after order {order.order_number}")
    prorated = sum(
        (
            metric.gross_amount
            for changed in order.subscriptions
            if changed.subscription_number == number
            for action in changed.order_actions
            if action.order_delta_metrics is not None
            for metric in action.order_delta_metrics.order_delta_tcb
        ),
        Decimal(0),
    )
    return AmendmentOutcome(order_number=order.order_number, subscription=after, prorated_amount=prorated)


async def amend(session: VendorSession, amendment: SubscriptionAmendment) -> AmendmentOutcome:
    number = amendment.subscription_number
    done = await _order_for_amendment(session, number, amendment.amendment_ref)
    if done is not None:
        return await _outcome(session, done, number)
    current = await subscription(session, number)
    if current is None:
        raise NotFound(SYSTEM, f"subscription {number} does not exist")
    order = amendment_body(amendment, current.account_number, dt.date.today())
    try:
        created = await _place(session, order, f"revgate-amendment-{amendment.amendment_ref}")
    except (Conflict, Rejected) as exc:
        if not _key_in_use(exc):
            raise
        if (done := await _order_for_amendment(session, number, amendment.amendment_ref)) is not None:
            return await _outcome(session, done, number)
        raise _unsettled(exc) from exc
    response = await session.request("GET", f"/v1/orders/{key(created.order_number)}", headers=headers())
    return await _outcome(session, read(ORDER_ANSWER, response, "order").order, number)
