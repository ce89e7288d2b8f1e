"""The demo deal of :mod:`services.sandbox._demo` in the org: the shared catalog in the standard price
book, the demo customer's Account under its fixed id, a Closed Won opportunity ready to become an
order, and an open one (Negotiation/Review) that must not.

The fixed ids are the 900th and 901st of their key prefix, far below the sequence the store mints
from, so they never meet a minted id. Written through the store, so the seed obeys every rule
(line prices, the Amount roll-up, derived flags).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Final

from services.sandbox import _demo
from services.sandbox.salesforce._ids import mint_id
from services.sandbox.salesforce._objects import (
    ACCOUNT,
    OPPORTUNITY,
    OPPORTUNITY_LINE_ITEM,
    PRICEBOOK2,
    PRICEBOOK_ENTRY,
    PRODUCT2,
)
from services.sandbox.salesforce._store import SObjectStore

STANDARD_PRICE_BOOK: Final = "Standard Price Book"
_TODAY: Final = dt.date.today()
# Relative to the day the sandbox starts, so the deal is always recent enough to order.
WON_CLOSE_DATE: Final = _TODAY - dt.timedelta(days=6)
WON_SERVICE_START: Final = (_TODAY.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
"""The first day of next month."""
WON_LINES: Final = (("RG-PLATFORM", 25, Decimal("100.00")), ("RG-ANALYTICS", 25, Decimal("25.00")))
"""(SKU, seats, unit price) of the Closed Won demo opportunity."""
OPEN_OPPORTUNITY_CRM_ID: Final = mint_id(OPPORTUNITY.key_prefix, 901)
"""An opportunity still in Negotiation/Review on the demo account: quote-to-cash must refuse it."""
OPEN_OPPORTUNITY_NAME: Final = "Initech — Analytics expansion 10 seats"

_CATALOG_CREATED: Final = dt.datetime(2023, 9, 1, 8, 0, tzinfo=dt.UTC)
_ACCOUNT_CREATED: Final = dt.datetime(2023, 10, 2, 15, 12, tzinfo=dt.UTC)
_WON_CREATED: Final = dt.datetime.combine(_TODAY - dt.timedelta(days=52), dt.time(10, 0), dt.UTC)
_OPEN_CREATED: Final = dt.datetime.combine(_TODAY - dt.timedelta(days=17), dt.time(14, 30), dt.UTC)


def seed_demo(store: SObjectStore) -> None:
    """Add the catalog, the demo account and its two opportunities (after the other seed data)."""
    entries = _seed_catalog(store)
    store.create(
        ACCOUNT,
        {
            "Name": _demo.CUSTOMER_NAME,
            "Industry": "Technology",
            "Type": "Customer - Direct",
            "Phone": "+1 512 555 0139",
            "Website": "https://initech.example.com",
            "Revgate_Id__c": _demo.CUSTOMER_ID,
            "Revgate_Match_Key__c": _demo.MATCH_KEY,
            "BillingStreet": "4120 Freidrich Lane",
            "BillingCity": "Austin",
            "BillingState": "TX",
            "BillingPostalCode": "78744",
            "BillingCountry": _demo.COUNTRY,
        },
        at=_ACCOUNT_CREATED,
        record_id=_demo.ACCOUNT_CRM_ID,
    )
    _seed_opportunity(
        store,
        _demo.OPPORTUNITY_CRM_ID,
        {
            "Name": "Initech — Revenue Platform 25 seats",
            "StageName": "Closed Won",
            "CloseDate": WON_CLOSE_DATE.isoformat(),
            "Revgate_Service_Start__c": WON_SERVICE_START.isoformat(),
        },
        [(entries[sku, _demo.CURRENCY], seats, price) for sku, seats, price in WON_LINES],
        _WON_CREATED,
    )
    _seed_opportunity(
        store,
        OPEN_OPPORTUNITY_CRM_ID,
        {
            "Name": OPEN_OPPORTUNITY_NAME,
            "StageName": "Negotiation/Review",
            "CloseDate": (_TODAY + dt.timedelta(days=22)).isoformat(),
            "Revgate_Service_Start__c": "2027-01-01",
        },
        [(entries["RG-ANALYTICS", _demo.CURRENCY], 10, Decimal("25.00"))],
        _OPEN_CREATED,
    )


def _seed_catalog(store: SObjectStore) -> dict[tuple[str, str], str]:
    """Product2 per catalog entry, a standard PricebookEntry per price; entry ids by (SKU, currency)."""
    pricebook_id = store.create(
        PRICEBOOK2, {"Name": STANDARD_PRICE_BOOK, "IsActive": True}, at=_CATALOG_CREATED
    )
    pricebook = store.get(PRICEBOOK2, pricebook_id)
    assert pricebook is not None
    # Every org has exactly one standard price book, made by Salesforce, not through the API.
    store.system_update(PRICEBOOK2, pricebook, {"IsStandard": True}, _CATALOG_CREATED)
    entries: dict[tuple[str, str], str] = {}
    for item in _demo.CATALOG:
        product_id = store.create(
            PRODUCT2,
            {
                "Name": item.name,
                "ProductCode": item.sku,
                "IsActive": item.active,
                "Family": "Software" if item.in_billing else "Services",
            },
            at=_CATALOG_CREATED,
        )
        for currency, price in item.prices.items():
            entries[item.sku, currency] = store.create(
                PRICEBOOK_ENTRY,
                {
                    "Pricebook2Id": pricebook_id,
                    "Product2Id": product_id,
                    "CurrencyIsoCode": currency,
                    "UnitPrice": float(price),
                    # Entries stay active when a product is retired, so old deals can still be read.
                    "IsActive": True,
                },
                at=_CATALOG_CREATED,
            )
    return entries


def _seed_opportunity(
    store: SObjectStore,
    record_id: str,
    fields: dict[str, Any],
    lines: list[tuple[str, int, Decimal]],
    created: dt.datetime,
) -> None:
    store.create(
        OPPORTUNITY,
        {
            **fields,
            "AccountId": _demo.ACCOUNT_CRM_ID,
            "CurrencyIsoCode": _demo.CURRENCY,
            "Revgate_Term_Months__c": _demo.TERM_MONTHS,
        },
        at=created,
        record_id=record_id,
    )
    for entry_id, quantity, price in lines:
        store.create(
            OPPORTUNITY_LINE_ITEM,
            {
                "OpportunityId": record_id,
                "PricebookEntryId": entry_id,
                "Quantity": quantity,
                "UnitPrice": float(price),
                "ServiceDate": fields["Revgate_Service_Start__c"],
            },
            at=created,
        )
