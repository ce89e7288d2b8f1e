"""Ports: what the capability services need from each kind of system of record.

The services speak only these Protocols and the records below; ``services/adapters``
implements them for Salesforce, Zuora and NetSuite, translating vendor shapes and errors
at one seam each. Every method may raise the errors of :mod:`services.adapters.errors`.
"""

from __future__ import annotations

from typing import Protocol

import msgspec

from services.domain.customer import Contact, PostalAddress, TaxRegistration


class CrmAccount(msgspec.Struct, frozen=True):
    """A customer's account in the CRM (Salesforce Account)."""

    customer_id: str
    """revgate's customer id, kept in the CRM as a unique external id field."""
    match_key: str
    """Duplicate-detection key, kept in the CRM as a unique field (see ``domain.customer.match_key``)."""
    name: str
    industry: str | None = None
    parent_crm_id: str | None = None
    billing_address: PostalAddress | None = None
    shipping_address: PostalAddress | None = None
    crm_id: str | None = None
    """The CRM's own id; None until the account is written."""


class BillingAccount(msgspec.Struct, frozen=True):
    """A customer's account in the subscription billing platform (Zuora Account)."""

    account_number: str
    """Chosen by revgate: the customer id, so the account is found again without a lookup table."""
    crm_id: str
    name: str
    currency: str
    bill_cycle_day: int
    auto_pay: bool
    payment_term: str
    bill_to: PostalAddress | None = None
    bill_to_contact: Contact | None = None
    account_id: str | None = None
    """The platform's own id; None until the account is written."""


class ErpCustomer(msgspec.Struct, frozen=True):
    """A customer record in the ERP (NetSuite customer)."""

    external_id: str
    """revgate's customer id, kept as the ERP's external id."""
    company_name: str
    legal_entity: str
    """Legal entity code (NetSuite subsidiary external id), e.g. ``US01``."""
    currency: str
    payment_terms: str
    """Terms code, e.g. ``NET30``."""
    tax_registrations: tuple[TaxRegistration, ...] = ()
    email: str | None = None
    erp_id: str | None = None
    """The ERP's internal id; None until the record is written."""


class LegalEntity(msgspec.Struct, frozen=True):
    """A legal entity we sell from (NetSuite subsidiary)."""

    code: str
    name: str
    country: str
    base_currency: str
    currencies: tuple[str, ...]


class CustomerRelationshipSystem(Protocol):
    """The CRM: owner of the customer's engagement data and hierarchy."""

    async def account(self, crm_id: str) -> CrmAccount | None: ...

    async def account_by_customer_id(self, customer_id: str) -> CrmAccount | None: ...

    async def account_by_match_key(self, match_key: str) -> CrmAccount | None: ...

    async def save_account(self, account: CrmAccount) -> str:
        """Create or update the account keyed by its customer id; answer the CRM id.

        Idempotent: saving the same account twice leaves one record. A different customer
        id with a match key already taken raises ``Conflict``.
        """
        ...

    async def accounts(
        self, *, name_prefix: str | None, after_customer_id: str | None, limit: int
    ) -> list[CrmAccount]:
        """Accounts that carry a customer id, ordered by customer id, after the given one."""
        ...


class SubscriptionBilling(Protocol):
    """The subscription billing platform: owner of billing preferences."""

    async def billing_account(self, account_key: str) -> BillingAccount | None:
        """By account number or platform id."""
        ...

    async def create_billing_account(self, account: BillingAccount) -> BillingAccount:
        """Create the account; idempotent for the same account number. Answers it with its ids."""
        ...

    async def update_billing_account(self, account: BillingAccount) -> None: ...


class EnterpriseResourcePlanning(Protocol):
    """The ERP: owner of the financial identity of a customer."""

    async def customer(
        self, *, external_id: str | None = None, erp_id: str | None = None
    ) -> ErpCustomer | None: ...

    async def save_customer(self, customer: ErpCustomer) -> str:
        """Create or update the record keyed by its external id (upsert); answer the internal id."""
        ...

    async def legal_entities(self) -> list[LegalEntity]: ...
