"""``invoice``: what a sales order bills, made by ``POST /salesOrder/{id}/!transform/invoice``.

The invoice is created from the order (``createdFrom``) and bills, per order line
(``orderLine``), the amount still open on it. A transform body may set the invoice's fields
(``externalId``, ``tranDate``, ``memo``...) and, with ``item.items`` of ``{orderLine, amount}``,
bill only those lines, or part of them. ``dueDate`` is ``tranDate`` plus the days of the
customer's terms; ``amountRemaining`` falls as payments are applied (see ``_payments``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import msgspec
from msgspec import UNSET, UnsetType

from services.sandbox.netsuite._errors import user_error
from services.sandbox.netsuite._model import RecordType, Ref, Sublist, fill_from, set_fields, value
from services.sandbox.netsuite._orders import (
    CENT,
    billed_by_line,
    defaults_from_customer,
    lines_of,
    next_tran_id,
    open_amount,
)
from services.sandbox.netsuite._payments import paid_on
from services.sandbox.netsuite._store import RecordStore

INVOICE_STATUSES: Final = {"Open": "Open", "Paid In Full": "Paid In Full"}


class InvoiceLine(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    line: int | UnsetType = UNSET
    order_line: int | UnsetType = UNSET
    """The line of the sales order this line bills."""
    item: Ref | UnsetType = UNSET
    description: str | UnsetType = UNSET
    quantity: float | UnsetType = UNSET
    rate: float | UnsetType = UNSET
    amount: float | UnsetType = UNSET


class Invoice(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    id: str | UnsetType = UNSET
    tran_id: str | UnsetType = UNSET
    external_id: str | UnsetType = UNSET
    entity: Ref | UnsetType = UNSET
    subsidiary: Ref | UnsetType = UNSET
    currency: Ref | UnsetType = UNSET
    created_from: Ref | UnsetType = UNSET
    tran_date: dt.date | UnsetType = UNSET
    due_date: dt.date | UnsetType = UNSET
    terms: Ref | UnsetType = UNSET
    other_ref_num: str | UnsetType = UNSET
    memo: str | UnsetType = UNSET
    status: Ref | UnsetType = UNSET
    total: float | UnsetType = UNSET
    amount_paid: float | UnsetType = UNSET
    amount_remaining: float | UnsetType = UNSET
    item: Sublist[InvoiceLine] | UnsetType = UNSET
    date_created: str | UnsetType = UNSET
    last_modified_date: str | UnsetType = UNSET


def _source_order(store: RecordStore, record: Any) -> tuple[str, Any] | None:
    """``(id, order)`` of the sales order the invoice bills, None when there is none."""
    return store.find("salesOrder", str(record.created_from.id)) if record.created_from is not UNSET else None


def _derive_invoice(store: RecordStore, record: Invoice, previous: Any, record_id: str) -> Any:
    order = _source_order(store, record)
    if order is not None:
        record = fill_from(record, order[1], ("entity", "subsidiary", "currency", "otherRefNum"))
    record = defaults_from_customer(store, record, record.entity, ("subsidiary", "currency", "terms"))
    if record.terms is not UNSET and record.tran_date is not UNSET:
        days = value(store.get("term", str(record.terms.id))[1], "daysUntilNetDue")
        record = set_fields(record, dueDate=record.tran_date + dt.timedelta(days=days or 0))
    order_lines = {line.line: line for line in lines_of(order[1])} if order else {}
    billed = billed_by_line(store, order[0], excluding=record_id) if order else {}
    lines = []
    for number, line in enumerate(lines_of(record), start=1):
        source = order_lines.get(line.order_line)
        if source is not None:
            line = fill_from(line, source, ("item", "description", "quantity", "rate"))
            if line.amount is UNSET:
                line = set_fields(line, amount=open_amount(source, billed))
        if line.amount is UNSET and line.quantity is not UNSET and line.rate is not UNSET:
            line = set_fields(line, amount=round(line.quantity * line.rate, 2))
        lines.append(set_fields(line, line=number))
    total = round(sum(line.amount for line in lines if line.amount is not UNSET), 2)
    paid = paid_on(store, record_id)
    remaining = round(total - paid, 2)
    status = "Paid In Full" if total > 0 and remaining < CENT else "Open"
    return set_fields(
        record,
        item=Sublist(items=lines),
        total=total,
        amountPaid=paid,
        amountRemaining=remaining,
        status=Ref(id=status),
    )


def _invoice_lines_are_open(store: RecordStore, record: Any, previous: Any) -> None:
    lines = lines_of(record)
    if not lines:
        raise user_error("You must enter at least one line item for this transaction.", "item")
    order = _source_order(store, record)
    if order is None:
        return
    if value(order[1], "entity") != record.entity:
        raise user_error("The customer of an invoice must be the customer of its sales order.", "entity")
    order_lines = {line.line: line for line in lines_of(order[1])}
    billed = billed_by_line(store, order[0], excluding=str(record.id))
    tran_id = value(order[1], "tranId")
    for index, line in enumerate(lines):
        path = f"item.items[{index}]"
        if line.order_line is UNSET:
            continue
        source = order_lines.get(line.order_line)
        if source is None:
            raise user_error(f"Sales order {tran_id} has no line {line.order_line}.", f"{path}.orderLine")
        if source.is_closed is True:
            raise user_error(
                f"Line {line.order_line} of sales order {tran_id} is closed.", f"{path}.orderLine"
            )
        left = open_amount(source, billed)
        if line.amount is UNSET or line.amount <= 0 or line.amount - left >= CENT:
            raise user_error(
                f"The amount to bill on line {line.order_line} of sales order {tran_id} must be more than "
                f"zero and at most {left:.2f}.",
                f"{path}.amount",
            )


def _invoice_unpaid(store: RecordStore, record: Any, _: Any) -> None:
    if paid_on(store, str(record.id)) > 0:
        raise user_error("This record cannot be deleted because it has dependent records.")


def _invoice_links(store: RecordStore, record: Any) -> list[tuple[str, str]]:
    return [] if record.created_from is UNSET else [("salesOrder", str(record.created_from.id))]


def transform_to_invoice(store: RecordStore, order_key: str, body: bytes) -> str:
    """``POST /salesOrder/{id}/!transform/invoice`` (``body`` may be empty): the new invoice's id."""
    order_id, order = store.get("salesOrder", order_key)
    invoice: Any = store.decode("invoice", body) if body else Invoice()
    if invoice.item is UNSET:
        billed = billed_by_line(store, order_id)
        open_lines = [line for line in lines_of(order) if open_amount(line, billed) >= CENT]
        if not open_lines:
            raise user_error(f"Sales order {value(order, 'tranId')} has nothing left to bill.")
        invoice = set_fields(
            invoice, item=Sublist(items=[InvoiceLine(order_line=line.line) for line in open_lines])
        )
    return store.create("invoice", set_fields(invoice, createdFrom=Ref(id=order_id)))


INVOICE: Final = RecordType(
    name="invoice",
    model=Invoice,
    labels={"entity": "Customer", "createdFrom": "Created From", "terms": "Terms"},
    required=("entity",),
    references={
        "entity": "customer",
        "subsidiary": "subsidiary",
        "currency": "currency",
        "createdFrom": "salesOrder",
        "terms": "term",
        "status": INVOICE_STATUSES,
    },
    sublists={"item": {"item": "serviceSaleItem"}},
    line_keys={"item": "line"},
    read_only=frozenset(
        {"id", "dateCreated", "lastModifiedDate", "status", "total", "amountPaid", "amountRemaining"}
    ),
    unique=("externalId", "tranId"),
    immutable={
        "entity": "You cannot change the customer of an invoice.",
        "createdFrom": "You cannot change the sales order of an invoice.",
    },
    name_field="tranId",
    name_format="Invoice #{}",
    rules=(_invoice_lines_are_open,),
    defaults=lambda store, record_id: {"tran_id": next_tran_id(store, "invoice", "INV")},
    derive=_derive_invoice,
    links=_invoice_links,
    deletable=_invoice_unpaid,
    id_group="transaction",
)
