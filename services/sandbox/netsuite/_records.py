"""The record types of the customer master: ``customer`` and the reference types it points at.

Field names are NetSuite's REST names (camelCase). ``custrecord_revgate_currencies`` is a
custom multi-select field on subsidiary, as an implementation would add: NetSuite itself does
not record which currencies a subsidiary may sell in.
"""

from __future__ import annotations

import re
from typing import Any, Final

import msgspec
from msgspec import UNSET, UnsetType

from services.sandbox.netsuite._errors import NetSuiteError, user_error
from services.sandbox.netsuite._store import RecordStore, RecordType, Ref, Sublist, value

COUNTRIES: Final = {
    "AU": "Australia",
    "CA": "Canada",
    "DE": "Germany",
    "FR": "France",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "JP": "Japan",
    "NL": "Netherlands",
    "US": "United States",
}

#: Tax registration number formats the sandbox checks, per nexus country.
TAX_NUMBER_FORMATS: Final = {
    "GB": (re.compile(r"^GB\d{9}$"), "GB followed by 9 digits"),
    "DE": (re.compile(r"^DE\d{9}$"), "DE followed by 9 digits"),
    "AU": (re.compile(r"^\d{11}$"), "an 11-digit ABN"),
    "US": (re.compile(r"^\d{2}-\d{7}$"), "an EIN in the form NN-NNNNNNN"),
}


