"""customer-master v1 over the canonical model: flat billing address, one tax id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from contracts.customer_master import v1
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
    tax_scheme_for,
)
from services.runtime.strict_body import StrictBody

_SAME_IN_V1 = frozenset(
    {
        "name",
        "industry",
        "parent_id",
        "legal_entity",
        "currency",
        "payment_terms",
        "bill_cycle_day",
        "auto_pay",
    }
)
_BILLING_FIELDS = (
    "billing_street",
    "billing_city",
    "billing_state",
    "billing_postal_code",
    "billing_country",
)


def _bill_to(
    street: str, city: str, country: str, state: str | None, postal_code: str | None
) -> PostalAddress:
    return PostalAddress(
        lines=tuple(street.split("\n")), city=city, country=country, region=state, postal_code=postal_code
    )


def _contact(email: str | None) -> Contact | None:
    # v1 knows only an e-mail address; the name on the bill-to contact is a role.
    return Contact(first_name="Accounts", last_name="Payable", email=email) if email else None


def profile_from(body: v1.CustomerCreate) -> CustomerProfile:
    registrations: tuple[TaxRegistration, ...] = ()
    if body.tax_id:
        country = body.billing_country
        registrations = (
            TaxRegistration(country=country, number=body.tax_id, scheme=tax_scheme_for(country)),
        )
    return CustomerProfile(
        name=body.name,
        legal_entity=body.legal_entity,
        currency=body.currency,
        industry=body.industry,
        parent_id=body.parent_id,
        payment_terms=body.payment_terms,
        bill_cycle_day=body.bill_cycle_day,
        auto_pay=body.auto_pay,
        bill_to=_bill_to(
            body.billing_street,
            body.billing_city,
            body.billing_country,
            body.billing_state,
            body.billing_postal_code,
        ),
        tax_registrations=registrations,
        billing_contact=_contact(body.billing_email),
    )


def changes_from(body: v1.CustomerUpdate, current: CustomerProfile) -> Mapping[str, Any]:
    """Canonical field changes of a v1 update, merged with the current record where v1 is flatter."""
    given = {f: v for f in body.__struct_fields__ if (v := getattr(body, f)) is not msgspec.UNSET}
    changes: dict[str, Any] = {f: v for f, v in given.items() if f in _SAME_IN_V1}
    bill_to = current.bill_to
    if bill_to is not None and any(f in given for f in _BILLING_FIELDS):
        changes["bill_to"] = _bill_to(
            given.get("billing_street", "\n".join(bill_to.lines)),
            given.get("billing_city", bill_to.city),
            given.get("billing_country", bill_to.country),
            given.get("billing_state", bill_to.region),
            given.get("billing_postal_code", bill_to.postal_code),
        )
    if "tax_id" in given:
        others = current.tax_registrations[1:]
        country = (
            changes["bill_to"].country if "bill_to" in changes else (bill_to.country if bill_to else "US")
        )
        first = TaxRegistration(country=country, number=given["tax_id"], scheme=tax_scheme_for(country))
        changes["tax_registrations"] = (first, *others) if given["tax_id"] else others
    if "billing_email" in given:
        changes["billing_contact"] = _contact(given["billing_email"])
    return changes


def view(customer: Customer) -> v1.Customer:
    p, links = customer.profile, customer.links
    bill_to = p.bill_to or PostalAddress(lines=("",), city="", country="")
    return v1.Customer(
        id=customer.id,
        name=p.name,
        legal_entity=p.legal_entity,
        currency=p.currency,
        billing_country=bill_to.country,
        billing_city=bill_to.city,
        billing_street="\n".join(bill_to.lines),
        billing_state=bill_to.region,
        billing_postal_code=bill_to.postal_code,
        payment_terms=p.payment_terms,  # type: ignore[arg-type]
        bill_cycle_day=p.bill_cycle_day,
        auto_pay=p.auto_pay,
        industry=p.industry,
        parent_id=p.parent_id,
        tax_id=p.tax_registrations[0].number if p.tax_registrations else None,
        billing_email=p.billing_contact.email if p.billing_contact else None,
        external_ids=v1.ExternalIds(
            salesforce=links.salesforce_id, zuora=links.zuora_account_id, netsuite=links.netsuite_id
        ),
    )


def summary_view(summary: CustomerSummary) -> v1.CustomerSummary:
    return v1.CustomerSummary(
        id=summary.id,
        name=summary.name,
        industry=summary.industry,
        external_ids=v1.ExternalIds(salesforce=summary.salesforce_id),
    )


class CustomersV1(Controller):
    path = "/v1/customers"
    tags = ["customers"]

    @post(dto=StrictBody[v1.CustomerCreate], **CREATE)
    async def create(
        self, master: NamedDependency[CustomerMaster], data: JSONBody[v1.CustomerCreate]
    ) -> Response[v1.Customer]:
        return await create_customer(master, profile_from(data), self.path, view)

    @get("/{customer_id:str}", **GET_ONE)
    async def get_one(
        self, master: NamedDependency[CustomerMaster], customer_id: CustomerIdPath
    ) -> v1.Customer:
        return view(await master.get(customer_id))

    @get(**LIST)
    async def list_(
        self, master: NamedDependency[CustomerMaster], listing: NamedDependency[ListQuery]
    ) -> v1.CustomerPage:
        items, next_cursor = await listing.run(master)
        return v1.CustomerPage(items=tuple(summary_view(s) for s in items), next=next_cursor)

    @patch("/{customer_id:str}", dto=StrictBody[v1.CustomerUpdate], **UPDATE)
    async def update(
        self,
        master: NamedDependency[CustomerMaster],
        customer_id: CustomerIdPath,
        data: JSONBody[v1.CustomerUpdate],
    ) -> v1.Customer:
        return view(await master.update(customer_id, lambda current: changes_from(data, current)))
