"""The ``salesOrder`` transaction: lines of items with billing schedules and rev rec dates.

Orders of service items need no fulfilment, so an order is created approved and answers
``status`` ``Pending Billing`` until its open lines are billed (``Billed``) or all its lines
are closed (``Closed``). A partly billed order stays ``Pending Billing``, as in NetSuite.
``status`` is shown as ``{"id": name, "refName": name}`` (a guess at the REST form).

Item lines are keyed by ``line``: a PATCH line carrying ``line`` changes that line (closing one is
``{"item": {"items": [{"line": 1, "isClosed": true}]}}``); a line without it is a new line.
``?replace=item`` replaces the whole sublist; lines already billed may not be changed or removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Final

import msgspec
from msgspec import UNSET, UnsetType

from services.sandbox.netsuite._errors import user_error
from services.sandbox.netsuite._items import available_in, base_price
from services.sandbox.netsuite._model import RecordType, Ref, Sublist, fill_from, set_fields, value
from services.sandbox.netsuite._records import currency_of_subsidiary
from services.sandbox.netsuite._store import RecordStore

ORDER_STATUSES: Final = {
    name: name for name in ("Pending Approval", "Pending Fulfillment", "Pending Billing", "Billed", "Closed")
}
CENT: Final = 0.005
"""Amounts closer than half a cent are equal."""


class OrderLine(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    line: int | UnsetType = UNSET
    item: Ref | UnsetType = UNSET
    description: str | UnsetType = UNSET
    quantity: float | UnsetType = UNSET
    rate: float | UnsetType = UNSET
    amount: float | UnsetType = UNSET
    """quantity times rate unless given; a given amount must agree with them."""
    billing_schedule: Ref | UnsetType = UNSET
    rev_rec_start_date: dt.date | UnsetType = UNSET
    rev_rec_end_date: dt.date | UnsetType = UNSET
    is_closed: bool | UnsetType = UNSET


class SalesOrder(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    id: str | UnsetType = UNSET
    tran_id: str | UnsetType = UNSET
    external_id: str | UnsetType = UNSET
    entity: Ref | UnsetType = UNSET
    subsidiary: Ref | UnsetType = UNSET
    currency: Ref | UnsetType = UNSET
    tran_date: dt.date | UnsetType = UNSET
    other_ref_num: str | UnsetType = UNSET
    memo: str | UnsetType = UNSET
    status: Ref | UnsetType = UNSET
    total: float | UnsetType = UNSET
    item: Sublist[OrderLine] | UnsetType = UNSET
    date_created: str | UnsetType = UNSET
    last_modified_date: str | UnsetType = UNSET


def next_tran_id(store: RecordStore, type_name: str, prefix: str) -> str:
    """The next document number of a type: ``SO1001``, ``SO1002``..."""
    numbers = [
        int(tran_id[len(prefix) :])
        for record in store.all(type_name)
        if isinstance(tran_id := value(record, "tranId"), str)
        and tran_id.startswith(prefix)
        and tran_id[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=1000) + 1}"


def lines_of(record: Any) -> list[Any]:
    sublist = record.item
    return [] if sublist is UNSET else list(sublist.items)


def billed_by_line(store: RecordStore, order_id: str, *, excluding: str | None = None) -> dict[int, float]:
    """Amounts billed so far per order line, by the invoices created from the order."""
    billed: dict[int, float] = {}
    for invoice_id, invoice in store.items("invoice"):
        created_from = value(invoice, "createdFrom")
        if invoice_id == excluding or created_from is UNSET or str(created_from.id) != order_id:
            continue
        for line in lines_of(invoice):
            if line.order_line is not UNSET and line.amount is not UNSET:
                billed[line.order_line] = billed.get(line.order_line, 0.0) + line.amount
    return billed


def open_amount(line: Any, billed: dict[int, float]) -> float:
    """What is left to bill on an order line (nothing on a closed one)."""
    if line.is_closed is True or line.amount is UNSET:
        return 0.0
    return round(float(line.amount) - billed.get(line.line, 0.0), 2)


def _status(store: RecordStore, record_id: str, lines: list[OrderLine]) -> str:
    if lines and all(line.is_closed is True for line in lines):
        return "Closed"
    billed = billed_by_line(store, record_id)
    open_lines = [line for line in lines if line.is_closed is not True]
    if billed and all(open_amount(line, billed) < CENT for line in open_lines):
        return "Billed"
    return "Pending Billing"


def _customer(store: RecordStore, record: Any) -> Any | None:
    if record.entity is UNSET:
        return None
    found = store.find("customer", str(record.entity.id))
    return None if found is None else found[1]


def defaults_from_customer(
    store: RecordStore, record: Any, entity: Ref | UnsetType, fields: Iterable[str]
) -> Any:
    """A transaction takes the fields it lacks from its customer, and today's date."""
    found = store.find("customer", str(entity.id)) if entity is not UNSET else None
    if found is not None:
        record = fill_from(record, found[1], fields)
    if record.tran_date is UNSET:
        record = set_fields(record, tranDate=dt.date.today())
    return record


