"""Demo data: four subsidiaries (legal entities), their currencies, payment terms, a few customers,
the shared catalog's items and the billing schedules.

The quote-to-cash demo customer (:mod:`services.sandbox._demo`) is the last customer; the items
are the catalog entries sold as subscriptions, with ``itemId`` and ``externalId`` the SKU.
"""

from __future__ import annotations

from typing import Final

from msgspec import UNSET

from services.sandbox import _demo
from services.sandbox.netsuite._items import BillingSchedule, PriceLine, ServiceSaleItem
from services.sandbox.netsuite._records import Currency, Customer, Subsidiary, TaxRegistrationLine, Term
from services.sandbox.netsuite._store import RecordStore, Ref, Sublist

_CURRENCIES: Final = (
    # symbol, name, display symbol, exchange rate to USD
    ("USD", "US Dollar", "$", 1.0),
    ("GBP", "British Pound", "£", 1.27),
    ("EUR", "Euro", "€", 1.08),
    ("AUD", "Australian Dollar", "A$", 0.66),
    ("CAD", "Canadian Dollar", "C$", 0.73),
    ("JPY", "Japanese Yen", "¥", 0.0067),
)
_TERMS: Final = (("Due on receipt", 0), ("Net 15", 15), ("Net 30", 30), ("Net 45", 45), ("Net 60", 60))
_SUBSIDIARIES: Final = (
    # external id (legal entity code), name, country, base currency, currencies allowed
    ("US01", "Revgate Demo Inc.", "US", "USD", ("USD", "CAD")),
    ("GB01", "Revgate Demo Ltd", "GB", "GBP", ("GBP", "EUR", "USD")),
    ("DE01", "Revgate Demo GmbH", "DE", "EUR", ("EUR", "USD")),
    ("AU01", "Revgate Demo Pty Ltd", "AU", "AUD", ("AUD", "USD")),
)
#: externalId (revgate customer id, or None for a customer revgate does not manage), company, legal
#: entity, currency, terms, email, tax registrations.
SEED_CUSTOMERS: Final = (
    (
        "cus_01HZX3K8D2Q9V7M4N6P8R0T2W4",
        "Acme Robotics Inc.",
        "US01",
        "USD",
        "Net 30",
        "ap@acme-robotics.example",
        (("US", "12-3456789"),),
    ),
    (
        "cus_01J0A7QK4M2N8P6R3S5T7V9W1X",
        "Northwind Traders Ltd",
        "GB01",
        "GBP",
        "Net 30",
        "accounts@northwind.example",
        (("GB", "GB123456789"),),
    ),
    (
        "cus_01J1B2C3D4E5F6G7H8J9K0M1N2",
        "Kaiser Maschinenbau GmbH",
        "DE01",
        "EUR",
        "Net 45",
        "buchhaltung@kaiser-mb.example",
        (("DE", "DE811907980"),),
    ),
    (
        None,
        "Harbour Bridge Analytics Pty Ltd",
        "AU01",
        "AUD",
        "Net 15",
        "finance@harbourbridge.example",
        (("AU", "51824753556"),),
    ),
    ("cus_01J2P4R6T8V0W2X4Y6Z8A0B2C4", "Maple Leaf Logistics", "US01", "CAD", "Net 60", None, ()),
    (None, "Globex Europe Ltd", "GB01", "EUR", "Due on receipt", "billing@globex.example", ()),
    (
        _demo.CUSTOMER_ID,
        _demo.CUSTOMER_NAME,
        _demo.LEGAL_ENTITY,
        _demo.CURRENCY,
        "Net 30",
        "ap@initech-software.example",
        ((_demo.COUNTRY, "47-1234567"),),
    ),
)
#: Billing schedules: name, frequency, recurrence count, initial amount.
BILLING_SCHEDULES: Final = (
    ("Monthly", "MONTHLY", 12, "0.00"),
    ("Quarterly", "QUARTERLY", 4, "0.00"),
    ("Annual", "ANNUALLY", 1, "0.00"),
    ("Upfront", "ONETIME", 0, "100%"),
)


def seed(store: RecordStore) -> None:
    """Empty the store and load the demo data (ids come out the same on every reset)."""
    store.clear()
    currency_ids: dict[str, str] = {}
    for symbol, name, display, rate in _CURRENCIES:
        currency_ids[symbol] = store.seed(
            "currency",
            Currency(
                name=name,
                symbol=symbol,
                display_symbol=display,
                exchange_rate=rate,
                is_base_currency=symbol == "USD",
                is_inactive=False,
            ),
        )
    term_ids = {
        name: store.seed("term", Term(name=name, days_until_net_due=days, is_inactive=False))
        for name, days in _TERMS
    }
    subsidiary_ids: dict[str, str] = {}
    for code, name, country, base, allowed in _SUBSIDIARIES:
        subsidiary_ids[code] = store.seed(
            "subsidiary",
            Subsidiary(
                name=name,
                legal_name=name,
                country=Ref(id=country),
                currency=Ref(id=currency_ids[base]),
                is_inactive=False,
                external_id=code,
                custrecord_revgate_currencies=Sublist(items=[Ref(id=currency_ids[c]) for c in allowed]),
            ),
        )
    for external_id, company, entity, currency, terms, email, registrations in SEED_CUSTOMERS:
        store.seed(
            "customer",
            Customer(
                company_name=company,
                external_id=UNSET if external_id is None else external_id,
                email=UNSET if email is None else email,
                subsidiary=Ref(id=subsidiary_ids[entity]),
                currency=Ref(id=currency_ids[currency]),
                terms=Ref(id=term_ids[terms]),
                tax_registration=Sublist(
                    items=[
                        TaxRegistrationLine(nexus_country=Ref(id=c), tax_registration_number=n)
                        for c, n in registrations
                    ]
                ),
            ),
        )
    for name, frequency, count, initial in BILLING_SCHEDULES:
        store.seed(
            "billingSchedule",
            BillingSchedule(
                name=name, frequency=Ref(id=frequency), number_remaining=count, initial_amount=initial
            ),
        )
    for entry in _demo.CATALOG:
        if not entry.in_billing:
            continue
        store.seed(
            "serviceSaleItem",
            ServiceSaleItem(
                item_id=entry.sku,
                external_id=entry.sku,
                display_name=entry.name,
                sales_description=entry.name,
                is_inactive=not entry.active,
                subsidiary=Sublist(items=[Ref(id=i) for i in subsidiary_ids.values()]),
                include_children=True,
                price=Sublist(
                    items=[
                        PriceLine(
                            currency_page=Ref(id=currency_ids[c]), price_level=Ref(id="1"), price=float(p)
                        )
                        for c, p in entry.prices.items()
                    ]
                ),
            ),
        )
