"""The Orders API: ``POST /v1/orders``, ``GET /v1/orders/{orderNumber}``,
``GET /v1/orders/subscriptionNumber/{subscriptionNumber}``.

An order names an existing account (``existingAccountNumber``), carries order-level custom
fields (``RevgateAmendmentId__c``) and, per subscription, subscription-level custom fields
(``RevgateOrderId__c``, ``RevgateOpportunityId__c``) and order actions: CreateSubscription,
UpdateProduct, RenewSubscription, CancelSubscription (see :mod:`._order_actions` and
:mod:`._amendments`). It applies entirely or not at all; a failure is Zuora's HTTP 200 with
``success: false``, codes ``531003xx``. A CreateSubscription needs the ContractEffective trigger
date; without ServiceActivation the subscription is ``Pending Activation``, without
CustomerAcceptance ``Pending Acceptance`` (the tenant requires both), and the order is then
``Pending`` rather than ``Completed``. Other actions take effect on their ContractEffective
trigger date, by default the order date.

``processingOptions.runBilling`` bills the order's subscriptions at once up to
``billingOptions.targetDate`` (default: the order date) and posts the invoices; with
``collectPayment`` too, it charges them to the account's default payment method. The answer
then lists ``invoiceNumbers`` and ``paymentNumbers``.

Reading an order back shows each action as sent, with ``orderDeltaMetrics``: ``orderDeltaMrr``
and ``orderDeltaTcb`` lines ``{orderActionId, chargeNumber, ratePlanChargeId,
productRatePlanChargeId, startDate, endDate (exclusive), grossAmount, netAmount, currency}``
(the fields of Zuora's Order Delta Metrics objects; placed on the action, a guess at a shape
Zuora gives through Data Query and order previews). The sum of an action's Tcb lines is its
prorated billing delta.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from services.sandbox.zuora._bill_runs import run_bills
from services.sandbox.zuora._callouts import Callouts
from services.sandbox.zuora._errors import Resource, not_found
from services.sandbox.zuora._order_placing import place_order
from services.sandbox.zuora._order_render import order_out
from services.sandbox.zuora._order_wire import (
    ORDER_CREATE,
    OrderAnswer,
    OrderCreate,
    OrderCreated,
    OrdersPage,
    SubscriptionResult,
)
from services.sandbox.zuora._paging import page_of
from services.sandbox.zuora._payments import collect
from services.sandbox.zuora._records import Order
from services.sandbox.zuora._store import ZuoraTenant
from services.sandbox.zuora._wire import decode, json_response


def _process(tenant: ZuoraTenant, order: Order, data: OrderCreate, callouts: Callouts) -> OrderCreated:
    """The answer to a placed order, after the billing and payment it asks for."""
    subscriptions = [tenant.subscriptions.get(s.subscription_number) for s in order.subscriptions]
    results = [SubscriptionResult(s.number, s.status) for s in subscriptions if s is not None]
    options = data.processing_options
    if options is None or not options.run_billing:
        return OrderCreated(
            order_number=order.number,
            account_number=order.account_number,
            status=order.status,
            subscriptions=results,
        )
    account = tenant.accounts.get(order.account_number)
    assert account is not None
    target = (options.billing_options.target_date if options.billing_options else None) or order.order_date
    run = run_bills(
        tenant, [account], target, post=True, subscription_numbers={r.subscription_number for r in results}
    )
    invoices = [i for iid in run.invoice_ids if (i := tenant.invoices.get(iid)) is not None]
    payments = []
    if options.collect_payment:
        payments = [
            p for i in invoices if i.balance > 0 and (p := collect(tenant, account, i, target, callouts))
        ]
    return OrderCreated(
        order_number=order.number,
        account_number=order.account_number,
        status=order.status,
        subscriptions=results,
        invoice_numbers=[i.number for i in invoices],
        payment_numbers=[p.number for p in payments] if options.collect_payment else msgspec.UNSET,
    )


class OrdersController(Controller):
    """Create orders and read them back."""

    path = "/v1/orders"

    @post("/", status_code=200)
    async def create(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[ZuoraTenant],
        callouts: NamedDependency[Callouts],
    ) -> Response[bytes]:
        data = decode(ORDER_CREATE, await request.body(), Resource.ORDER)
        order = place_order(tenant, data)
        return json_response(_process(tenant, order, data, callouts))

    @get("/{order_number:str}")
    async def retrieve(
        self, order_number: FromPath[str], tenant: NamedDependency[ZuoraTenant]
    ) -> Response[bytes]:
        order = tenant.orders.get(order_number)
        if order is None:
            raise not_found(order_number)
        return json_response(OrderAnswer(order_out(order)))

    @get("/subscriptionNumber/{subscription_number:str}")
    async def of_subscription(
        self,
        subscription_number: FromPath[str],
        request: Request[Any, Any, Any],
        tenant: NamedDependency[ZuoraTenant],
    ) -> Response[bytes]:
        orders = [
            o
            for o in tenant.orders
            if any(s.subscription_number == subscription_number for s in o.subscriptions)
        ]
        page, next_page = page_of(request, orders, Resource.ORDER)
        return json_response(OrdersPage([order_out(o) for o in page], next_page))