def _derive(store: RecordStore, record: SalesOrder, previous: SalesOrder | None, record_id: str) -> Any:
    record = defaults_from_customer(store, record, record.entity, ("subsidiary", "currency"))
    lines = lines_of(record)
    numbers = [line.line for line in lines + (lines_of(previous) if previous else []) if line.line]
    next_line = max(numbers, default=0) + 1
    derived: list[Any] = []
    currency = "" if record.currency is UNSET else str(record.currency.id)
    before = {line.line: line for line in lines_of(previous)} if previous is not None else {}
    line: Any
    for line in lines:
        was = before.get(line.line)
        if (
            was is not None
            and line.amount == was.amount
            and (line.quantity, line.rate) != (was.quantity, was.rate)
        ):
            line = msgspec.structs.replace(line, amount=UNSET)  # a new quantity or rate makes a new amount
        if line.line is UNSET:
            line, next_line = msgspec.structs.replace(line, line=next_line), next_line + 1
        if line.is_closed is UNSET:
            line = msgspec.structs.replace(line, is_closed=False)
        if line.rate is UNSET and line.item is not UNSET and currency:
            item = store.find("serviceSaleItem", str(line.item.id))
            price = base_price(item[1], currency) if item else None
            line = line if price is None else msgspec.structs.replace(line, rate=price)
        if line.amount is UNSET and line.quantity is not UNSET and line.rate is not UNSET:
            line = msgspec.structs.replace(line, amount=round(line.quantity * line.rate, 2))
        derived.append(line)
    total = round(sum(line.amount for line in derived if line.amount is not UNSET), 2)
    status = _status(store, record_id, derived)
    return set_fields(record, item=Sublist(items=derived), total=total, status=Ref(id=status))


def _content(line: OrderLine) -> tuple[Any, ...]:
    """What a line sells, closing aside."""
    return msgspec.structs.astuple(msgspec.structs.replace(line, is_closed=UNSET))


def changed_lines(previous: Any | None, record: Any) -> list[int]:
    """Indexes of the lines that are new or sell something else than before."""
    before = {line.line: _content(line) for line in lines_of(previous)} if previous is not None else {}
    return [i for i, line in enumerate(lines_of(record)) if before.get(line.line) != _content(line)]


def _customer_may_buy(store: RecordStore, record: Any, previous: Any) -> None:
    customer = _customer(store, record)
    if customer is None:
        return
    name = customer.company_name
    if record.subsidiary != customer.subsidiary:
        home = store.ref_name("subsidiary", str(customer.subsidiary.id))
        raise user_error(
            f"Invalid subsidiary reference key {record.subsidiary.id} for entity {record.entity.id}: "
            f"customer {name} belongs to subsidiary {home}.",
            "subsidiary",
        )
    if record.currency != customer.currency:
        raise user_error(
            f"The currency {store.ref_name('currency', str(record.currency.id))} is not a currency of "
            f"customer {name}.",
            "currency",
        )
    currency_of_subsidiary(store, record, previous)
    hold = customer.credit_hold_override
    on_hold = hold is not UNSET and str(hold.id if isinstance(hold, Ref) else hold) == "ON"
    if on_hold and changed_lines(previous, record):
        raise user_error(f"Customer {name} is on credit hold.", "entity")


