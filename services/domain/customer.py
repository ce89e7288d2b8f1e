"""The canonical customer, from which every major of the customer-master API is served."""

from __future__ import annotations

import enum
import os
import time
from typing import Final

import msgspec

_CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(prefix: str) -> str:
    """A fresh ``<prefix>_`` + ULID: unique, and sorting by it sorts by creation time."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return f"{prefix}_" + "".join(reversed(chars))


def new_customer_id() -> str:
    """A fresh ``cus_`` + ULID."""
    return new_id("cus")


class System(enum.StrEnum):
    """A system of record."""

    SALESFORCE = "salesforce"
    ZUORA = "zuora"
    NETSUITE = "netsuite"


class PostalAddress(msgspec.Struct, frozen=True):
    lines: tuple[str, ...]
    city: str
    country: str
    region: str | None = None
    postal_code: str | None = None


class TaxRegistration(msgspec.Struct, frozen=True):
    country: str
    number: str
    scheme: str = "VAT"


def tax_scheme_for(country: str) -> str:
    """The usual tax registration scheme of a country, for versions that do not say."""
    return {"US": "EIN", "AU": "ABN", "NZ": "GST", "IN": "GST", "SG": "GST"}.get(country, "VAT")


class Contact(msgspec.Struct, frozen=True):
    """The person who receives invoices."""

    first_name: str
    last_name: str
    email: str


class CustomerLinks(msgspec.Struct, frozen=True):
    """Where the customer lives in each system of record."""

    salesforce_id: str | None = None
    zuora_account_id: str | None = None
    zuora_account_number: str | None = None
    netsuite_id: str | None = None


class CustomerProfile(msgspec.Struct, frozen=True):
    """Every business field of a customer, as one canonical record."""

    name: str
    legal_entity: str
    currency: str
    industry: str | None = None
    parent_id: str | None = None
    payment_terms: str = "NET30"
    bill_cycle_day: int = 1
    auto_pay: bool = False
    bill_to: PostalAddress | None = None
    sold_to: PostalAddress | None = None
    tax_registrations: tuple[TaxRegistration, ...] = ()
    billing_contact: Contact | None = None


class Customer(msgspec.Struct, frozen=True):
    id: str
    profile: CustomerProfile
    links: CustomerLinks


class CustomerSummary(msgspec.Struct, frozen=True):
    """What the CRM alone knows: enough for lists and search."""

    id: str
    name: str
    industry: str | None
    salesforce_id: str


def match_key(name: str, legal_entity: str) -> str:
    """The key two create requests share when they describe the same customer.

    Case, punctuation and runs of spaces do not tell customers apart; the legal entity does
    (the same company may be a customer of two of our entities).
    """
    folded = "".join(ch if ch.isalnum() else " " for ch in name.casefold())
    return f"{legal_entity.upper()}|{' '.join(folded.split())}"
