"""A customer's invoices and payments, found by record collection filtering on the customer.

``GET /invoice?q=entity ANY_OF [id]`` (and ``customerPayment?q=customer ANY_OF [id]``) answers ids
only; each record is then read. An invoice names the sales order it bills by internal id, shown
by that order's external id; a payment names the invoices it pays by their numbers (``refNum``).
"""

from __future__ import annotations

from typing import Final

import msgspec

from services.adapters.netsuite._catalog import OrderCatalog
from services.adapters.netsuite._order_wire import InvoiceRecord, PaymentRecord
from services.adapters.netsuite._records import RecordReader
from services.adapters.netsuite._reference import ReferenceCache, ReferenceData
from services.quote_to_cash import ErpInvoice, ErpPayment

_invoice_decoder: Final = msgspec.json.Decoder(InvoiceRecord)
_payment_decoder: Final = msgspec.json.Decoder(PaymentRecord)


class Ledger:
    """The ``SalesOrderBook`` methods on billing documents."""

    def __init__(
        self, reader: RecordReader, reference: ReferenceCache[ReferenceData], catalog: OrderCatalog
    ) -> None:
        self._reader = reader
        self._reference = reference
        self._catalog = catalog

    async def invoices(self, customer_external_id: str) -> list[ErpInvoice]:
        """The customer's invoices, oldest first; none for a customer NetSuite does not know."""
        customer_id = await self._catalog.internal_id("customer", customer_external_id)
        if customer_id is None:
            return []
        records = await self._reader.read_all(
            "invoice", _invoice_decoder, query=f"entity ANY_OF [{customer_id}]"
        )
        invoices = []
        for record in records:
            order = record.created_from
            invoices.append(
                ErpInvoice(
                    erp_id=record.id,
                    tran_id=record.tran_id,
                    external_id=record.external_id,
                    created_from=await self._catalog.external_id("salesOrder", order.id) if order else None,
                    tran_date=record.tran_date,
                    due_date=record.due_date,
                    total=record.total,
                    amount_remaining=record.amount_remaining,
                    status=(record.status.ref_name or record.status.id) if record.status else "",
                    currency=await self._currency(record.currency.id),
                )
            )
        return sorted(invoices, key=lambda i: (i.tran_date, i.tran_id))

    async def payments(self, customer_external_id: str) -> list[ErpPayment]:
        """The customer's payments, oldest first; none for a customer NetSuite does not know."""
        customer_id = await self._catalog.internal_id("customer", customer_external_id)
        if customer_id is None:
            return []
        records = await self._reader.read_all(
            "customerPayment", _payment_decoder, query=f"customer ANY_OF [{customer_id}]", expand=True
        )
        payments = [
            ErpPayment(
                erp_id=record.id,
                tran_id=record.tran_id,
                external_id=record.external_id,
                tran_date=record.tran_date,
                amount=record.payment,
                currency=await self._currency(record.currency.id),
                applied_to=tuple(
                    line.ref_num or line.doc.ref_name or line.doc.id
                    for line in record.apply.items
                    if line.apply
                ),
            )
            for record in records
        ]
        return sorted(payments, key=lambda p: (p.tran_date, p.tran_id))

    async def _currency(self, currency_id: str) -> str:
        reference = await self._reference.get_knowing(
            lambda data: data.currency_by_id(currency_id) is not None
        )
        currency = reference.currency_by_id(currency_id)
        return currency.symbol if currency else ""
