"""NetSuite REST shapes of quote-to-cash: items, billing schedules, sales orders, invoices, payments.

Money comes as JSON numbers and is read straight into ``Decimal``; it goes out as JSON numbers
(floats), as NetSuite takes no strings there.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec
from msgspec import UNSET, UnsetType

from services.adapters.netsuite._wire import Items, Ref, RefById


class RefByExternalId(msgspec.Struct, frozen=True, rename="camel"):
    """A reference by the other record's external id: ``{"externalId": ...}``."""

    external_id: str


class ItemRecord(msgspec.Struct, frozen=True, rename="camel"):
    """``GET /record/v1/serviceSaleItem/{id}``: only what maps an item to its SKU."""

    id: str
    item_id: str = ""
    external_id: str | None = None


class BillingScheduleRecord(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    name: str
    is_inactive: bool = False


class OrderLineRecord(msgspec.Struct, frozen=True, rename="camel"):
    line: int
    item: Ref
    quantity: Decimal
    rate: Decimal
    amount: Decimal
    billing_schedule: Ref | None = None
    rev_rec_start_date: dt.date | None = None
    rev_rec_end_date: dt.date | None = None
    description: str | None = None
    is_closed: bool = False


class SalesOrderRecord(msgspec.Struct, frozen=True, rename="camel"):
    """``GET /record/v1/salesOrder/{id}?expandSubResources=true``."""

    id: str
    tran_id: str
    entity: Ref
    subsidiary: Ref
    currency: Ref
    tran_date: dt.date
    external_id: str | None = None
    other_ref_num: str | None = None
    memo: str | None = None
    status: Ref | None = None
    total: Decimal | None = None
    item: Items[OrderLineRecord] = msgspec.field(default_factory=Items)


class OrderLineIn(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    item: RefByExternalId
    quantity: int
    rate: float
    amount: float
    billing_schedule: RefById
    rev_rec_start_date: dt.date
    rev_rec_end_date: dt.date
    description: str | UnsetType = UNSET


class SalesOrderUpsert(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """The body of ``PUT /record/v1/salesOrder/eid:{externalId}``; no ``item`` keeps the lines."""

    entity: RefByExternalId
    subsidiary: RefById
    currency: RefById
    tran_date: dt.date
    other_ref_num: str | UnsetType = UNSET
    memo: str | UnsetType = UNSET
    item: Items[OrderLineIn] | UnsetType = UNSET


class ClosingLine(msgspec.Struct, frozen=True, rename="camel"):
    """A line of a PATCH that closes it: NetSuite merges sublist lines by ``line``."""

    line: int
    is_closed: bool = True


class ClosingLines(msgspec.Struct, frozen=True):
    item: Items[ClosingLine]


class InvoiceRecord(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    tran_id: str
    tran_date: dt.date
    currency: Ref
    total: Decimal
    amount_remaining: Decimal
    external_id: str | None = None
    created_from: Ref | None = None
    due_date: dt.date | None = None
    status: Ref | None = None


class ApplyLineRecord(msgspec.Struct, frozen=True, rename="camel"):
    doc: Ref
    apply: bool = False
    amount: Decimal | None = None
    ref_num: str | None = None


class PaymentRecord(msgspec.Struct, frozen=True, rename="camel"):
    """``GET /record/v1/customerPayment/{id}?expandSubResources=true``."""

    id: str
    tran_date: dt.date
    currency: Ref
    payment: Decimal
    tran_id: str = ""
    external_id: str | None = None
    apply: Items[ApplyLineRecord] = msgspec.field(default_factory=Items)


class RecordKeys(msgspec.Struct, frozen=True, rename="camel"):
    """Just the keys of any record."""

    id: str
    external_id: str | None = None
