"""NetSuite REST shapes the adapter reads and writes (field names as NetSuite spells them)."""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

T = TypeVar("T")


class Ref(msgspec.Struct, frozen=True, rename="camel"):
    """A reference as NetSuite shows it: ``{links, id, refName}``."""

    id: str
    ref_name: str | None = None


class RefById(msgspec.Struct, frozen=True):
    """A reference as we send it."""

    id: str


class Items(msgspec.Struct, Generic[T], frozen=True):
    """A sublist or multi-select: ``{"items": [...]}``."""

    items: list[T] = []


class TaxRegistrationLine(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    nexus_country: Ref | None = None
    tax_registration_number: str | None = None


class TaxRegistrationLineIn(msgspec.Struct, frozen=True, rename="camel"):
    nexus_country: RefById
    tax_registration_number: str


class CustomerRecord(msgspec.Struct, frozen=True, rename="camel"):
    """``GET /record/v1/customer/{id}?expandSubResources=true``."""

    id: str
    company_name: str | None = None
    external_id: str | None = None
    email: str | None = None
    subsidiary: Ref | None = None
    currency: Ref | None = None
    terms: Ref | None = None
    tax_registration: Items[TaxRegistrationLine] | None = None


class CustomerUpsert(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """The body of ``PUT /record/v1/customer/eid:{externalId}``."""

    company_name: str
    subsidiary: RefById
    currency: RefById
    terms: RefById
    tax_registration: Items[TaxRegistrationLineIn]
    email: str | UnsetType = UNSET


class SubsidiaryRecord(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    name: str = ""
    external_id: str | None = None
    country: Ref | None = None
    currency: Ref | None = None
    is_inactive: bool = False
    currencies: Items[Ref] | None = msgspec.field(default=None, name="custrecord_revgate_currencies")
    """A custom multi-select field: the currencies the subsidiary sells in."""


class CurrencyRecord(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    symbol: str
    """The ISO 4217 code."""
    name: str = ""
    is_inactive: bool = False


class TermRecord(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    name: str
    days_until_net_due: int | None = None
    is_inactive: bool = False


class CollectionItem(msgspec.Struct, frozen=True):
    id: str


class CollectionPage(msgspec.Struct, frozen=True, rename="camel"):
    """``GET /record/v1/{type}``: ids only, a page at a time."""

    items: list[CollectionItem]
    has_more: bool = False
    offset: int = 0
    count: int = 0
    total_results: int = 0


class TokenAnswer(msgspec.Struct, frozen=True):
    access_token: str
    expires_in: str | int
    """NetSuite sends a string (``"3600"``)."""
    token_type: str = "Bearer"


class ErrorDetail(msgspec.Struct, frozen=True):
    detail: str = ""
    error_code: str | None = msgspec.field(default=None, name="o:errorCode")
    error_path: str | None = msgspec.field(default=None, name="o:errorPath")


class ErrorBody(msgspec.Struct, frozen=True):
    """Either NetSuite's REST error document or the token endpoint's OAuth error."""

    title: str | None = None
    status: int | None = None
    error_details: list[ErrorDetail] = msgspec.field(default_factory=list, name="o:errorDetails")
    error: str | None = None
    error_description: str | None = None