class Currency(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    id: str | UnsetType = UNSET
    name: str | UnsetType = UNSET
    symbol: str | UnsetType = UNSET
    """The ISO 4217 code."""
    display_symbol: str | UnsetType = UNSET
    exchange_rate: float | UnsetType = UNSET
    is_base_currency: bool | UnsetType = UNSET
    is_inactive: bool | UnsetType = UNSET
    external_id: str | UnsetType = UNSET


class Term(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    id: str | UnsetType = UNSET
    name: str | UnsetType = UNSET
    days_until_net_due: int | UnsetType = UNSET
    is_inactive: bool | UnsetType = UNSET
    external_id: str | UnsetType = UNSET


class Subsidiary(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    id: str | UnsetType = UNSET
    name: str | UnsetType = UNSET
    legal_name: str | UnsetType = UNSET
    country: Ref | UnsetType = UNSET
    currency: Ref | UnsetType = UNSET
    is_inactive: bool | UnsetType = UNSET
    external_id: str | UnsetType = UNSET
    custrecord_revgate_currencies: Sublist[Ref] | UnsetType = msgspec.field(
        default=UNSET, name="custrecord_revgate_currencies"
    )


class TaxRegistrationLine(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    nexus_country: Ref | UnsetType = UNSET
    tax_registration_number: str | UnsetType = UNSET


#: Customer.creditHoldOverride: ``ON`` puts the customer on credit hold (no new sales orders).
CREDIT_HOLD: Final = {"AUTO": "Auto", "ON": "On", "OFF": "Off"}


class Customer(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    id: str | UnsetType = UNSET
    entity_id: str | UnsetType = UNSET
    company_name: str | UnsetType = UNSET
    is_person: bool | UnsetType = UNSET
    is_inactive: bool | UnsetType = UNSET
    external_id: str | UnsetType = UNSET
    email: str | UnsetType = UNSET
    subsidiary: Ref | UnsetType = UNSET
    currency: Ref | UnsetType = UNSET
    terms: Ref | UnsetType = UNSET
    tax_registration: Sublist[TaxRegistrationLine] | UnsetType = UNSET
    credit_hold_override: Ref | str | UnsetType = UNSET
    """A select field, ``{"id": "ON"}``; the bare id ``"ON"`` is taken too (a sandbox leniency)."""
    date_created: str | UnsetType = UNSET
    last_modified_date: str | UnsetType = UNSET


def currency_of_subsidiary(store: RecordStore, customer: Any, previous: Any) -> None:
    """A customer (or a transaction) trades in a currency its subsidiary sells in."""
    subsidiary_ref, currency_ref = customer.subsidiary, customer.currency
    if subsidiary_ref is UNSET or currency_ref is UNSET:
        return
    subsidiary = store.get("subsidiary", str(subsidiary_ref.id))[1]
    allowed = value(subsidiary, "custrecord_revgate_currencies")
    allowed_ids = {str(r.id) for r in allowed.items} if allowed is not UNSET else set()
    base = value(subsidiary, "currency")
    if base is not UNSET:
        allowed_ids.add(str(base.id))
    if str(currency_ref.id) not in allowed_ids:
        currency = store.ref_name("currency", str(currency_ref.id))
        raise user_error(
            f"The currency {currency} is not available for subsidiary "
            f"{value(subsidiary, 'name')}. Choose one of the currencies of the subsidiary.",
            "currency",
        )


def _tax_number_format(store: RecordStore, customer: Any, previous: Any) -> None:
    lines = customer.tax_registration
    if lines is UNSET:
        return
    for index, line in enumerate(lines.items):
        path = f"taxRegistration.items[{index}]"
        if line.nexus_country is UNSET:
            raise user_error("Please enter value(s) for: Country.", f"{path}.nexusCountry")
        number = line.tax_registration_number
        if number is UNSET or not number:
            raise user_error("Please enter value(s) for: Tax Reg. Number.", f"{path}.taxRegistrationNumber")
        country = str(line.nexus_country.id)
        rule = TAX_NUMBER_FORMATS.get(country)
        if rule is not None and not rule[0].match(number):
            raise NetSuiteError(
                400,
                "INVALID_FLD_VALUE",
                f"Error while accessing a resource. The tax registration number {number} is not valid "
                f"for {COUNTRIES[country]}: enter {rule[1]}.",
                f"{path}.taxRegistrationNumber",
            )


def _customer_defaults(store: RecordStore, record_id: str) -> dict[str, Any]:
    # Auto-numbering, as set up under Setup > Company > Auto-Generated Numbers.
    return {
        "entity_id": f"CUS-{record_id}",
        "is_person": False,
        "is_inactive": False,
        "credit_hold_override": Ref(id="AUTO"),
    }


CUSTOMER: Final = RecordType(
    name="customer",
    model=Customer,
    labels={
        "companyName": "Company Name",
        "subsidiary": "Primary Subsidiary",
        "currency": "Currency",
        "terms": "Terms",
        "externalId": "External ID",
        "entityId": "Customer ID",
        "creditHoldOverride": "Credit Hold",
    },
    required=("companyName", "subsidiary", "currency"),
    references={
        "subsidiary": "subsidiary",
        "currency": "currency",
        "terms": "term",
        "creditHoldOverride": CREDIT_HOLD,
    },
    sublists={"taxRegistration": {"nexusCountry": COUNTRIES}},
    unique=("externalId", "entityId"),
    immutable={
        "subsidiary": "You cannot change the primary subsidiary of a customer that may have transactions.",
        "currency": "You cannot change the primary currency of a customer that may have transactions.",
    },
    name_field="companyName",
    rules=(currency_of_subsidiary, _tax_number_format),
    defaults=_customer_defaults,
    first_id=101,
)

SUBSIDIARY: Final = RecordType(
    name="subsidiary",
    model=Subsidiary,
    labels={"name": "Name", "country": "Country", "currency": "Currency"},
    required=("name", "country", "currency"),
    references={"country": COUNTRIES, "currency": "currency"},
    multiselects={"custrecord_revgate_currencies": "currency"},
)

CURRENCY: Final = RecordType(
    name="currency",
    model=Currency,
    labels={"name": "Name", "symbol": "ISO Code"},
    required=("name", "symbol"),
    unique=("externalId", "symbol"),
)

TERM: Final = RecordType(
    name="term",
    model=Term,
    labels={"name": "Terms"},
    required=("name",),
    unique=("externalId", "name"),
)

RECORD_TYPES: Final = (CURRENCY, TERM, SUBSIDIARY, CUSTOMER)
