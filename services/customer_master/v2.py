"""customer-master v2 over the canonical model: structured addresses, tax registrations, typed ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from contracts.customer_master import v2
from services.customer_master._routes import (
    CREATE,
    GET_ONE,
    LIST,
    UPDATE,
    CustomerIdPath,
    ListQuery,
    create_customer,
)
from services.customer_master.master import CustomerMaster
from services.domain.customer import (
    Contact,
    Customer,
    CustomerProfile,
    CustomerSummary,
    PostalAddress,
    TaxRegistration,
)
from services.runtime.strict_body import StrictBody


def _address(a: v2.Address) -> PostalAddress:
    return PostalAddress(
        lines=a.lines, city=a.city, country=a.country, region=a.region, postal_code=a.postal_code
    )


def _address_view(a: PostalAddress) -> v2.Address:
    return v2.Address(
        lines=a.lines, city=a.city, country=a.country, region=a.region, postal_code=a.postal_code
    )


def _registrations(items: tuple[v2.TaxRegistration, ...]) -> tuple[TaxRegistration, ...]:
    return tuple(TaxRegistration(country=r.country, number=r.number, scheme=r.scheme) for r in items)


def _contact(c: v2.Contact | None) -> Contact | None:
    return Contact(first_name=c.first_name, last_name=c.last_name, email=c.email) if c else None


def profile_from(body: v2.CustomerCreate) -> CustomerProfile:
    return CustomerProfile(
        name=body.name,
        legal_entity=body.legal_entity,
        currency=body.currency,
        industry=body.industry,
        parent_id=body.parent_id,
        payment_terms=body.payment_terms,
        bill_cycle_day=body.bill_cycle_day,
        auto_pay=body.auto_pay,
        bill_to=_address(body.bill_to),
        sold_to=_address(body.sold_to) if body.sold_to else None,
        tax_registrations=_registrations(body.tax_registrations),
        billing_contact=_contact(body.billing_contact),
    )


_CONVERT: dict[str, Any] = {
    "bill_to": _address,
    "sold_to": lambda a: _address(a) if a else None,
    "tax_registrations": _registrations,
    "billing_contact": _contact,
}


def changes_from(body: v2.CustomerUpdate) -> Mapping[str, Any]:
    given = {f: v for f in body.__struct_fields__ if (v := getattr(body, f)) is not msgspec.UNSET}
    return {f: _CONVERT[f](v) if f in _CONVERT else v for f, v in given.items()}


def _external_ids(salesforce: str | None, zuora: str | None = None, zuora_number: str | None = None,
                  netsuite: str | None = None) -> tuple[v2.ExternalId, ...]:  # fmt: skip
    ids = (
        ("salesforce", salesforce, "account"),
        ("zuora", zuora, "billingAccount"),
        ("zuora", zuora_number, "billingAccountNumber"),
        ("netsuite", netsuite, "customer"),
    )
    return tuple(v2.ExternalId(system=s, id=i, kind=k) for s, i, k in ids if i)  # type: ignore[arg-type]


def view(customer: Customer) -> v2.Customer:
    p, links = customer.profile, customer.links
    bill_to = p.bill_to or PostalAddress(lines=("",), city="", country="")
    return v2.Customer(
        id=customer.id,
        name=p.name,
        legal_entity=p.legal_entity,
        currency=p.currency,
        bill_to=_address_view(bill_to),
        sold_to=_address_view(p.sold_to) if p.sold_to else None,
        payment_terms=p.payment_terms,  # type: ignore[arg-type]
        bill_cycle_day=p.bill_cycle_day,
        auto_pay=p.auto_pay,
        industry=p.industry,
        parent_id=p.parent_id,
        tax_registrations=tuple(
            v2.TaxRegistration(country=r.country, number=r.number, scheme=r.scheme)  # type: ignore[arg-type]
            for r in p.tax_registrations
        ),
        billing_contact=(
            v2.Contact(first_name=c.first_name, last_name=c.last_name, email=c.email)
            if (c := p.billing_contact)
            else None
        ),
        external_ids=_external_ids(
            links.salesforce_id, links.zuora_account_id, links.zuora_account_number, links.netsuite_id
        ),
    )


def summary_view(summary: CustomerSummary) -> v2.CustomerSummary:
    return v2.CustomerSummary(
        id=summary.id,
        name=summary.name,
        industry=summary.industry,
        external_ids=_external_ids(summary.salesforce_id),
    )


class CustomersV2(Controller):
    path = "/v2/customers"
    tags = ["customers"]

    @post(dto=StrictBody[v2.CustomerCreate], **CREATE)
    async def create(
        self, master: NamedDependency[CustomerMaster], data: JSONBody[v2.CustomerCreate]
    ) -> Response[v2.Customer]:
        return await create_customer(master, profile_from(data), self.path, view)

    @get("/{customer_id:str}", **GET_ONE)
    async def get_one(
        self, master: NamedDependency[CustomerMaster], customer_id: CustomerIdPath
    ) -> v2.Customer:
        return view(await master.get(customer_id))

    @get(**LIST)
    async def list_(
        self, master: NamedDependency[CustomerMaster], listing: NamedDependency[ListQuery]
    ) -> v2.CustomerPage:
        items, next_cursor = await listing.run(master)
        return v2.CustomerPage(items=tuple(summary_view(s) for s in items), next=next_cursor)

    @patch("/{customer_id:str}", dto=StrictBody[v2.CustomerUpdate], **UPDATE)
    async def update(
        self,
        master: NamedDependency[CustomerMaster],
        customer_id: CustomerIdPath,
        data: JSONBody[v2.CustomerUpdate],
    ) -> v2.Customer:
        return view(await master.update(customer_id, lambda _current: changes_from(data)))
