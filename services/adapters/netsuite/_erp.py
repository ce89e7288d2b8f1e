"""``EnterpriseResourcePlanning`` and ``SalesOrderBook`` over NetSuite's REST record service."""

from __future__ import annotations

import asyncio
from typing import Final

import httpx
import msgspec
from msgspec import UNSET

from services.adapters._session import CachedToken, VendorSession, new_http_client
from services.adapters.netsuite._auth import ClientCredentials
from services.adapters.netsuite._catalog import OrderCatalog
from services.adapters.netsuite._config import NetSuiteConfig
from services.adapters.netsuite._errors import SYSTEM, decode, translate
from services.adapters.netsuite._ledger import Ledger
from services.adapters.netsuite._orders import SalesOrders
from services.adapters.netsuite._records import (
    RECORDS,
    RecordReader,
    first_failure,
    id_from_location,
    record_key,
)
from services.adapters.netsuite._reference import TAX_SCHEMES, ReferenceCache, ReferenceData
from services.adapters.netsuite._wire import (
    CurrencyRecord,
    CustomerRecord,
    CustomerUpsert,
    Items,
    RefById,
    SubsidiaryRecord,
    TaxRegistrationLineIn,
    TermRecord,
)
from services.domain.customer import TaxRegistration
from services.ports import ErpCustomer, LegalEntity
from services.quote_to_cash import ErpInvoice, ErpPayment, ErpSalesOrder

_customer_decoder: Final = msgspec.json.Decoder(CustomerRecord)
_subsidiary_decoder: Final = msgspec.json.Decoder(SubsidiaryRecord)
_currency_decoder: Final = msgspec.json.Decoder(CurrencyRecord)
_term_decoder: Final = msgspec.json.Decoder(TermRecord)


class NetSuiteERP:
    """The ERP ports over NetSuite: customers, sales orders, invoices, payments.

    Close it with :meth:`aclose`.
    """

    def __init__(self, config: NetSuiteConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        credentials = ClientCredentials(config)
        self._client = new_http_client(config.rest_base(), config.retry, transport)
        self._session = VendorSession(
            system=SYSTEM,
            client=self._client,
            tokens=CachedToken(credentials.fetch),
            translate=translate,
            retry=config.retry,
        )
        self._reader = RecordReader(self._session)
        self._reference = ReferenceCache(self._load_reference)
        catalog = OrderCatalog(self._reader)
        self._orders = SalesOrders(self._session, self._reader, self._reference, catalog)
        self._ledger = Ledger(self._reader, self._reference, catalog)

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- the port

    async def customer(
        self, *, external_id: str | None = None, erp_id: str | None = None
    ) -> ErpCustomer | None:
        key = record_key(external_id, erp_id)
        record = await self._reader.get("customer", key, _customer_decoder, expand=True)
        if record is None:
            return None
        reference = await self._reference.get_knowing(lambda data: self._knows(data, record))
        return self._to_domain(reference, record)

    async def save_customer(self, customer: ErpCustomer) -> str:
        """Upsert by external id, so that saving twice leaves one record; answers the internal id."""
        reference = await self._reference.get()
        subsidiary, currency, term = reference.ids_for(
            customer.legal_entity, customer.currency, customer.payment_terms
        )
        body = CustomerUpsert(
            company_name=customer.company_name,
            subsidiary=RefById(subsidiary),
            currency=RefById(currency),
            terms=RefById(term),
            tax_registration=Items(
                items=[
                    TaxRegistrationLineIn(RefById(r.country), r.number) for r in customer.tax_registrations
                ]
            ),
            email=customer.email if customer.email is not None else UNSET,
        )
        key = record_key(customer.external_id, None)
        # replace=: the registrations sent are the whole list, not lines to add to it.
        response = await self._session.request(
            "PUT", f"{RECORDS}/customer/{key}", json=body, params={"replace": "taxRegistration"}
        )
        if (erp_id := id_from_location(response)) is not None:
            return erp_id
        saved = await self._session.request("GET", f"{RECORDS}/customer/{key}")
        return decode(saved, _customer_decoder).id

    async def legal_entities(self) -> list[LegalEntity]:
        return (await self._reference.get()).legal_entities()

    # -- the quote-to-cash port (SalesOrderBook)

    async def book_sales_order(self, order: ErpSalesOrder) -> ErpSalesOrder:
        """Upsert by external id, so that a replay leaves one order as it was; answer it as booked."""
        return await self._orders.book(order)

    async def sales_order(self, external_id: str) -> ErpSalesOrder | None:
        return await self._orders.sales_order(external_id)

    async def close_sales_order(self, external_id: str) -> None:
        """Close every open line; ``NotFound`` when there is no such order."""
        await self._orders.close(external_id)

    async def invoices(self, customer_external_id: str) -> list[ErpInvoice]:
        return await self._ledger.invoices(customer_external_id)

    async def payments(self, customer_external_id: str) -> list[ErpPayment]:
        return await self._ledger.payments(customer_external_id)

    # -- reference data

    async def _load_reference(self) -> ReferenceData:
        try:
            async with asyncio.TaskGroup() as group:
                subsidiaries = group.create_task(self._reader.read_all("subsidiary", _subsidiary_decoder))
                currencies = group.create_task(self._reader.read_all("currency", _currency_decoder))
                terms = group.create_task(self._reader.read_all("term", _term_decoder))
        except BaseExceptionGroup as failed:
            raise first_failure(failed) from None
        return ReferenceData(tuple(subsidiaries.result()), tuple(currencies.result()), tuple(terms.result()))

    # -- mapping

    @staticmethod
    def _knows(reference: ReferenceData, record: CustomerRecord) -> bool:
        return (
            (record.subsidiary is None or reference.subsidiary_by_id(record.subsidiary.id) is not None)
            and (record.currency is None or reference.currency_by_id(record.currency.id) is not None)
            and (record.terms is None or reference.term_code(record.terms.id) is not None)
        )

    @staticmethod
    def _to_domain(reference: ReferenceData, record: CustomerRecord) -> ErpCustomer:
        subsidiary = reference.subsidiary_by_id(record.subsidiary.id) if record.subsidiary else None
        currency = reference.currency_by_id(record.currency.id) if record.currency else None
        # No terms on a NetSuite customer means invoices are due at once.
        terms = reference.term_code(record.terms.id) if record.terms else "DUE_ON_RECEIPT"
        lines = record.tax_registration.items if record.tax_registration else []
        registrations = tuple(
            TaxRegistration(
                country=line.nexus_country.id,
                number=line.tax_registration_number,
                scheme=TAX_SCHEMES.get(line.nexus_country.id, "VAT"),
            )
            for line in lines
            if line.nexus_country is not None and line.tax_registration_number
        )
        return ErpCustomer(
            # A customer revgate did not create has no external id: shown with an empty one.
            external_id=record.external_id or "",
            company_name=record.company_name or "",
            legal_entity=(subsidiary.external_id or "") if subsidiary else "",
            currency=currency.symbol if currency else "",
            payment_terms=terms or "",
            tax_registrations=registrations,
            email=record.email,
            erp_id=record.id,
        )
