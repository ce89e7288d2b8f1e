"""Subsidiaries, currencies and terms: loaded once per adapter, then used to map codes to ids."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final, Generic, TypeVar

import msgspec

from services.adapters.errors import Rejected, VendorReason
from services.adapters.netsuite._errors import SYSTEM
from services.adapters.netsuite._wire import CurrencyRecord, SubsidiaryRecord, TermRecord
from services.ports import LegalEntity

#: Domain payment-terms codes and the NetSuite term records they stand for (matched by name).
TERM_NAMES: Final = {
    "DUE_ON_RECEIPT": "Due on receipt",
    "NET15": "Net 15",
    "NET30": "Net 30",
    "NET45": "Net 45",
    "NET60": "Net 60",
}
#: The tax registration scheme of each nexus country (EU VAT elsewhere).
TAX_SCHEMES: Final = {"GB": "VAT", "DE": "VAT", "AU": "ABN", "US": "EIN"}

T = TypeVar("T")


class ReferenceData(msgspec.Struct, frozen=True):
    """The account's reference records, indexed both ways."""

    subsidiaries: tuple[SubsidiaryRecord, ...]
    currencies: tuple[CurrencyRecord, ...]
    terms: tuple[TermRecord, ...]

    def subsidiary(self, code: str) -> SubsidiaryRecord | None:
        return next((s for s in self.subsidiaries if s.external_id == code and not s.is_inactive), None)

    def subsidiary_by_id(self, internal_id: str) -> SubsidiaryRecord | None:
        return next((s for s in self.subsidiaries if s.id == internal_id), None)

    def currency(self, iso_code: str) -> CurrencyRecord | None:
        return next((c for c in self.currencies if c.symbol == iso_code and not c.is_inactive), None)

    def currency_by_id(self, internal_id: str) -> CurrencyRecord | None:
        return next((c for c in self.currencies if c.id == internal_id), None)

    def term(self, code: str) -> TermRecord | None:
        name = TERM_NAMES.get(code)
        if name is None:
            return None
        return next(
            (t for t in self.terms if t.name.casefold() == name.casefold() and not t.is_inactive), None
        )

    def term_code(self, internal_id: str) -> str | None:
        term = next((t for t in self.terms if t.id == internal_id), None)
        if term is None:
            return None
        names = {name.casefold(): code for code, name in TERM_NAMES.items()}
        return names.get(term.name.casefold(), term.name)

    def currencies_of(self, subsidiary: SubsidiaryRecord) -> tuple[str, ...]:
        """ISO codes the subsidiary sells in, its base currency first."""
        ids = [subsidiary.currency.id] if subsidiary.currency else []
        ids += [r.id for r in subsidiary.currencies.items] if subsidiary.currencies else []
        codes = (c.symbol for i in ids if (c := self.currency_by_id(i)) is not None)
        return tuple(dict.fromkeys(codes))

    def legal_entities(self) -> list[LegalEntity]:
        entities = []
        for subsidiary in self.subsidiaries:
            if subsidiary.is_inactive or not subsidiary.external_id:
                continue
            currencies = self.currencies_of(subsidiary)
            entities.append(
                LegalEntity(
                    code=subsidiary.external_id,
                    name=subsidiary.name,
                    country=subsidiary.country.id if subsidiary.country else "",
                    base_currency=currencies[0] if currencies else "",
                    currencies=currencies,
                )
            )
        return entities

    def ids_for(self, legal_entity: str, currency: str, payment_terms: str) -> tuple[str, str, str]:
        """(subsidiary, currency, term) internal ids; ``Rejected`` naming every unknown code."""
        reasons = []
        subsidiary = self.subsidiary(legal_entity)
        currency_record = self.currency(currency)
        term = self.term(payment_terms)
        if subsidiary is None:
            known = ", ".join(e.code for e in self.legal_entities())
            reasons.append(
                VendorReason(f"unknown legal entity {legal_entity!r} (known: {known})", field="legal_entity")
            )
        if currency_record is None:
            reasons.append(VendorReason(f"currency {currency!r} is not set up in NetSuite", field="currency"))
        elif subsidiary is not None and currency not in self.currencies_of(subsidiary):
            allowed = ", ".join(self.currencies_of(subsidiary))
            reasons.append(
                VendorReason(f"{legal_entity} does not sell in {currency} (only {allowed})", field="currency")
            )
        if term is None:
            known = ", ".join(TERM_NAMES)
            reasons.append(
                VendorReason(
                    f"unknown payment terms {payment_terms!r} (known: {known})", field="payment_terms"
                )
            )
        if reasons or subsidiary is None or currency_record is None or term is None:
            raise Rejected(SYSTEM, "; ".join(r.message for r in reasons), reasons=tuple(reasons))
        return subsidiary.id, currency_record.id, term.id


class ReferenceCache(Generic[T]):
    """Loads reference data on first use, once even when many callers ask at the same time."""

    def __init__(self, load: Callable[[], Awaitable[T]]) -> None:
        self._load = load
        self._data: T | None = None
        self._lock = asyncio.Lock()

    async def get(self, *, refresh: bool = False) -> T:
        stale = self._data
        if stale is not None and not refresh:
            return stale
        async with self._lock:
            # Another caller may have (re)loaded while we waited.
            if self._data is None or (refresh and self._data is stale):
                self._data = await self._load()
            return self._data

    async def get_knowing(self, knows: Callable[[T], bool]) -> T:
        """The data, loaded again once when it does not know what ``knows`` asks (made since the load)."""
        data = await self.get()
        return data if knows(data) else await self.get(refresh=True)
