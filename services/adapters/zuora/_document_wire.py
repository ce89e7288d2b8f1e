"""Zuora's catalog, invoice and payment lists as the adapter reads them; decoders built once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

import msgspec


class PriceRead(msgspec.Struct, rename="camel", frozen=True):
    currency: str
    price: Decimal | None = None


class CatalogChargeRead(msgspec.Struct, rename="camel", frozen=True):
    id: str
    name: str
    billing_period: str | None = None
    pricing: list[PriceRead] = msgspec.field(default_factory=list)


class CatalogRatePlanRead(msgspec.Struct, rename="camel", frozen=True):
    id: str
    name: str
    status: str = "Active"
    product_rate_plan_charges: list[CatalogChargeRead] = msgspec.field(default_factory=list)


class ProductRead(msgspec.Struct, rename="camel", frozen=True):
    sku: str
    name: str
    effective_start_date: dt.date
    effective_end_date: dt.date
    product_rate_plans: list[CatalogRatePlanRead] = msgspec.field(default_factory=list)


class ProductsPage(msgspec.Struct, rename="camel", frozen=True):
    products: list[ProductRead] = msgspec.field(default_factory=list)
    next_page: str | None = None


class InvoiceItemRead(msgspec.Struct, rename="camel", frozen=True):
    subscription_name: str | None = None


class InvoiceRead(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    invoice_number: str
    invoice_date: dt.date
    due_date: dt.date
    amount: Decimal
    balance: Decimal
    status: str
    currency: str | None = None
    invoice_items: list[InvoiceItemRead] = msgspec.field(default_factory=list)


class InvoicesPage(msgspec.Struct, rename="camel", frozen=True):
    invoices: list[InvoiceRead] = msgspec.field(default_factory=list)
    next_page: str | None = None


class PaidInvoiceRead(msgspec.Struct, rename="camel", frozen=True):
    invoice_number: str


class PaymentRead(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    payment_number: str
    amount: Decimal
    effective_date: dt.date
    status: str
    currency: str | None = None
    gateway_response: str | None = None
    paid_invoices: list[PaidInvoiceRead] = msgspec.field(default_factory=list)


class PaymentsPage(msgspec.Struct, rename="camel", frozen=True):
    payments: list[PaymentRead] = msgspec.field(default_factory=list)
    next_page: str | None = None


PRODUCTS_PAGE: Final = msgspec.json.Decoder(ProductsPage)
INVOICES_PAGE: Final = msgspec.json.Decoder(InvoicesPage)
PAYMENTS_PAGE: Final = msgspec.json.Decoder(PaymentsPage)
