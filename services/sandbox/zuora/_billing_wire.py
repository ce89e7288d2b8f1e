"""Zuora v1 JSON shapes of bill runs, invoices, payment methods, payment runs and payments.

Guesses, noted: Zuora's bill runs and payment runs are asynchronous and answer ``Pending``
first; the sandbox runs them at once and answers ``Completed``. The invoice and payment lists
carry ``currency`` (the account's), which the classic transaction lists may leave out.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

import msgspec

from services.sandbox.zuora._order_wire import RequestShape

# --- requests -------------------------------------------------------------------------------


class BillRunFilterIn(RequestShape):
    filter_type: str
    """``Account`` or ``Subscription``."""
    account_id: str
    subscription_id: str | None = None


class BillRunCreate(RequestShape):
    target_date: dt.date
    invoice_date: dt.date | None = None
    auto_post: bool = False
    bill_run_filters: list[BillRunFilterIn] = msgspec.field(default_factory=list)
    batches: list[str] = msgspec.field(default_factory=list)
    name: str | None = None
    auto_email: bool = False
    no_email_for_zero_amount_invoice: bool = False


class CardHolderIn(RequestShape):
    card_holder_name: str
    address_line1: str | None = None
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None
    country: str | None = None
    email: str | None = None


class PaymentMethodCreate(RequestShape):
    type: str
    account_key: str
    card_number: str
    card_type: str
    expiration_month: int
    expiration_year: int
    card_holder_info: CardHolderIn
    security_code: str | None = None
    make_default: bool = False


class PaymentRunCreate(RequestShape):
    target_date: dt.date | None = None
    account_id: str | None = None
    batch: str | None = None
    currency: str | None = None
    collect_payment: bool = True


BILL_RUN_CREATE: Final = msgspec.json.Decoder(BillRunCreate)
PAYMENT_METHOD_CREATE: Final = msgspec.json.Decoder(PaymentMethodCreate)
PAYMENT_RUN_CREATE: Final = msgspec.json.Decoder(PaymentRunCreate)

# --- answers --------------------------------------------------------------------------------


class BillRunAnswer(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    bill_run_number: str
    status: str
    target_date: dt.date
    invoice_date: dt.date
    auto_post: bool
    number_of_invoices: int
    success: bool = True


class InvoiceItemOut(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    subscription_name: str
    subscription_id: str
    charge_id: str
    charge_number: str
    charge_name: str
    charge_description: str
    product_name: str
    charge_amount: Decimal
    tax_amount: Decimal
    unit_price: Decimal
    quantity: Decimal
    unit_of_measure: str
    service_start_date: dt.date
    service_end_date: dt.date
    processing_type: str = "Charge"


class InvoiceOut(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    account_id: str
    account_number: str
    account_name: str
    invoice_number: str
    invoice_date: dt.date
    due_date: dt.date
    amount: Decimal
    balance: Decimal
    status: str
    currency: str
    invoice_items: list[InvoiceItemOut]


class InvoicesPage(msgspec.Struct, rename="camel", frozen=True):
    invoices: list[InvoiceOut]
    next_page: str | msgspec.UnsetType = msgspec.UNSET
    success: bool = True


class PaymentMethodCreated(msgspec.Struct, frozen=True):
    id: str
    success: bool = True


class PaymentRunAnswer(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    number: str
    status: str
    target_date: dt.date
    number_of_invoices: int
    number_of_payments: int
    number_of_errors: int
    success: bool = True


class PaidInvoiceOut(msgspec.Struct, rename="camel", frozen=True):
    invoice_id: str
    invoice_number: str
    applied_payment_amount: Decimal


class PaymentOut(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    account_id: str
    account_number: str
    payment_number: str
    amount: Decimal
    currency: str
    effective_date: dt.date
    status: str
    type: str
    payment_method_id: str
    gateway_response: str
    gateway_response_code: str
    paid_invoices: list[PaidInvoiceOut]


class PaymentsPage(msgspec.Struct, rename="camel", frozen=True):
    payments: list[PaymentOut]
    next_page: str | msgspec.UnsetType = msgspec.UNSET
    success: bool = True
