"""Matches Zuora's invoices and payments with NetSuite's, and says where they disagree.

Zuora makes the invoices and collects the payments; NetSuite books them, keeping Zuora's invoice
and payment numbers as external ids. An invoice is ``matched`` when both have it with the same
total and the same open balance; otherwise the answer says which of ``missing-in-erp``,
``missing-in-billing``, ``amount-differs`` or ``balance-differs`` it is, and lists it under
``discrepancies``. Draft and cancelled Zuora invoices are not expected in NetSuite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Final, Literal

from contracts.billing_status import v1
from contracts.common import Money
from services.quote_to_cash import BillingInvoice, BillingPayment, ErpInvoice, ErpPayment
from services.workflow import utcnow

_PAYMENT_STATES: Final[dict[str, Literal["processing", "processed", "failed", "voided"]]] = {
    "Processing": "processing",
    "Processed": "processed",
    "Error": "failed",
    "Voided": "voided",
}
_BOOKED: Final = frozenset({"Posted"})


class Documents:
    """What the two systems hold for a customer (or one order of theirs)."""

    def __init__(
        self,
        invoices: Iterable[BillingInvoice],
        payments: Iterable[BillingPayment],
        erp_invoices: Iterable[ErpInvoice],
        erp_payments: Iterable[ErpPayment],
    ) -> None:
        self.invoices = list(invoices)
        self.payments = list(payments)
        self.erp_invoices = list(erp_invoices)
        self.erp_payments = list(erp_payments)

    def for_order(self, subscription_numbers: set[str], erp_order_ids: set[str]) -> Documents:
        """Only what bills the order's subscription, or (in NetSuite) was made from its sales orders."""
        invoices = [i for i in self.invoices if subscription_numbers & set(i.subscription_numbers)]
        numbers = {i.invoice_number for i in invoices}
        erp = [e for e in self.erp_invoices if e.external_id in numbers or e.created_from in erp_order_ids]
        payments = [p for p in self.payments if numbers & set(p.invoice_numbers)]
        paid = {p.payment_number for p in payments}
        return Documents(invoices, payments, erp, [p for p in self.erp_payments if p.external_id in paid])


def status(customer_id: str, currency: str, docs: Documents, today: dt.date) -> v1.BillingStatus:
    """The billing status of ``docs``, reconciled."""

    def money(amount: Decimal) -> Money:
        return Money(amount=f"{amount:.2f}", currency=currency)

    erp_by_number = {e.external_id: e for e in docs.erp_invoices if e.external_id}
    invoices: list[v1.Invoice] = []
    discrepancies: list[v1.Discrepancy] = []
    for invoice in sorted(docs.invoices, key=lambda i: (i.invoice_date, i.invoice_number)):
        erp = erp_by_number.pop(invoice.invoice_number, None)
        state = _reconcile(invoice, erp)
        if state != "matched":
            discrepancies.append(
                v1.Discrepancy(
                    kind=state, document=invoice.invoice_number, detail=_detail(state, invoice, erp)
                )
            )
        invoices.append(
            v1.Invoice(
                invoice_number=invoice.invoice_number,
                reconciliation=state,
                invoice_date=invoice.invoice_date,
                due_date=invoice.due_date,
                amount=money(invoice.amount),
                balance=money(invoice.balance),
                status=invoice.status,
                subscription_numbers=invoice.subscription_numbers,
                erp=_erp_view(erp),
                overdue=invoice.balance > 0 and invoice.due_date < today,
            )
        )
    unknown = [*erp_by_number.values(), *(e for e in docs.erp_invoices if not e.external_id)]
    for erp in unknown:
        invoices.append(
            v1.Invoice(
                invoice_number=erp.external_id or erp.tran_id,
                reconciliation="missing-in-billing",
                erp=_erp_view(erp),
            )
        )
        discrepancies.append(
            v1.Discrepancy(
                kind="missing-in-billing",
                document=erp.tran_id,
                detail=f"NetSuite invoice {erp.tran_id} ({erp.total} {erp.currency}) has no Zuora invoice",
            )
        )
    erp_payment_ids = {p.external_id: p.tran_id for p in docs.erp_payments if p.external_id}
    payments = [
        v1.Payment(
            payment_number=p.payment_number,
            amount=money(p.amount),
            status=_PAYMENT_STATES.get(p.status, "processing"),
            effective_date=p.effective_date,
            invoice_numbers=p.invoice_numbers,
            failure_reason=p.gateway_response if p.status == "Error" else None,
            erp_payment_id=erp_payment_ids.get(p.payment_number),
        )
        for p in sorted(docs.payments, key=lambda p: (p.effective_date, p.payment_number))
    ]
    balance = sum((i.balance for i in docs.invoices if i.status in _BOOKED), Decimal(0))
    erp_balance = sum((e.amount_remaining for e in docs.erp_invoices), Decimal(0))
    return v1.BillingStatus(
        customer_id=customer_id,
        currency=currency,
        balance=money(balance),
        erp_balance=money(erp_balance),
        invoices=tuple(invoices),
        payments=tuple(payments),
        payment_failures=tuple(failures(payments, {i.invoice_number: i.balance for i in docs.invoices})),
        discrepancies=tuple(discrepancies),
        reconciled=not discrepancies and balance == erp_balance,
        as_of=utcnow(),
    )


def failures(payments: list[v1.Payment], balances: dict[str, Decimal]) -> list[v1.Payment]:
    """Failed payments whose invoices are still open, and not paid by a later payment.

    ``payments`` in the order they were made (effective date, then number): a payment that went
    through before the failure does not settle it."""
    found = []
    for index, failed in enumerate(payments):
        if failed.status != "failed":
            continue
        paid_later = {n for p in payments[index + 1 :] if p.status == "processed" for n in p.invoice_numbers}
        if any(balances.get(n, Decimal(0)) > 0 and n not in paid_later for n in failed.invoice_numbers):
            found.append(failed)
    return found


def _reconcile(invoice: BillingInvoice, erp: ErpInvoice | None) -> v1.Reconciliation:
    if erp is None:
        return "missing-in-erp" if invoice.status in _BOOKED else "matched"
    if erp.total != invoice.amount:
        return "amount-differs"
    if erp.amount_remaining != invoice.balance:
        return "balance-differs"
    return "matched"


def _detail(state: str, invoice: BillingInvoice, erp: ErpInvoice | None) -> str:
    if erp is None:
        return (
            f"Zuora invoice {invoice.invoice_number} ({invoice.amount} {invoice.currency}) is not in NetSuite"
        )
    if state == "amount-differs":
        return f"Zuora says {invoice.amount}, NetSuite invoice {erp.tran_id} says {erp.total}"
    return f"Open balance: Zuora {invoice.balance}, NetSuite invoice {erp.tran_id} {erp.amount_remaining}"


def _erp_view(erp: ErpInvoice | None) -> v1.ErpInvoiceView | None:
    if erp is None:
        return None
    return v1.ErpInvoiceView(
        tran_id=erp.tran_id,
        total=Money(amount=f"{erp.total:.2f}", currency=erp.currency),
        amount_remaining=Money(amount=f"{erp.amount_remaining:.2f}", currency=erp.currency),
        status=erp.status,
    )
