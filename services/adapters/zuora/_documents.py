"""The catalog and an account's invoices and payments, read from Zuora into quote-to-cash records.

Lists are followed through every ``nextPage``. Zuora's classic transaction lists may leave
out the currency; then the account's currency is read once and used (it is the currency of
all the account's documents). A payment's ``gateway_response`` is kept only when the payment
failed (``Error``): that is when the gateway's words matter to anyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from services.adapters._session import VendorSession
from services.adapters.zuora._calls import headers, key, pages, read
from services.adapters.zuora._document_wire import (
    INVOICES_PAGE,
    PAYMENTS_PAGE,
    PRODUCTS_PAGE,
    InvoiceRead,
    PaymentRead,
    ProductRead,
)
from services.adapters.zuora._wire import ACCOUNT_READ
from services.quote_to_cash import (
    BillingInvoice,
    BillingPayment,
    CatalogCharge,
    CatalogProduct,
    CatalogRatePlan,
)


def _product(product: ProductRead, today: dt.date) -> CatalogProduct:
    return CatalogProduct(
        sku=product.sku,
        name=product.name,
        active=product.effective_start_date <= today < product.effective_end_date,
        rate_plans=tuple(
            CatalogRatePlan(
                rate_plan_id=plan.id,
                name=plan.name,
                active=plan.status == "Active",
                charges=tuple(
                    CatalogCharge(
                        charge_id=charge.id,
                        name=charge.name,
                        billing_period=charge.billing_period or "Month",
                        list_prices={p.currency: p.price for p in charge.pricing if p.price is not None},
                    )
                    for charge in plan.product_rate_plan_charges
                ),
            )
            for plan in product.product_rate_plans
        ),
    )


async def catalog(session: VendorSession) -> list[CatalogProduct]:
    today = dt.date.today()
    return [
        _product(product, today)
        async for product in pages(
            session,
            "/v1/catalog/products",
            PRODUCTS_PAGE,
            lambda page: page.products,
            params={"pageSize": 40},
        )
    ]


async def _fallback_currency(
    session: VendorSession, account_number: str, currencies: Iterable[str | None]
) -> str:
    """The account's currency, read once, when a document leaves its own out; else ``""``."""
    if all(currency is not None for currency in currencies):
        return ""
    response = await session.request("GET", f"/v1/accounts/{key(account_number)}", headers=headers())
    return read(ACCOUNT_READ, response, "account").billing_and_payment.currency


async def invoices(session: VendorSession, account_number: str) -> list[BillingInvoice]:
    found: list[InvoiceRead] = [
        invoice
        async for invoice in pages(
            session,
            f"/v1/transactions/invoices/accounts/{key(account_number)}",
            INVOICES_PAGE,
            lambda page: page.invoices,
        )
    ]
    fallback = await _fallback_currency(session, account_number, (i.currency for i in found))
    return [
        BillingInvoice(
            invoice_number=invoice.invoice_number,
            invoice_id=invoice.id,
            invoice_date=invoice.invoice_date,
            due_date=invoice.due_date,
            amount=invoice.amount,
            balance=invoice.balance,
            status=invoice.status,
            currency=invoice.currency or fallback,
            subscription_numbers=tuple(
                dict.fromkeys(
                    item.subscription_name for item in invoice.invoice_items if item.subscription_name
                )
            ),
        )
        for invoice in found
    ]


async def payments(session: VendorSession, account_number: str) -> list[BillingPayment]:
    found: list[PaymentRead] = [
        payment
        async for payment in pages(
            session,
            f"/v1/transactions/payments/accounts/{key(account_number)}",
            PAYMENTS_PAGE,
            lambda page: page.payments,
        )
    ]
    fallback = await _fallback_currency(session, account_number, (p.currency for p in found))
    return [
        BillingPayment(
            payment_number=payment.payment_number,
            payment_id=payment.id,
            amount=payment.amount,
            status=payment.status,
            effective_date=payment.effective_date,
            currency=payment.currency or fallback,
            invoice_numbers=tuple(paid.invoice_number for paid in payment.paid_invoices),
            gateway_response=payment.gateway_response if payment.status == "Error" else None,
        )
        for payment in found
    ]
