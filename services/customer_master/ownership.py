"""Which system of record owns each customer field (the table in ``docs/ownership.md``).

The owner is the system whose value wins; a replica is a copy kept in another system because
that system needs it to work (Zuora prints the name on invoices, NetSuite posts with it).
A write of a field goes to its owner and its replicas, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from services.domain.customer import System

SF, ZU, NS = System.SALESFORCE, System.ZUORA, System.NETSUITE

OWNER: Final[dict[str, System]] = {
    "name": SF,
    "industry": SF,
    "parent_id": SF,
    "sold_to": SF,
    "legal_entity": NS,
    "currency": NS,
    "payment_terms": NS,
    "tax_registrations": NS,
    "bill_cycle_day": ZU,
    "auto_pay": ZU,
    "bill_to": ZU,
    "billing_contact": ZU,
}

REPLICAS: Final[dict[str, tuple[System, ...]]] = {
    "name": (ZU, NS),
    "currency": (ZU,),
    "payment_terms": (ZU,),
    "bill_to": (SF,),
    "billing_contact": (NS,),
}

FIXED_AFTER_CREATE: Final = frozenset({"legal_entity", "currency"})
"""NetSuite refuses to move a customer between subsidiaries or currencies once it may have
transactions, and Zuora never changes an account's currency."""


def systems_to_write(changed_fields: Iterable[str]) -> set[System]:
    """The systems an update of these fields must reach."""
    systems: set[System] = set()
    for field in changed_fields:
        systems.add(OWNER[field])
        systems.update(REPLICAS.get(field, ()))
    return systems
