"""``customerPayment``: what a customer pays, applied to its invoices.

A payment's ``apply`` lines (``{doc: {id}, apply: true, amount}``) lower the invoices'
``amountRemaining``; at zero an invoice is ``Paid In Full``. Each line is shown with the
invoice's number (``refNum``), ``total`` and what was ``due`` before this payment; a line without
``amount`` applies what is due, as far as the payment goes. ``applied`` and ``unapplied`` are
computed; ``status`` is ``Not Deposited`` (the payment waits in undeposited funds).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import msgspec
from msgspec import UNSET, UnsetType

from services.sandbox.netsuite._errors import user_error
from services.sandbox.netsuite._model import RecordType, Ref, Sublist, set_fields, value
from services.sandbox.netsuite._orders import CENT, defaults_from_customer, next_tran_id
from services.sandbox.netsuite._store import RecordStore

PAYMENT_STATUSES: Final = {"Not Deposited": "Not Deposited", "Deposited": "Deposited"}


class ApplyLine(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    doc: Ref | UnsetType = UNSET
    apply: bool | UnsetType = UNSET
    amount: float | UnsetType = UNSET
    ref_num: str | UnsetType = UNSET
    type: str | UnsetType = UNSET
    total: float | UnsetType = UNSET
    due: float | UnsetType = UNSET
    apply_date: dt.date | UnsetType = UNSET


class CustomerPayment(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    id: str | UnsetType = UNSET
    tran_id: str | UnsetType = UNSET
    external_id: str | UnsetType = UNSET
    customer: Ref | UnsetType = UNSET
    subsidiary: Ref | UnsetType = UNSET
    currency: Ref | UnsetType = UNSET
    tran_date: dt.date | UnsetType = UNSET
    payment: float | UnsetType = UNSET
    applied: float | UnsetType = UNSET
    unapplied: float | UnsetType = UNSET
    memo: str | UnsetType = UNSET
    status: Ref | UnsetType = UNSET
    apply: Sublist[ApplyLine] | UnsetType = UNSET
    date_created: str | UnsetType = UNSET
    last_modified_date: str | UnsetType = UNSET


def paid_on(store: RecordStore, invoice_id: str, *, excluding: str | None = None) -> float:
    """What the payments (but ``excluding``) apply to an invoice."""
    paid = 0.0
    for payment_id, payment in store.items("customerPayment"):
        if payment_id == excluding:
            continue
        for line in applications(payment):
            if str(line.doc.id) == invoice_id:
                paid += line.amount
    return round(paid, 2)


def applications(payment: Any) -> list[Any]:
    """The lines that apply an amount to an invoice."""
    lines = [] if payment.apply is UNSET else payment.apply.items
    return [
        line for line in lines if line.apply is True and line.doc is not UNSET and line.amount is not UNSET
    ]


def _derive_payment(store: RecordStore, record: CustomerPayment, previous: Any, record_id: str) -> Any:
    record = defaults_from_customer(store, record, record.customer, ("subsidiary", "currency"))
    left = record.payment if record.payment is not UNSET else 0.0
    lines: list[Any] = []
    line: Any
    for line in [] if record.apply is UNSET else record.apply.items:
        invoice = store.find("invoice", str(line.doc.id)) if line.doc is not UNSET else None
        if invoice is not None:
            total = value(invoice[1], "total")
            due = round(total - paid_on(store, invoice[0], excluding=record_id), 2)
            line = set_fields(line, refNum=value(invoice[1], "tranId"), type="Invoice", total=total, due=due)
            if line.apply is UNSET:
                line = set_fields(line, apply=True)
            if line.amount is UNSET and line.apply:
                line = set_fields(line, amount=round(max(0.0, min(due, left)), 2))
        if line.apply is True and line.amount is not UNSET:
            left = round(left - line.amount, 2)
        lines.append(set_fields(line, applyDate=record.tran_date))
    applied = round(
        sum(line.amount for line in applications(set_fields(record, apply=Sublist(items=lines)))), 2
    )
    payment = record.payment if record.payment is not UNSET else 0.0
    return set_fields(
        record,
        apply=Sublist(items=lines),
        applied=applied,
        unapplied=round(payment - applied, 2),
        status=record.status if record.status is not UNSET else Ref(id="Not Deposited"),
    )


def _payment_applies(store: RecordStore, record: Any, previous: Any) -> None:
    if record.payment is UNSET or record.payment <= 0:
        raise user_error("The payment amount must be greater than zero.", "payment")
    lines = [] if record.apply is UNSET else record.apply.items
    for index, line in enumerate(lines):
        path = f"apply.items[{index}]"
        if line.doc is UNSET:
            raise user_error("Please enter value(s) for: Applied To.", f"{path}.doc")
        invoice = store.get("invoice", str(line.doc.id))[1]
        if value(invoice, "entity") != record.customer:
            raise user_error(f"Invoice {line.ref_num} is not an invoice of this customer.", f"{path}.doc")
        if value(invoice, "currency") != record.currency:
            raise user_error(f"Invoice {line.ref_num} is in another currency.", f"{path}.doc")
        if line.apply is True and (
            line.amount is UNSET or line.amount <= 0 or line.amount - line.due >= CENT
        ):
            raise user_error(
                f"The amount applied to invoice {line.ref_num} must be more than zero and at most "
                f"{line.due:.2f}, the amount due.",
                f"{path}.amount",
            )
    if record.applied - record.payment >= CENT:
        raise user_error(f"The total applied, {record.applied:.2f}, is more than the payment.", "apply")


def _payment_links(store: RecordStore, record: Any) -> list[tuple[str, str]]:
    return [("invoice", str(line.doc.id)) for line in applications(record)]


CUSTOMER_PAYMENT: Final = RecordType(
    name="customerPayment",
    model=CustomerPayment,
    labels={"customer": "Customer", "payment": "Payment Amount"},
    required=("customer", "payment"),
    references={
        "customer": "customer",
        "subsidiary": "subsidiary",
        "currency": "currency",
        "status": PAYMENT_STATUSES,
    },
    sublists={"apply": {"doc": "invoice"}},
    read_only=frozenset({"id", "dateCreated", "lastModifiedDate", "applied", "unapplied"}),
    unique=("externalId", "tranId"),
    immutable={"customer": "You cannot change the customer of a payment."},
    name_field="tranId",
    name_format="Payment #{}",
    rules=(_payment_applies,),
    defaults=lambda store, record_id: {"tran_id": next_tran_id(store, "customerPayment", "PYMT")},
    derive=_derive_payment,
    links=_payment_links,
    id_group="transaction",
)
