"""``EnterpriseResourcePlanning`` over NetSuite's REST record service."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, Final, TypeVar
from urllib.parse import quote

import httpx
import msgspec
from msgspec import UNSET

from services.adapters._session import CachedToken, VendorSession, new_http_client
from services.adapters.errors import NotFound
from services.adapters.netsuite._auth import ClientCredentials
from services.adapters.netsuite._config import NetSuiteConfig
from services.adapters.netsuite._errors import SYSTEM, decode, translate
from services.adapters.netsuite._reference import TAX_SCHEMES, ReferenceCache, ReferenceData
from services.adapters.netsuite._wire import (
    CollectionPage,
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

RECORDS: Final = "record/v1"
PAGE_SIZE: Final = 1000
_CONCURRENT_READS: Final = 4
"""NetSuite limits concurrent requests per account; reference loading stays well below."""

R = TypeVar("R")
A = TypeVar("A")


async def _all_or_first_error(*calls: Coroutine[Any, Any, A]) -> list[A]:
    """Run concurrently; on the first failure cancel the rest and raise that failure as it is."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(call) for call in calls]
    except BaseExceptionGroup as failed:
        raise _first_failure(failed) from None
    return [task.result() for task in tasks]


def _first_failure(failed: BaseExceptionGroup[BaseException]) -> BaseException:
    """The adapter raises one error of its tree, not a group."""
    first: BaseException = failed
    while isinstance(first, BaseExceptionGroup):
        first = first.exceptions[0]
    return first


_page_decoder: Final = msgspec.json.Decoder(CollectionPage)
_customer_decoder: Final = msgspec.json.Decoder(CustomerRecord)
_subsidiary_decoder: Final = msgspec.json.Decoder(SubsidiaryRecord)
_currency_decoder: Final = msgspec.json.Decoder(CurrencyRecord)
_term_decoder: Final = msgspec.json.Decoder(TermRecord)


def _key(external_id: str | None, erp_id: str | None) -> str:
    if (external_id is None) == (erp_id is None):
        raise ValueError("give exactly one of external_id and erp_id")
    if external_id is not None:
        return "eid:" + quote(external_id, safe="")
    return quote(str(erp_id), safe="")


def _id_from_location(response: httpx.Response) -> str | None:
    location = response.headers.get("location")
    return location.rstrip("/").rsplit("/", 1)[-1] if location else None


class NetSuiteERP:
    """The ERP port over NetSuite. Close it with :meth:`aclose`."""

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
        self._reference = ReferenceCache(self._load_reference)

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- the port

    async def customer(
        self, *, external_id: str | None = None, erp_id: str | None = None
    ) -> ErpCustomer | None:
        path = f"{RECORDS}/customer/{_key(external_id, erp_id)}"
        try:
            response = await self._session.request("GET", path, params={"expandSubResources": "true"})
        except NotFound:
            return None
        record = decode(response, _customer_decoder)
        reference = await self._reference.get()
        if not self._knows(reference, record):
            reference = await self._reference.get(refresh=True)
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
        key = _key(customer.external_id, None)
        # replace=: the registrations sent are the whole list, not lines to add to it.
        response = await self._session.request(
            "PUT", f"{RECORDS}/customer/{key}", json=body, params={"replace": "taxRegistration"}
        )
        if (erp_id := _id_from_location(response)) is not None:
            return erp_id
        saved = await self._session.request("GET", f"{RECORDS}/customer/{key}")
        return decode(saved, _customer_decoder).id

    async def legal_entities(self) -> list[LegalEntity]:
        return (await self._reference.get()).legal_entities()

    # -- reference data

    async def _load_reference(self) -> ReferenceData:
        try:
            async with asyncio.TaskGroup() as group:
                subsidiaries = group.create_task(self._all("subsidiary", _subsidiary_decoder))
                currencies = group.create_task(self._all("currency", _currency_decoder))
                terms = group.create_task(self._all("term", _term_decoder))
        except BaseExceptionGroup as failed:
            raise _first_failure(failed) from None
        return ReferenceData(tuple(subsidiaries.result()), tuple(currencies.result()), tuple(terms.result()))

    async def _all(self, record_type: str, decoder: msgspec.json.Decoder[R]) -> list[R]:
        """Every record of a type: the collection gives ids, each record is then read."""
        ids: list[str] = []
        offset = 0
        while True:
            response = await self._session.request(
                "GET",
                f"{RECORDS}/{record_type}",
                params={"limit": str(PAGE_SIZE), "offset": str(offset)},
            )
            page = decode(response, _page_decoder)
            ids += [item.id for item in page.items]
            if not page.has_more or not page.items:
                break
            offset += len(page.items)
        limit = asyncio.Semaphore(_CONCURRENT_READS)

        async def read(record_id: str) -> R:
            async with limit:
                response = await self._session.request("GET", f"{RECORDS}/{record_type}/{record_id}")
            return decode(response, decoder)

        return await _all_or_first_error(*(read(i) for i in ids))

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
