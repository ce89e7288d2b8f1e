"""Bill runs: ``POST /v1/bill-runs``, ``GET /v1/bill-runs/{key}``, and the invoices they make.

A bill run bills, for each account it covers, every ``Active`` or ``Cancelled`` subscription
(pending ones are not billed yet) in advance by billing period: each period of each charge
segment whose start is on or before the target date, prorated by :mod:`._calendar` when a
segment covers only part of it, never twice. What changed in periods already billed is billed
then too: a quantity change mid-period credits the old segment's unused part and charges the
new segment's (two items), a cancellation credits what was billed past its date. A credit
waits until the target date reaches the day the service stopped. Subscriptions do not
auto-renew at term end in the sandbox: a term is renewed by a RenewSubscription order.

One invoice per account with its items; ``Posted`` (and added to the account's balance) when
``autoPost``, else ``Draft``. Its due date is the invoice date plus the account's payment term.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from services.sandbox.zuora._billing_wire import BILL_RUN_CREATE, BillRunAnswer
from services.sandbox.zuora._calendar import (
    PAYMENT_TERM_DAYS,
    PERIOD_MONTHS,
    cents,
    period_containing,
    periods,
    share,
)
from services.sandbox.zuora._errors import Category, Resource, ZuoraError, not_found
from services.sandbox.zuora._records import (
    BillRun,
    Invoice,
    InvoiceItem,
    RatePlan,
    RatePlanCharge,
    Subscription,
)
from services.sandbox.zuora._store import Account, ZuoraTenant, new_id
from services.sandbox.zuora._wire import decode, json_response

BILLED_STATUSES = frozenset({"Active", "Cancelled"})


def _charge_items(
    tenant: ZuoraTenant, subscription: Subscription, plan: RatePlan, charge: RatePlanCharge, target: dt.date
) -> list[InvoiceItem]:
    months = PERIOD_MONTHS[charge.billing_period]
    items: list[InvoiceItem] = []
    for segment in charge.segments:
        billed = tenant.billed.setdefault((charge.id, segment.segment), {})
        due = {p[0] for p in periods(charge.anchor, months, segment.start, segment.end)}
        for period_start in sorted(due | billed.keys()):
            period = period_containing(charge.anchor, months, period_start)
            start = max(segment.start, period[0])
            expected_end = max(start, min(segment.end, period[1]))
            billed_end = billed.get(period_start, start)
            if expected_end == billed_end:
                continue
            credit = expected_end < billed_end
            # A charge is due once its service starts; a credit once the service stopped.
            if (max(segment.end, segment.start) if credit else billed_end) > target:
                continue
            low, high = sorted((billed_end, expected_end))
            amount = segment.quantity * segment.price * share(low, high, period)
            items.append(
                InvoiceItem(
                    id=new_id(),
                    subscription_id=subscription.id,
                    subscription_number=subscription.number,
                    charge_id=charge.id,
                    charge_number=charge.number,
                    charge_name=charge.name,
                    product_name=plan.product_name,
                    service_start=low,
                    service_end=high,
                    quantity=segment.quantity,
                    unit_price=segment.price,
                    amount=cents(-amount if credit else amount),
                )
            )
            billed[period_start] = expected_end
    return items


def charged_through(tenant: ZuoraTenant, charge: RatePlanCharge) -> dt.date | None:
    """The end of the service billed so far for the charge (``chargedThroughDate``)."""
    ends = [
        end
        for segment in charge.segments
        for end in tenant.billed.get((charge.id, segment.segment), {}).values()
    ]
    return max(ends) if ends else None


def bill_account(
    tenant: ZuoraTenant,
    account: Account,
    target: dt.date,
    invoice_date: dt.date,
    *,
    post: bool,
    subscription_numbers: set[str] | None = None,
) -> Invoice | None:
    """Bill what is due for one account up to ``target``; None when nothing is."""
    items: list[InvoiceItem] = []
    for subscription in tenant.subscriptions:
        if subscription.account_id != account.id or subscription.status not in BILLED_STATUSES:
            continue
        if subscription_numbers is not None and subscription.number not in subscription_numbers:
            continue
        for plan in subscription.rate_plans:
            for charge in plan.charges:
                items += _charge_items(tenant, subscription, plan, charge, target)
    if not items:
        return None
    amount = sum((item.amount for item in items), Decimal(0))
    invoice = Invoice(
        id=new_id(),
        number=tenant.next_number("INV"),
        account_id=account.id,
        account_number=account.account_number,
        invoice_date=invoice_date,
        due_date=invoice_date + dt.timedelta(days=PAYMENT_TERM_DAYS.get(account.payment_term, 0)),
        amount=amount,
        balance=amount,
        status="Posted" if post else "Draft",
        currency=account.currency,
        items=items,
    )
    tenant.invoices.put(invoice)
    if post:
        account.balance += amount
    return invoice


def run_bills(
    tenant: ZuoraTenant,
    accounts: list[Account],
    target: dt.date,
    *,
    invoice_date: dt.date | None = None,
    post: bool,
    subscription_numbers: set[str] | None = None,
) -> BillRun:
    """A bill run over ``accounts``: their invoices, recorded as one completed bill run."""
    invoices = [
        invoice
        for account in accounts
        if (
            invoice := bill_account(
                tenant,
                account,
                target,
                invoice_date or target,
                post=post,
                subscription_numbers=subscription_numbers,
            )
        )
        is not None
    ]
    run = BillRun(
        id=new_id(),
        number=tenant.next_number("BR-"),
        target_date=target,
        invoice_date=invoice_date or target,
        auto_post=post,
        status="Completed",
        invoice_ids=[i.id for i in invoices],
    )
    return tenant.bill_runs.put(run)


def _answer(run: BillRun) -> BillRunAnswer:
    return BillRunAnswer(
        id=run.id,
        bill_run_number=run.number,
        status=run.status,
        target_date=run.target_date,
        invoice_date=run.invoice_date,
        auto_post=run.auto_post,
        number_of_invoices=len(run.invoice_ids),
    )


class BillRunsController(Controller):
    """Create and read bill runs (filters by account, subscription or batch)."""

    path = "/v1/bill-runs"

    @post("/", status_code=200)
    async def create(
        self, request: Request[Any, Any, Any], tenant: NamedDependency[ZuoraTenant]
    ) -> Response[bytes]:
        data = decode(BILL_RUN_CREATE, await request.body(), Resource.BILL_RUN)
        accounts = list(tenant.accounts)
        subscription_numbers: set[str] | None = None
        if data.bill_run_filters:
            wanted = {f.account_id for f in data.bill_run_filters}
            accounts = [a for a in accounts if a.id in wanted or a.account_number in wanted]
            if len(accounts) < len(wanted):
                raise ZuoraError(
                    Category.INVALID_VALUE,
                    "A bill run filter names an unknown account.",
                    resource=Resource.BILL_RUN,
                )
            by_subscription = [
                f.subscription_id for f in data.bill_run_filters if f.filter_type == "Subscription"
            ]
            if by_subscription:
                subscription_numbers = {
                    s.number for key in by_subscription if key and (s := tenant.subscription(key)) is not None
                }
        if data.batches:
            accounts = [a for a in accounts if a.batch in data.batches]
        run = run_bills(
            tenant,
            accounts,
            data.target_date,
            invoice_date=data.invoice_date,
            post=data.auto_post,
            subscription_numbers=subscription_numbers,
        )
        return json_response(_answer(run))

    @get("/{bill_run_key:str}")
    async def retrieve(
        self, bill_run_key: FromPath[str], tenant: NamedDependency[ZuoraTenant]
    ) -> Response[bytes]:
        run = tenant.bill_runs.get(bill_run_key)
        if run is None:
            raise not_found(bill_run_key)
        return json_response(_answer(run))
