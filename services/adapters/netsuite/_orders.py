"""Sales orders: booked by upsert on revgate's order id, read back, closed line by line.

Booking is ``PUT /salesOrder/eid:{order id}`` with references by external id (customer, items)
or by internal id looked up once (subsidiary and currency from the reference data, billing
schedules by name). A replay must not disturb what NetSuite did since: when the order exists
and sells the same lines, no lines are sent (its line numbers, closed lines and the invoices
billing them stay as they are); only a changed header is written. Different lines replace the
item sublist (``?replace=item``), which NetSuite refuses once a line has been billed.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec
from msgspec import UNSET

from services.adapters._session import VendorSession
from services.adapters.errors import NotFound, Rejected, Unavailable, VendorReason
from services.adapters.netsuite._catalog import OrderCatalog
from services.adapters.netsuite._errors import SYSTEM
from services.adapters.netsuite._order_wire import (
    ClosingLine,
    ClosingLines,
    OrderLineIn,
    RefByExternalId,
    SalesOrderRecord,
    SalesOrderUpsert,
)
from services.adapters.netsuite._records import RECORDS, RecordReader, record_key
from services.adapters.netsuite._reference import ReferenceCache, ReferenceData
from services.adapters.netsuite._wire import Items, RefById
from services.quote_to_cash import ErpOrderLine, ErpSalesOrder

ORDER_TYPE: Final = "salesOrder"
_order_decoder: Final = msgspec.json.Decoder(SalesOrderRecord)


def _header(order: ErpSalesOrder) -> tuple[Any, ...]:
    return (
        order.customer_external_id,
        order.legal_entity,
        order.currency,
        order.tran_date,
        order.other_ref,
        order.memo,
    )


class SalesOrders:
    """The ``SalesOrderBook`` sales-order methods over NetSuite."""

    def __init__(
        self,
        session: VendorSession,
        reader: RecordReader,
        reference: ReferenceCache[ReferenceData],
        catalog: OrderCatalog,
    ) -> None:
        self._session = session
        self._reader = reader
        self._reference = reference
        self._catalog = catalog

    async def book(self, order: ErpSalesOrder) -> ErpSalesOrder:
        body = await self._upsert_body(order)
        key = record_key(order.external_id, None)
        existing = await self._read(key)
        # replace=item: the lines sent are the order's lines, even when a concurrent replay created
        # the order in the meantime (without it NetSuite would add them to the lines it has).
        params: dict[str, str] | None = {"replace": "item"}
        send: SalesOrderUpsert | None = body
        if existing is not None and existing.lines == order.lines:  # closing is no line field
            params = None
            send = msgspec.structs.replace(body, item=UNSET) if _header(existing) != _header(order) else None
        if send is not None:
            await self._session.request("PUT", f"{RECORDS}/{ORDER_TYPE}/{key}", json=send, params=params)
        booked = await self._read(key)
        if booked is None:
            raise Unavailable(SYSTEM, f"sales order {order.external_id} is not there after its upsert")
        return booked

    async def sales_order(self, external_id: str) -> ErpSalesOrder | None:
        return await self._read(record_key(external_id, None))

    async def close(self, external_id: str) -> None:
        record = await self._reader.get(
            ORDER_TYPE, record_key(external_id, None), _order_decoder, expand=True
        )
        if record is None:
            raise NotFound(SYSTEM, f"no sales order with external id {external_id}")
        still_open = [line.line for line in record.item.items if not line.is_closed]
        if not still_open:
            return
        body = ClosingLines(item=Items(items=[ClosingLine(line=n) for n in still_open]))
        # Closing a closed line changes nothing: safe to send again.
        await self._session.request(
            "PATCH", f"{RECORDS}/{ORDER_TYPE}/{record.id}", json=body, idempotent=True
        )

    # -- mapping

    async def _upsert_body(self, order: ErpSalesOrder) -> SalesOrderUpsert:
        reference = await self._reference.get()
        subsidiary, currency = reference.subsidiary(order.legal_entity), reference.currency(order.currency)
        reasons = []
        if subsidiary is None:
            reasons.append(VendorReason(f"unknown legal entity {order.legal_entity!r}", field="legal_entity"))
        if currency is None:
            reasons.append(VendorReason(f"currency {order.currency!r} is not set up", field="currency"))
        lines = []
        for index, line in enumerate(order.lines):
            schedule = await self._catalog.schedule_id(line.billing_schedule)
            if schedule is None:
                reasons.append(
                    VendorReason(
                        f"no billing schedule named {line.billing_schedule!r}",
                        field=f"lines[{index}].billing_schedule",
                    )
                )
                continue
            lines.append(
                OrderLineIn(
                    item=RefByExternalId(line.item),
                    quantity=line.quantity,
                    rate=float(line.rate),
                    amount=float(line.amount),
                    billing_schedule=RefById(schedule),
                    rev_rec_start_date=line.rev_rec_start,
                    rev_rec_end_date=line.rev_rec_end,
                    description=UNSET if line.description is None else line.description,
                )
            )
        if reasons or subsidiary is None or currency is None:
            raise Rejected(SYSTEM, "; ".join(r.message for r in reasons), reasons=tuple(reasons))
        return SalesOrderUpsert(
            entity=RefByExternalId(order.customer_external_id),
            subsidiary=RefById(subsidiary.id),
            currency=RefById(currency.id),
            tran_date=order.tran_date,
            other_ref_num=UNSET if order.other_ref is None else order.other_ref,
            memo=UNSET if order.memo is None else order.memo,
            item=Items(items=lines),
        )

    async def _read(self, key: str) -> ErpSalesOrder | None:
        record = await self._reader.get(ORDER_TYPE, key, _order_decoder, expand=True)
        return None if record is None else await self._to_domain(record)

    async def _to_domain(self, record: SalesOrderRecord) -> ErpSalesOrder:
        reference = await self._reference.get_knowing(
            lambda data: (
                data.subsidiary_by_id(record.subsidiary.id) is not None
                and data.currency_by_id(record.currency.id) is not None
            )
        )
        subsidiary = reference.subsidiary_by_id(record.subsidiary.id)
        currency = reference.currency_by_id(record.currency.id)
        lines = [
            ErpOrderLine(
                item=await self._catalog.sku(line.item.id),
                quantity=int(line.quantity),
                rate=line.rate,
                amount=line.amount,
                billing_schedule=(
                    await self._catalog.schedule_name(line.billing_schedule.id)
                    if line.billing_schedule
                    else ""
                ),
                # An order revgate did not book may lack rev rec dates: shown from its date.
                rev_rec_start=line.rev_rec_start_date or record.tran_date,
                rev_rec_end=line.rev_rec_end_date or record.tran_date,
                description=line.description,
            )
            for line in record.item.items
        ]
        items = record.item.items
        return ErpSalesOrder(
            external_id=record.external_id or "",
            customer_external_id=await self._catalog.external_id("customer", record.entity.id) or "",
            legal_entity=(subsidiary.external_id or "") if subsidiary else "",
            currency=currency.symbol if currency else "",
            tran_date=record.tran_date,
            lines=tuple(lines),
            other_ref=record.other_ref_num,
            memo=record.memo,
            erp_id=record.id,
            tran_id=record.tran_id,
            status=(record.status.ref_name or record.status.id) if record.status else None,
            closed=bool(items) and all(line.is_closed for line in items),
        )
