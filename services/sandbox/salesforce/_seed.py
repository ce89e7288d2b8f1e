"""Demo data of the sandbox org: customers revgate already knows, across four legal entities,
CRM-only prospects it does not know yet, and the quote-to-cash demo deal (:mod:`._seed_demo`).
Written through the store, so the seed obeys every rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from services.sandbox.salesforce._seed_demo import seed_demo
from services.sandbox.salesforce._store import SObjectStore

_DAY: Final = dt.timedelta(days=1)
_START: Final = dt.datetime(2023, 11, 14, 9, 30, tzinfo=dt.UTC)


def _address(
    kind: str, street: str, city: str, state: str | None, postal: str, country: str
) -> dict[str, Any]:
    return {
        f"{kind}Street": street,
        f"{kind}City": city,
        f"{kind}State": state,
        f"{kind}PostalCode": postal,
        f"{kind}Country": country,
    }


# Parents come before their children: ``"ParentId": "@<index>"`` names an earlier account.
ACCOUNTS: Final[tuple[dict[str, Any], ...]] = (
    {
        "Name": "Northwind Analytics Inc.",
        "NumberOfEmployees": 4200,
        "AnnualRevenue": 910000000,
        "Industry": "Technology",
        "Type": "Customer - Direct",
        "Phone": "+1 415 555 0142",
        "Website": "https://northwind-analytics.example.com",
        "AccountNumber": "NW-0001",
        "Revgate_Id__c": "cus_01HF7YAT004TFF59TDWH9EDD1R",
        "Revgate_Match_Key__c": "US01|northwind analytics inc",
        **_address("Billing", "500 Howard Street\nSuite 300", "San Francisco", "CA", "94105", "US"),
        **_address("Shipping", "500 Howard Street\nSuite 300", "San Francisco", "CA", "94105", "US"),
    },
    {
        "Name": "Northwind Analytics Ltd",
        "Industry": "Technology",
        "Type": "Customer - Channel",
        "ParentId": "@0",
        "Phone": "+44 20 7946 0321",
        "Revgate_Id__c": "cus_01HGKQ31001HEAD8X4A1JH69RE",
        "Revgate_Match_Key__c": "GB01|northwind analytics ltd",
        **_address("Billing", "1 Canada Square\nLevel 29", "London", None, "E14 5AB", "GB"),
    },
    {
        "Name": "Northwind Analytics GmbH",
        "Industry": "Technology",
        "Type": "Customer - Channel",
        "ParentId": "@0",
        "Phone": "+49 30 901820",
        "Revgate_Id__c": "cus_01HHZFV800H4QX4FR84G98PBSK",
        "Revgate_Match_Key__c": "DE01|northwind analytics gmbh",
        **_address("Billing", "Friedrichstraße 68", "Berlin", "BE", "10117", "DE"),
    },
    {
        "Name": "Bramble & Finch Retail plc",
        "NumberOfEmployees": 12500,
        "AnnualRevenue": 1340000000,
        "Industry": "Retail",
        "Type": "Customer - Direct",
        "Phone": "+44 161 496 0754",
        "Website": "https://brambleandfinch.example.co.uk",
        "Revgate_Id__c": "cus_01HKB8KF00JMRNV7E9Z0C1HT0H",
        "Revgate_Match_Key__c": "GB01|bramble finch retail plc",
        **_address("Billing", "12 Deansgate", "Manchester", None, "M3 2BW", "GB"),
        **_address("Shipping", "Unit 4, Trafford Park\nWharfside Way", "Manchester", None, "M17 1AB", "GB"),
    },
    {
        "Name": "Kestrel Logistik GmbH",
        "NumberOfEmployees": 860,
        "AnnualRevenue": 152000000,
        "Industry": "Transportation",
        "Type": "Customer - Direct",
        "Phone": "+49 40 3290 4410",
        "Revgate_Id__c": "cus_01HMQ1BP00G7KYHRJXJG7DJ13N",
        "Revgate_Match_Key__c": "DE01|kestrel logistik gmbh",
        **_address("Billing", "Am Sandtorkai 50", "Hamburg", "HH", "20457", "DE"),
    },
    {
        "Name": "Wattle Health Pty Ltd",
        "NumberOfEmployees": 310,
        "AnnualRevenue": 48500000,
        "Industry": "Healthcare",
        "Type": "Customer - Direct",
        "Phone": "+61 2 9374 4000",
        "Website": "https://wattlehealth.example.com.au",
        "Revgate_Id__c": "cus_01HP2T3X002R00K6AGV0VFCXEC",
        "Revgate_Match_Key__c": "AU01|wattle health pty ltd",
        **_address("Billing", "Level 12\n680 George Street", "Sydney", "NSW", "2000", "AU"),
    },
    {
        "Name": "Cobalt Ridge Energy LLC",
        "NumberOfEmployees": 1900,
        "Industry": "Energy",
        "Type": "Prospect",
        "Phone": "+1 713 555 0187",
        **_address("Billing", "1400 Smith Street", "Houston", "TX", "77002", "US"),
    },
    {
        "Name": "Ironbark Mining Services Pty Ltd",
        "Industry": "Mining",
        "Type": "Prospect",
        **_address("Billing", "240 St Georges Terrace", "Perth", "WA", "6000", "AU"),
    },
)


def seed(store: SObjectStore) -> None:
    """Empty the store and load the demo data (same ids and dates after every reset)."""
    store.clear()
    account = store.schema("Account")
    ids: list[str] = []
    for index, values in enumerate(ACCOUNTS):
        body = dict(values)
        if isinstance(parent := body.get("ParentId"), str) and parent.startswith("@"):
            body["ParentId"] = ids[int(parent[1:])]
        ids.append(store.create(account, body, at=_START + index * 9 * _DAY))
    if store.registry.get("Opportunity") is not None:  # a test's registry may hold accounts alone
        seed_demo(store)
