"""CrmAccount <-> Salesforce Account, and SOQL literals that cannot be broken out of."""

from __future__ import annotations

from typing import Final

from services.adapters.salesforce._wire import AccountFields, AccountRecord
from services.domain.customer import PostalAddress
from services.ports import CrmAccount

# SOQL's escapes (backslash first, so that the others' backslashes are not doubled again).
_QUOTED: Final = (
    ("\\", "\\\\"),
    ("'", "\\'"),
    ('"', '\\"'),
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\t", "\\t"),
    ("\b", "\\b"),
    ("\f", "\\f"),
)


def soql_string(value: str) -> str:
    """``value`` as a quoted SOQL string literal, matching exactly that text."""
    for raw, escaped in _QUOTED:
        value = value.replace(raw, escaped)
    return f"'{value}'"


def soql_like_prefix(prefix: str) -> str:
    """A LIKE pattern literal for values starting with ``prefix`` (its % and _ match themselves)."""
    quoted = soql_string(prefix)[1:-1].replace("%", "\\%").replace("_", "\\_")
    return f"'{quoted}%'"


def _street(address: PostalAddress | None) -> str | None:
    return "\n".join(address.lines) or None if address else None


def to_fields(account: CrmAccount) -> AccountFields:
    """The Account fields for an upsert (the customer id travels in the URL, not the body)."""
    billing, shipping = account.billing_address, account.shipping_address
    return AccountFields(
        name=account.name,
        industry=account.industry,
        parent_id=account.parent_crm_id,
        match_key=account.match_key,
        billing_street=_street(billing),
        billing_city=billing.city if billing else None,
        billing_state=billing.region if billing else None,
        billing_postal_code=billing.postal_code if billing else None,
        billing_country=billing.country if billing else None,
        shipping_street=_street(shipping),
        shipping_city=shipping.city if shipping else None,
        shipping_state=shipping.region if shipping else None,
        shipping_postal_code=shipping.postal_code if shipping else None,
        shipping_country=shipping.country if shipping else None,
    )


def _address(
    street: str | None, city: str | None, state: str | None, postal_code: str | None, country: str | None
) -> PostalAddress | None:
    if not any((street, city, state, postal_code, country)):
        return None
    return PostalAddress(
        # Lines are joined with "\n"; people editing in Salesforce may leave "\r\n".
        lines=tuple(street.splitlines()) if street else (),
        city=city or "",
        country=country or "",
        region=state,
        postal_code=postal_code,
    )


def to_account(record: AccountRecord) -> CrmAccount:
    """The CrmAccount of an Account. A CRM-only account (no revgate id yet) has empty
    ``customer_id`` and ``match_key``."""
    return CrmAccount(
        customer_id=record.customer_id or "",
        match_key=record.match_key or "",
        name=record.name,
        industry=record.industry,
        parent_crm_id=record.parent_id,
        billing_address=_address(
            record.billing_street,
            record.billing_city,
            record.billing_state,
            record.billing_postal_code,
            record.billing_country,
        ),
        shipping_address=_address(
            record.shipping_street,
            record.shipping_city,
            record.shipping_state,
            record.shipping_postal_code,
            record.shipping_country,
        ),
        crm_id=record.id,
    )
