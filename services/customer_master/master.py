"""The customer master: create, read, search and update one customer across three systems.

No database of ours: the customer id is kept in each system as an external id (Salesforce
``Revgate_Id__c``, Zuora ``accountNumber``, NetSuite ``externalId``), and Zuora's ``crmId``
holds the Salesforce Account id, as real integrations link them. Every write is idempotent
in every system, so repeating a request that failed midway finishes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

import msgspec

from contracts.problem import SystemState
from services.adapters.errors import Conflict, VendorError
from services.customer_master.errors import (
    CustomerIncomplete,
    CustomerNotFound,
    DuplicateCustomer,
    FieldNotUpdatable,
    InvalidCustomer,
    PartialWrite,
)
from services.customer_master.ownership import FIXED_AFTER_CREATE, systems_to_write
from services.domain.customer import (
    Customer,
    CustomerLinks,
    CustomerProfile,
    CustomerSummary,
    System,
    match_key,
    new_customer_id,
)
from services.ports import (
    BillingAccount,
    CrmAccount,
    CustomerRelationshipSystem,
    EnterpriseResourcePlanning,
    ErpCustomer,
    SubscriptionBilling,
)

ExternalSystem = Literal["salesforce", "zuora", "netsuite"]


class CustomerMaster:
    """One customer across the CRM, the billing platform and the ERP."""

    def __init__(
        self,
        crm: CustomerRelationshipSystem,
        billing: SubscriptionBilling,
        erp: EnterpriseResourcePlanning,
    ) -> None:
        self.crm = crm
        self.billing = billing
        self.erp = erp

    # --- create ---------------------------------------------------------------------------

    async def create(self, profile: CustomerProfile) -> Customer:
        """Write a new customer to all three systems; finish one that an earlier attempt left half-made.

        Raises ``DuplicateCustomer`` when the customer already exists everywhere.
        """
        parent_crm_id = await self._check(profile)
        key = match_key(profile.name, profile.legal_entity)
        account = await self.crm.account_by_match_key(key)
        states: dict[System, SystemState] = {}
        if account is None:
            account, created = await self._create_crm_account(profile, key, parent_crm_id)
            if created:
                states[System.SALESFORCE] = SystemState(
                    system="salesforce", state="written", id=account.crm_id
                )
        customer_id, crm_id = account.customer_id, account.crm_id
        if crm_id is None:
            raise AssertionError("a CRM account read back always has its id")
        states.setdefault(System.SALESFORCE, SystemState(system="salesforce", state="existing", id=crm_id))
        await self._write_all(
            customer_id,
            {
                System.ZUORA: self._ensure_billing_account(_billing_record(customer_id, crm_id, profile)),
                System.NETSUITE: self._ensure_erp_customer(_erp_record(customer_id, profile)),
            },
            states,
        )
        if all(state.state == "existing" for state in states.values()):
            raise DuplicateCustomer(customer_id)
        return await self.get(customer_id)

    async def _ensure_billing_account(self, account: BillingAccount) -> SystemState:
        if (existing := await self.billing.billing_account(account.account_number)) is not None:
            return SystemState(system="zuora", state="existing", id=existing.account_id)
        created = await self.billing.create_billing_account(account)
        return SystemState(system="zuora", state="written", id=created.account_id)

    async def _ensure_erp_customer(self, customer: ErpCustomer) -> SystemState:
        if (existing := await self.erp.customer(external_id=customer.external_id)) is not None:
            return SystemState(system="netsuite", state="existing", id=existing.erp_id)
        return SystemState(system="netsuite", state="written", id=await self.erp.save_customer(customer))

    async def _create_crm_account(
        self, profile: CustomerProfile, key: str, parent_crm_id: str | None
    ) -> tuple[CrmAccount, bool]:
        """The new CRM account, and whether this call created it (False: a concurrent request did)."""
        draft = _crm_record(
            CrmAccount(customer_id=new_customer_id(), match_key=key, name=profile.name),
            profile,
            parent_crm_id,
        )
        try:
            return msgspec.structs.replace(draft, crm_id=await self.crm.save_account(draft)), True
        except Conflict:
            if (account := await self.crm.account_by_match_key(key)) is not None:
                return account, False
            raise
        except VendorError as error:
            raise PartialWrite(
                draft.customer_id, [_state(System.SALESFORCE, "failed", error)], error
            ) from error

    # --- read -----------------------------------------------------------------------------

    async def get(self, customer_id: str) -> Customer:
        account, billing, erp = await asyncio.gather(
            self.crm.account_by_customer_id(customer_id),
            self.billing.billing_account(customer_id),
            self.erp.customer(external_id=customer_id),
        )
        if account is None:
            raise CustomerNotFound(customer_id)
        if billing is None or erp is None:
            raise CustomerIncomplete(
                customer_id,
                [
                    SystemState(system="salesforce", state="written", id=account.crm_id),
                    SystemState(system="zuora", state="written" if billing else "missing"),
                    SystemState(system="netsuite", state="written" if erp else "missing"),
                ],
            )
        parent_id = None
        if account.parent_crm_id:
            parent = await self.crm.account(account.parent_crm_id)
            parent_id = parent.customer_id if parent else None
        profile = CustomerProfile(
            name=account.name,
            industry=account.industry,
            parent_id=parent_id,
            sold_to=account.shipping_address,
            legal_entity=erp.legal_entity,
            currency=erp.currency,
            payment_terms=erp.payment_terms,
            tax_registrations=erp.tax_registrations,
            bill_cycle_day=billing.bill_cycle_day,
            auto_pay=billing.auto_pay,
            bill_to=billing.bill_to,
            billing_contact=billing.bill_to_contact,
        )
        links = CustomerLinks(
            salesforce_id=account.crm_id,
            zuora_account_id=billing.account_id,
            zuora_account_number=billing.account_number,
            netsuite_id=erp.erp_id,
        )
        return Customer(id=customer_id, profile=profile, links=links)

    async def search(
        self, *, name_prefix: str | None, after: str | None, limit: int
    ) -> tuple[list[CustomerSummary], bool]:
        """A page of customers ordered by id, and whether more follow."""
        accounts = await self.crm.accounts(name_prefix=name_prefix, after_customer_id=after, limit=limit + 1)
        return [_summary(a) for a in accounts[:limit]], len(accounts) > limit

    async def find_by_external_id(self, system: ExternalSystem, external_id: str) -> CustomerSummary | None:
        """The customer known to ``system`` by ``external_id``, found through the links kept there."""
        customer_id: str | None
        if system == "salesforce":
            account = await self.crm.account(external_id)
            return _summary(account) if account else None
        if system == "zuora":
            billing = await self.billing.billing_account(external_id)
            customer_id = billing.account_number if billing else None
        else:
            erp = await self.erp.customer(erp_id=external_id)
            customer_id = erp.external_id if erp else None
        if customer_id is None:
            return None
        account = await self.crm.account_by_customer_id(customer_id)
        return _summary(account) if account else None

    # --- update ---------------------------------------------------------------------------

    async def update(
        self, customer_id: str, changes: Callable[[CustomerProfile], Mapping[str, Any]]
    ) -> Customer:
        """Apply the field changes ``changes`` derives from the current profile.

        Each changed field goes to the system that owns it and to its replicas.
        """
        current = await self.get(customer_id)
        changed = {f: v for f, v in changes(current.profile).items() if getattr(current.profile, f) != v}
        if fixed := FIXED_AFTER_CREATE & changed.keys():
            raise FieldNotUpdatable(fixed)
        if not changed:
            return current
        profile = msgspec.structs.replace(current.profile, **changed)
        parent_crm_id = await self._check(profile, customer_id=customer_id)
        links = current.links
        if links.salesforce_id is None or links.zuora_account_number is None:
            raise AssertionError("a customer read back is linked in every system")
        writes: dict[System, Awaitable[Any]] = {}
        for system in systems_to_write(changed):
            if system is System.SALESFORCE:
                key = match_key(profile.name, profile.legal_entity)
                account = CrmAccount(customer_id=customer_id, match_key=key, name=profile.name)
                writes[system] = self.crm.save_account(_crm_record(account, profile, parent_crm_id))
            elif system is System.ZUORA:
                record = _billing_record(customer_id, links.salesforce_id, profile)
                writes[system] = self.billing.update_billing_account(
                    msgspec.structs.replace(record, account_number=links.zuora_account_number)
                )
            else:
                writes[system] = self.erp.save_customer(_erp_record(customer_id, profile))
        try:
            await self._write_all(customer_id, writes, {})
        except PartialWrite as error:
            if isinstance(error.__cause__, Conflict) and System.SALESFORCE in writes:
                raise DuplicateCustomer(customer_id) from error
            raise
        return Customer(id=customer_id, profile=profile, links=links)

    # --- shared ---------------------------------------------------------------------------

    async def _check(self, profile: CustomerProfile, customer_id: str | None = None) -> str | None:
        """Refuse what breaks a business rule (every reason at once); answer the parent's CRM id."""
        reasons: dict[str, str] = {}
        entities = {entity.code: entity for entity in await self.erp.legal_entities()}
        entity = entities.get(profile.legal_entity)
        if entity is None:
            reasons["legal_entity"] = f"unknown legal entity; known: {', '.join(sorted(entities))}"
        elif profile.currency not in entity.currencies:
            reasons["currency"] = f"{entity.code} sells in {', '.join(entity.currencies)} only"
        parent_crm_id = None
        if profile.parent_id is not None:
            if profile.parent_id == customer_id:
                reasons["parent_id"] = "a customer cannot be its own parent"
            else:
                parent = await self.crm.account_by_customer_id(profile.parent_id)
                if parent is None:
                    reasons["parent_id"] = f"no customer {profile.parent_id}"
                else:
                    parent_crm_id = parent.crm_id
        if reasons:
            raise InvalidCustomer(reasons)
        return parent_crm_id

    async def _write_all(
        self, customer_id: str, writes: Mapping[System, Awaitable[Any]], states: dict[System, SystemState]
    ) -> None:
        """Run independent writes side by side; on any failure, say where each system stands."""
        results = await asyncio.gather(*writes.values(), return_exceptions=True)
        failure: VendorError | None = None
        for system, result in zip(writes, results, strict=True):
            if isinstance(result, VendorError):
                states[system] = _state(system, "failed", result)
                failure = failure or result
            elif isinstance(result, BaseException):
                raise result
            else:
                states[system] = (
                    result
                    if isinstance(result, SystemState)
                    else SystemState(system=system.value, state="written")
                )
        if failure is not None:
            raise PartialWrite(customer_id, [states[s] for s in System if s in states], failure) from failure


