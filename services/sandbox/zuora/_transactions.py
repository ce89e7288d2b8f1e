"""An account's billing documents: ``GET /v1/transactions/{invoices|payments}/accounts/{account-key}``.

Both list oldest first, 20 a page by default (``page``, ``pageSize`` up to 40, ``nextPage``).
An unknown account key is Zuora's not found (HTTP 200, category 40). Invoice items show an
inclusive ``serviceEndDate`` (the last day served), as Zuora does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from services.sandbox.zuora._billing_wire import (
    InvoiceItemOut,
    InvoiceOut,
    InvoicesPage,
    PaidInvoiceOut,
    PaymentOut,
    PaymentsPage,
)
from services.sandbox.zuora._errors import Resource, not_found
from services.sandbox.zuora._paging import page_of
from services.sandbox.zuora._records import Invoice, Payment
from services.sandbox.zuora._store import Account, ZuoraTenant
from services.sandbox.zuora._wire import json_response


def _account(tenant: ZuoraTenant, key: str) -> Account:
    account = tenant.accounts.get(key)
    if account is None:
        raise not_found(key)
    return account


def invoice_out(invoice: Invoice, account: Account) -> InvoiceOut:
    return InvoiceOut(
        id=invoice.id,
        account_id=invoice.account_id,
        account_number=invoice.account_number,
        account_name=account.name,
        invoice_number=invoice.number,
        invoice_date=invoice.invoice_date,
        due_date=invoice.due_date,
        amount=invoice.amount,
        balance=invoice.balance,
        status=invoice.status,
        currency=invoice.currency,
        invoice_items=[
            InvoiceItemOut(
                id=item.id,
                subscription_name=item.subscription_number,
                subscription_id=item.subscription_id,
                charge_id=item.charge_id,
                charge_number=item.charge_number,
                charge_name=item.charge_name,
                charge_description="",
                product_name=item.product_name,
                charge_amount=item.amount,
                tax_amount=Decimal(0),
                unit_price=item.unit_price,
                quantity=item.quantity,
                unit_of_measure="Seat",
                service_start_date=item.service_start,
                service_end_date=item.service_end - dt.timedelta(days=1),
            )
            for item in invoice.items
        ],
    )


def payment_out(payment: Payment) -> PaymentOut:
    return PaymentOut(
        id=payment.id,
        account_id=payment.account_id,
        account_number=payment.account_number,
        payment_number=payment.number,
        amount=payment.amount,
        currency=payment.currency,
        effective_date=payment.effective_date,
        status=payment.status,
        type=payment.type,
        payment_method_id=payment.payment_method_id,
        gateway_response=payment.gateway_response,
        gateway_response_code=payment.gateway_response_code,
        paid_invoices=[
            PaidInvoiceOut(a.invoice_id, a.invoice_number, a.amount) for a in payment.applications
        ],
    )


class TransactionsController(Controller):
    """Invoices and payments of one account."""

    path = "/v1/transactions"

    @get("/invoices/accounts/{account_key:str}")
    async def invoices(
        self,
        account_key: FromPath[str],
        request: Request[Any, Any, Any],
        tenant: NamedDependency[ZuoraTenant],
    ) -> Response[bytes]:
        account = _account(tenant, account_key)
        invoices = [i for i in tenant.invoices if i.account_id == account.id]
        page, next_page = page_of(request, invoices, Resource.INVOICE)
        return json_response(InvoicesPage([invoice_out(i, account) for i in page], next_page))

    @get("/payments/accounts/{account_key:str}")
    async def payments(
        self,
        account_key: FromPath[str],
        request: Request[Any, Any, Any],
        tenant: NamedDependency[ZuoraTenant],
    ) -> Response[bytes]:
        account = _account(tenant, account_key)
        payments = [p for p in tenant.payments if p.account_id == account.id]
        page, next_page = page_of(request, payments, Resource.PAYMENT)
        return json_response(PaymentsPage([payment_out(p) for p in page], next_page))