def _lines_are_valid(store: RecordStore, record: Any, previous: Any) -> None:
    lines = lines_of(record)
    if not lines:
        raise user_error("You must enter at least one line item for this transaction.", "item")
    for index in changed_lines(previous, record):
        line, path = lines[index], f"item.items[{index}]"
        if line.item is UNSET:
            raise user_error("Please enter value(s) for: Item.", f"{path}.item")
        item: Any = store.get("serviceSaleItem", str(line.item.id))[1]
        if item.is_inactive is True:
            raise user_error(f"The item {item.item_id} is inactive and cannot be sold.", f"{path}.item")
        if record.subsidiary is not UNSET and not available_in(item, str(record.subsidiary.id)):
            raise user_error(f"The item {item.item_id} is not available to this subsidiary.", f"{path}.item")
        if line.quantity is UNSET or line.quantity <= 0:
            raise user_error("The quantity must be greater than zero.", f"{path}.quantity")
        if line.rate is UNSET:
            raise user_error("Please enter value(s) for: Rate.", f"{path}.rate")
        if abs(line.amount - line.quantity * line.rate) >= CENT:
            raise user_error(
                f"The amount {line.amount:.2f} is not the quantity times the rate "
                f"({line.quantity * line.rate:.2f}).",
                f"{path}.amount",
            )
        if line.billing_schedule is not UNSET:
            schedule: Any = store.get("billingSchedule", str(line.billing_schedule.id))[1]
            if schedule.is_inactive is True:
                raise user_error(
                    f"The billing schedule {schedule.name} is inactive.", f"{path}.billingSchedule"
                )
        start, end = line.rev_rec_start_date, line.rev_rec_end_date
        if start is not UNSET and end is not UNSET and end < start:
            raise user_error(
                "The Rev. Rec. End Date must not be before the Rev. Rec. Start Date.", f"{path}.revRecEndDate"
            )


def _billed_lines_stay(store: RecordStore, record: Any, previous: Any) -> None:
    if previous is None:
        return
    billed = billed_by_line(store, str(previous.id))
    now = {line.line: _content(line) for line in lines_of(record)}
    for line in lines_of(previous):
        if billed.get(line.line, 0.0) >= CENT and now.get(line.line) != _content(line):
            raise user_error(f"Line {line.line} has been billed: it cannot be changed or removed.", "item")


def _not_billed(store: RecordStore, record: Any, _: Any) -> None:
    if billed_by_line(store, str(record.id)):
        raise user_error("This record cannot be deleted because it has dependent records.")


SALES_ORDER: Final = RecordType(
    name="salesOrder",
    model=SalesOrder,
    labels={"entity": "Customer", "subsidiary": "Subsidiary", "currency": "Currency", "item": "Items"},
    required=("entity",),
    references={
        "entity": "customer",
        "subsidiary": "subsidiary",
        "currency": "currency",
        "status": ORDER_STATUSES,
    },
    sublists={"item": {"item": "serviceSaleItem", "billingSchedule": "billingSchedule"}},
    line_keys={"item": "line"},
    read_only=frozenset({"id", "dateCreated", "lastModifiedDate", "status", "total"}),
    unique=("externalId", "tranId"),
    immutable={
        "entity": "You cannot change the customer of a sales order.",
        "subsidiary": "You cannot change the subsidiary of a sales order.",
        "currency": "You cannot change the currency of a sales order.",
    },
    name_field="tranId",
    name_format="Sales Order #{}",
    rules=(_customer_may_buy, _lines_are_valid, _billed_lines_stay),
    defaults=lambda store, record_id: {"tran_id": next_tran_id(store, "salesOrder", "SO")},
    derive=_derive,
    deletable=_not_billed,
    first_id=4001,
    id_group="transaction",
)
