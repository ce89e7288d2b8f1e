"""customer-master v2: structured bill-to / sold-to addresses, a list of tax registrations,
a billing contact, and external ids as a typed list.

Breaking against v1: the flat ``billing*`` fields became ``billTo``; ``taxId`` became
``taxRegistrations``; ``billingEmail`` became ``billingContact``; ``externalIds`` became a list.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from contracts._base import Model, Patch
from contracts.common import (
    BillCycleDay,
    CountryCode,
    CurrencyCode,
    CustomerId,
    Email,
    LegalEntityCode,
    Name,
    PaymentTerms,
    ShortText,
)

AddressLine = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
System = Literal["salesforce", "zuora", "netsuite"]


class Address(Model):
    """A postal address."""

    lines: Annotated[
        tuple[AddressLine, ...], msgspec.Meta(min_length=1, max_length=3, examples=[["1 Canada Square"]])
    ]
    city: Annotated[ShortText, msgspec.Meta(examples=["London"])]
    country: CountryCode
    region: ShortText | None = None
    """State, province or county."""
    postal_code: Annotated[ShortText, msgspec.Meta(examples=["E14 5AB"])] | None = None


class TaxRegistration(Model):
    """A tax registration of the customer in one country."""

    country: CountryCode
    number: Annotated[str, msgspec.Meta(min_length=2, max_length=32, examples=["GB123456789"])]
    scheme: Literal["VAT", "GST", "ABN", "EIN"]


class Contact(Model):
    """The person who receives invoices."""

    first_name: Annotated[ShortText, msgspec.Meta(examples=["Ada"])]
    last_name: Annotated[ShortText, msgspec.Meta(examples=["Byron"])]
    email: Email


class ExternalId(Model):
    """The id of the customer in one system of record."""

    system: System
    id: str
    kind: Literal["account", "billingAccount", "billingAccountNumber", "customer"]


class CustomerCreate(Model):
    """A new customer. Written to Salesforce, Zuora and NetSuite."""

    name: Name
    legal_entity: LegalEntityCode
    currency: CurrencyCode
    bill_to: Address
    sold_to: Address | None = None
    """Defaults to the bill-to address."""
    industry: ShortText | None = None
    parent_id: CustomerId | None = None
    payment_terms: PaymentTerms = "NET30"
    bill_cycle_day: BillCycleDay = 1
    auto_pay: bool = False
    tax_registrations: Annotated[tuple[TaxRegistration, ...], msgspec.Meta(max_length=10)] = ()
    billing_contact: Contact | None = None


class Customer(Model):
    """A customer, merged from the three systems of record."""

    id: CustomerId
    name: str
    legal_entity: str
    currency: str
    bill_to: Address
    payment_terms: PaymentTerms
    bill_cycle_day: int
    auto_pay: bool
    tax_registrations: tuple[TaxRegistration, ...]
    external_ids: tuple[ExternalId, ...]
    sold_to: Address | None = None
    industry: str | None = None
    parent_id: str | None = None
    billing_contact: Contact | None = None


class CustomerUpdate(Patch):
    """Fields to change; those left out keep their value. Lists are replaced whole.

    ``legalEntity`` and ``currency`` are fixed once the customer exists: a different value
    is refused with the ``field-not-updatable`` problem.
    """

    name: Name | msgspec.UnsetType = msgspec.UNSET
    industry: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    parent_id: CustomerId | msgspec.UnsetType | None = msgspec.UNSET
    legal_entity: LegalEntityCode | msgspec.UnsetType = msgspec.UNSET
    currency: CurrencyCode | msgspec.UnsetType = msgspec.UNSET
    bill_to: Address | msgspec.UnsetType = msgspec.UNSET
    sold_to: Address | msgspec.UnsetType | None = msgspec.UNSET
    payment_terms: PaymentTerms | msgspec.UnsetType = msgspec.UNSET
    bill_cycle_day: BillCycleDay | msgspec.UnsetType = msgspec.UNSET
    auto_pay: bool | msgspec.UnsetType = msgspec.UNSET
    tax_registrations: (
        Annotated[tuple[TaxRegistration, ...], msgspec.Meta(max_length=10)] | msgspec.UnsetType
    ) = msgspec.UNSET
    billing_contact: Contact | msgspec.UnsetType | None = msgspec.UNSET


class CustomerSummary(Model):
    id: CustomerId
    name: str
    external_ids: tuple[ExternalId, ...]
    industry: str | None = None


class CustomerPage(Model):
    """One page of customers. Pass ``next`` back as ``cursor`` for the following page."""

    items: tuple[CustomerSummary, ...]
    next: str | None = None