def _state(system: System, state: str, error: VendorError) -> SystemState:
    return SystemState(system=system.value, state=state, reason=error.message)


def _summary(account: CrmAccount) -> CustomerSummary:
    return CustomerSummary(
        id=account.customer_id,
        name=account.name,
        industry=account.industry,
        salesforce_id=account.crm_id or "",
    )


def _crm_record(account: CrmAccount, profile: CustomerProfile, parent_crm_id: str | None) -> CrmAccount:
    return msgspec.structs.replace(
        account,
        name=profile.name,
        industry=profile.industry,
        parent_crm_id=parent_crm_id,
        billing_address=profile.bill_to,
        shipping_address=profile.sold_to or profile.bill_to,
    )


def _billing_record(customer_id: str, crm_id: str, profile: CustomerProfile) -> BillingAccount:
    return BillingAccount(
        account_number=customer_id,
        crm_id=crm_id,
        name=profile.name,
        currency=profile.currency,
        bill_cycle_day=profile.bill_cycle_day,
        auto_pay=profile.auto_pay,
        payment_term=profile.payment_terms,
        bill_to=profile.bill_to,
        bill_to_contact=profile.billing_contact,
    )


def _erp_record(customer_id: str, profile: CustomerProfile) -> ErpCustomer:
    return ErpCustomer(
        external_id=customer_id,
        company_name=profile.name,
        legal_entity=profile.legal_entity,
        currency=profile.currency,
        payment_terms=profile.payment_terms,
        tax_registrations=profile.tax_registrations,
        email=profile.billing_contact.email if profile.billing_contact else None,
    )
