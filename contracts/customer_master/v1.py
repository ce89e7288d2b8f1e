"""customer-master v1: flat billing address, one tax id, external ids as an object.

Superseded by :mod:`contracts.customer_master.v2`; kept working until its sunset.
"""

from __future__ import annotations

from typing import Annotated

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

TaxId = Annotated[str, msgspec.Meta(min_length=2, max_length=32, description="Tax registration number.")]
Street = Annotated[str, msgspec.Meta(min_length=1, max_length=255, description="Lines joined with newlines.")]


class ExternalIds(Model):
    """The ids of the customer in each system of record."""

    salesforce: str | None = None
    """Salesforce Account Id."""
    zuora: str | None = None
    """Zuora billing account id."""
    netsuite: str | None = None
    """NetSuite internal id of the customer record."""


class CustomerCreate(Model):
    """A new customer. Written to Salesforce, Zuora and NetSuite."""

    name: Name
    legal_entity: LegalEntityCode
    currency: CurrencyCode
    billing_country: CountryCode
    billing_city: ShortText
    billing_street: Street
    billing_state: ShortText | None = None
    billing_postal_code: ShortText | None = None
    industry: ShortText | None = None
    parent_id: CustomerId | None = None
    payment_terms: PaymentTerms = "NET30"
    bill_cycle_day: BillCycleDay = 1
    auto_pay: bool = False
    tax_id: TaxId | None = None
    """Registration in the billing country."""
    billing_email: Email | None = None


class Customer(Model):
    """A customer, merged from the three systems of record."""

    id: CustomerId
    name: str
    legal_entity: str
    currency: str
    billing_country: str
    billing_city: str
    billing_street: str
    payment_terms: PaymentTerms
    bill_cycle_day: int
    auto_pay: bool
    external_ids: ExternalIds
    billing_state: str | None = None
    billing_postal_code: str | None = None
    industry: str | None = None
    parent_id: str | None = None
    tax_id: str | None = None
    billing_email: str | None = None


class CustomerUpdate(Patch):
    """Fields to change; those left out keep their value.

    ``legalEntity`` and ``currency`` are fixed once the customer exists: a different value
    is refused with the ``field-not-updatable`` problem.
    """

    name: Name | msgspec.UnsetType = msgspec.UNSET
    industry: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    parent_id: CustomerId | msgspec.UnsetType | None = msgspec.UNSET
    legal_entity: LegalEntityCode | msgspec.UnsetType = msgspec.UNSET
    currency: CurrencyCode | msgspec.UnsetType = msgspec.UNSET
    billing_country: CountryCode | msgspec.UnsetType = msgspec.UNSET
    billing_city: ShortText | msgspec.UnsetType = msgspec.UNSET
    billing_street: Street | msgspec.UnsetType = msgspec.UNSET
    billing_state: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    billing_postal_code: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    payment_terms: PaymentTerms | msgspec.UnsetType = msgspec.UNSET
    bill_cycle_day: BillCycleDay | msgspec.UnsetType = msgspec.UNSET
    auto_pay: bool | msgspec.UnsetType = msgspec.UNSET
    tax_id: TaxId | msgspec.UnsetType | None = msgspec.UNSET
    billing_email: Email | msgspec.UnsetType | None = msgspec.UNSET


class CustomerSummary(Model):
    id: CustomerId
    name: str
    external_ids: ExternalIds
    industry: str | None = None


class CustomerPage(Model):
    """One page of customers. Pass ``next`` back as ``cursor`` for the following page."""

    items: tuple[CustomerSummary, ...]
    next: str | None = None
