"""The demo deal every sandbox seeds alike, so that quote-to-cash runs out of the box.

One customer known to all three systems under the same ids, the product catalog shared by the
CRM's price book, the billing catalog and the ERP's items, and one closed-won opportunity in
the CRM ready to become an order (the README quickstart submits it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from services.domain.customer import match_key

CUSTOMER_ID: Final = "cus_01JDEMQ2C0N1TECH0000000000"
"""Salesforce Revgate_Id__c, Zuora account number, NetSuite customer externalId."""
CUSTOMER_NAME: Final = "Initech Software Inc."
LEGAL_ENTITY: Final = "US01"
CURRENCY: Final = "USD"
COUNTRY: Final = "US"
MATCH_KEY: Final = match_key(CUSTOMER_NAME, LEGAL_ENTITY)
ACCOUNT_CRM_ID: Final = "001Hs00000000EWIAY"
"""The Salesforce Account id (minted as the 900th account id, so it never collides with the seed)."""
OPPORTUNITY_CRM_ID: Final = "006Hs00000000EWIAY"
"""A Closed Won opportunity on that account: 25 seats of RG-PLATFORM and 25 of RG-ANALYTICS, 12 months."""
TERM_MONTHS: Final = 12


class CatalogEntry:
    """One product of the shared catalog."""

    def __init__(
        self, sku: str, name: str, prices: dict[str, Decimal], *, in_billing: bool, active: bool
    ) -> None:
        self.sku = sku
        self.name = name
        self.prices = prices
        """Per seat per month, by currency (CRM price book, billing list price, ERP base rate)."""
        self.in_billing = in_billing
        """Sold as a subscription (a Zuora product and a NetSuite item)."""
        self.active = active
        """Still sold (Product2.IsActive; a Zuora product within its effective dates)."""


CATALOG: Final = (
    CatalogEntry(
        "RG-PLATFORM",
        "Revenue Platform",
        {"USD": Decimal("100.00"), "EUR": Decimal("90.00"), "GBP": Decimal("80.00")},
        in_billing=True,
        active=True,
    ),
    CatalogEntry(
        "RG-ANALYTICS",
        "Analytics Add-on",
        {"USD": Decimal("25.00"), "EUR": Decimal("22.00"), "GBP": Decimal("20.00")},
        in_billing=True,
        active=True,
    ),
    CatalogEntry("RG-LEGACY", "Legacy Reporting", {"USD": Decimal("40.00")}, in_billing=True, active=False),
    CatalogEntry(
        "RG-ONBOARDING", "Onboarding Services", {"USD": Decimal("5000.00")}, in_billing=False, active=True
    ),
)
