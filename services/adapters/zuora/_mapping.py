"""BillingAccount <-> Zuora account: payment terms, countries, and the bill-to contact.

Zuora requires a bill-to contact with a first name, last name and country. A
:class:`BillingAccount` without a contact is sent with the placeholder contact
*Accounts Payable* at the account's address, and that placeholder (without an e-mail address)
reads back as no contact.
Zuora keeps countries by name (``United States``) whatever code it was given; they are
read back as ISO 3166 alpha-2 codes.
"""

from __future__ import annotations

import re
from typing import Final

from services.adapters.errors import Rejected
from services.adapters.zuora._errors import SYSTEM
from services.adapters.zuora._wire import (
    UNSET,
    AccountRead,
    ContactBody,
    ContactRead,
    CreateAccountBody,
    UpdateAccountBody,
)
from services.domain.customer import Contact, PostalAddress
from services.ports import BillingAccount

PLACEHOLDER_FIRST_NAME: Final = "Accounts"
PLACEHOLDER_LAST_NAME: Final = "Payable"

_TERM_NAMES: Final = {
    "DUE_ON_RECEIPT": "Due Upon Receipt",
    "NET15": "Net 15",
    "NET30": "Net 30",
    "NET45": "Net 45",
    "NET60": "Net 60",
}
_TERM_CODES: Final = {name.casefold(): code for code, name in _TERM_NAMES.items()}
_NET_DAYS: Final = re.compile(r"^net\s*(\d+)$", re.IGNORECASE)

_COUNTRY_CODES: Final = {
    name.casefold(): code
    for code, name in (
        ("US", "United States"),
        ("CA", "Canada"),
        ("MX", "Mexico"),
        ("BR", "Brazil"),
        ("GB", "United Kingdom"),
        ("IE", "Ireland"),
        ("DE", "Germany"),
        ("FR", "France"),
        ("NL", "Netherlands"),
        ("BE", "Belgium"),
        ("LU", "Luxembourg"),
        ("ES", "Spain"),
        ("PT", "Portugal"),
        ("IT", "Italy"),
        ("AT", "Austria"),
        ("CH", "Switzerland"),
        ("SE", "Sweden"),
        ("NO", "Norway"),
        ("DK", "Denmark"),
        ("FI", "Finland"),
        ("PL", "Poland"),
        ("CZ", "Czech Republic"),
        ("AU", "Australia"),
        ("NZ", "New Zealand"),
        ("JP", "Japan"),
        ("SG", "Singapore"),
        ("IN", "India"),
        ("CN", "China"),
        ("HK", "Hong Kong"),
        ("ZA", "South Africa"),
        ("AE", "United Arab Emirates"),
        ("IL", "Israel"),
    )
}


def term_name(code: str) -> str:
    """Zuora's payment term name for a domain terms code."""
    name = _TERM_NAMES.get(code)
    if name is None:
        raise Rejected(SYSTEM, f"payment term {code!r} has no Zuora equivalent")
    return name


def term_code(name: str | None) -> str:
    """The domain terms code for a Zuora term name; ``Net N`` terms of other lengths become ``NETN``."""
    if name is None:
        return "DUE_ON_RECEIPT"
    if (code := _TERM_CODES.get(name.casefold())) is not None:
        return code
    match = _NET_DAYS.match(name.strip())
    return f"NET{match.group(1)}" if match else name


def country_code(value: str | None) -> str:
    if not value:
        return ""
    if len(value) == 2:
        return value.upper()
    return _COUNTRY_CODES.get(value.casefold(), value)


def _contact_body(account: BillingAccount, *, clear_absent: bool) -> ContactBody:
    """The bill-to contact to send; ``clear_absent`` sends ``None`` for empty address fields."""
    absent = None if clear_absent else UNSET
    address = account.bill_to
    lines = address.lines if address else ()
    body = ContactBody(
        address1=lines[0] if len(lines) > 0 else absent,
        address2=lines[1] if len(lines) > 1 else absent,
        city=address.city if address and address.city else absent,
        state=address.region if address and address.region else absent,
        zip_code=address.postal_code if address and address.postal_code else absent,
        country=address.country if address else UNSET,
    )
    contact = account.bill_to_contact
    if contact is not None:
        body.first_name, body.last_name = contact.first_name, contact.last_name
        body.work_email = contact.email or absent
    elif not clear_absent:
        body.first_name, body.last_name = PLACEHOLDER_FIRST_NAME, PLACEHOLDER_LAST_NAME
    return body


def create_body(account: BillingAccount) -> CreateAccountBody:
    return CreateAccountBody(
        name=account.name,
        currency=account.currency,
        bill_cycle_day=account.bill_cycle_day,
        auto_pay=account.auto_pay,
        payment_term=term_name(account.payment_term),
        crm_id=account.crm_id,
        account_number=account.account_number,
        bill_to_contact=_contact_body(account, clear_absent=False),
    )


def update_body(account: BillingAccount) -> UpdateAccountBody:
    """Full state of the fields revgate owns. Without a contact, a contact someone keeps in
    Zuora is left as it is: only the address is written."""
    has_contact_data = account.bill_to is not None or account.bill_to_contact is not None
    return UpdateAccountBody(
        name=account.name,
        currency=account.currency,
        bill_cycle_day=account.bill_cycle_day,
        auto_pay=account.auto_pay,
        payment_term=term_name(account.payment_term),
        crm_id=account.crm_id,
        bill_to_contact=_contact_body(account, clear_absent=True) if has_contact_data else UNSET,
    )


def _address(contact: ContactRead) -> PostalAddress | None:
    lines = tuple(line for line in (contact.address1, contact.address2) if line)
    if not lines and not contact.city and not contact.country:
        return None
    return PostalAddress(
        lines=lines,
        city=contact.city or "",
        country=country_code(contact.country),
        region=contact.state or None,
        postal_code=contact.zip_code or None,
    )


def _contact(contact: ContactRead) -> Contact | None:
    placeholder = (contact.first_name, contact.last_name) == (PLACEHOLDER_FIRST_NAME, PLACEHOLDER_LAST_NAME)
    if placeholder and not contact.work_email:
        return None
    if not contact.first_name and not contact.last_name:
        return None
    return Contact(
        first_name=contact.first_name or "",
        last_name=contact.last_name or "",
        email=contact.work_email or "",
    )


def billing_account(read: AccountRead) -> BillingAccount:
    info, billing, contact = read.basic_info, read.billing_and_payment, read.bill_to_contact
    return BillingAccount(
        account_number=info.account_number,
        crm_id=info.crm_id or "",
        name=info.name,
        currency=billing.currency,
        bill_cycle_day=billing.bill_cycle_day,
        auto_pay=billing.auto_pay,
        payment_term=term_code(billing.payment_term),
        bill_to=_address(contact) if contact else None,
        bill_to_contact=_contact(contact) if contact else None,
        account_id=info.id,
    )
