"""billing-status v1: invoices, payments, balance and payment failures, reconciled across systems.

Read from Zuora (where invoices are made and payments collected) and NetSuite (where they are
booked). Each invoice and payment says whether the two agree; ``discrepancies`` lists every
disagreement, so a status is also a reconciliation.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from contracts._base import Model
from contracts.common import CurrencyCode, CustomerId, Money

Reconciliation = Literal[
    "matched", "missing-in-erp", "missing-in-billing", "amount-differs", "balance-differs"
]


class ErpInvoiceView(Model):
    """The invoice as NetSuite books it."""

    tran_id: str
    total: Money
    amount_remaining: Money
    status: str


class Invoice(Model):
    """An invoice, from Zuora, with its NetSuite booking."""

    invoice_number: str
    """Zuora's invoice number; NetSuite keeps it as the invoice's external id."""
    reconciliation: Reconciliation
    invoice_date: dt.date | None = None
    due_date: dt.date | None = None
    amount: Money | None = None
    balance: Money | None = None
    status: str | None = None
    subscription_numbers: tuple[str, ...] = ()
    erp: ErpInvoiceView | None = None
    overdue: bool = False


class Payment(Model):
    """A payment collected (or attempted) by Zuora."""

    payment_number: str
    amount: Money
    status: Literal["processing", "processed", "failed", "voided"]
    effective_date: dt.date
    invoice_numbers: tuple[str, ...] = ()
    failure_reason: str | None = None
    """The payment gateway's words when it was declined."""
    erp_payment_id: str | None = None
    """The NetSuite customer payment's document number, once booked."""


class Discrepancy(Model):
    """One disagreement between Zuora and NetSuite."""

    kind: Reconciliation
    document: str
    """Invoice number (or NetSuite tranId for what Zuora does not know)."""
    detail: str


class BillingStatus(Model):
    """The billing state of a customer, or of one order of theirs."""

    customer_id: CustomerId
    currency: CurrencyCode
    balance: Money
    """What the customer owes, per Zuora."""
    erp_balance: Money
    """What the customer owes, per NetSuite."""
    invoices: tuple[Invoice, ...]
    payments: tuple[Payment, ...]
    payment_failures: tuple[Payment, ...]
    """Failed payments not followed by a successful one for the same invoices."""
    discrepancies: tuple[Discrepancy, ...]
    reconciled: bool
    """True when Zuora and NetSuite agree on every document and on the balance."""
    as_of: dt.datetime
    order_id: str | None = None
    subscription_numbers: tuple[str, ...] = ()
