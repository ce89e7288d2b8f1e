"""What sales orders sell: service sale items (by SKU) and billing schedules (Advanced Billing).

``serviceSaleItem`` (REST record id ``servicesaleitem``) carries the pricing sublist ``price``
as REST web services show it with Multiple Currencies on: one line per currency and price
level. ``billingSchedule`` fields follow the SOAP schema browser's BillingSchedule; the REST ids
of the ``frequency`` choices are a guess from its enumeration (``One Time`` is ``ONETIME``).
"""

from __future__ import annotations

from typing import Any, Final

import msgspec
from msgspec import UNSET, UnsetType

from services.sandbox.netsuite._model import RecordType, Ref, Sublist

PRICE_LEVELS: Final = {"1": "Base Price"}
FREQUENCIES: Final = {
    "DAILY": "Daily",
    "WEEKLY": "Weekly",
    "MONTHLY": "Monthly",
    "QUARTERLY": "Quarterly",
    "TWICEAYEAR": "Twice a Year",
    "ANNUALLY": "Annually",
    "ONETIME": "One Time",
    "CUSTOM": "Custom",
}
SCHEDULE_TYPES: Final = {"STD": "Standard", "CB": "Charge-Based", "FBD": "Fixed Bid, Milestone"}


class PriceLine(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    """A line of the pricing matrix: the price of one price level in one currency."""

    currency_page: Ref | UnsetType = UNSET
    price_level: Ref | UnsetType = UNSET
    price: float | UnsetType = UNSET


class ServiceSaleItem(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    id: str | UnsetType = UNSET
    item_id: str | UnsetType = UNSET
    """The item's name/number: the SKU."""
    display_name: str | UnsetType = UNSET
    sales_description: str | UnsetType = UNSET
    external_id: str | UnsetType = UNSET
    is_inactive: bool | UnsetType = UNSET
    subsidiary: Sublist[Ref] | UnsetType = UNSET
    include_children: bool | UnsetType = UNSET
    price: Sublist[PriceLine] | UnsetType = UNSET
    date_created: str | UnsetType = UNSET
    last_modified_date: str | UnsetType = UNSET


class BillingSchedule(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    id: str | UnsetType = UNSET
    name: str | UnsetType = UNSET
    schedule_type: Ref | UnsetType = UNSET
    frequency: Ref | UnsetType = UNSET
    initial_amount: str | UnsetType = UNSET
    """An amount or a percentage, as text (``"100%"``)."""
    number_remaining: int | UnsetType = UNSET
    """Recurrence count."""
    in_arrears: bool | UnsetType = UNSET
    is_public: bool | UnsetType = UNSET
    is_inactive: bool | UnsetType = UNSET
    external_id: str | UnsetType = UNSET
    date_created: str | UnsetType = UNSET
    last_modified_date: str | UnsetType = UNSET


def base_price(item: Any, currency_id: str) -> float | None:
    """The item's base price in a currency, or None when it has none."""
    lines = item.price.items if item.price is not UNSET else []
    for line in lines:
        if (
            line.currency_page is not UNSET
            and str(line.currency_page.id) == currency_id
            and (line.price_level is UNSET or str(line.price_level.id) == "1")
            and line.price is not UNSET
        ):
            return float(line.price)
    return None


def available_in(item: Any, subsidiary_id: str) -> bool:
    """Whether the item may be sold by the subsidiary (no subsidiaries listed: by all of them)."""
    if item.subsidiary is UNSET or not item.subsidiary.items:
        return True
    return subsidiary_id in {str(ref.id) for ref in item.subsidiary.items}


SERVICE_SALE_ITEM: Final = RecordType(
    name="serviceSaleItem",
    model=ServiceSaleItem,
    labels={"itemId": "Item Name/Number", "subsidiary": "Subsidiary"},
    required=("itemId",),
    multiselects={"subsidiary": "subsidiary"},
    sublists={"price": {"currencyPage": "currency", "priceLevel": PRICE_LEVELS}},
    unique=("externalId", "itemId"),
    name_field="itemId",
    defaults=lambda store, record_id: {"is_inactive": False, "include_children": False},
    first_id=201,
)

BILLING_SCHEDULE: Final = RecordType(
    name="billingSchedule",
    model=BillingSchedule,
    labels={"name": "Name", "frequency": "Recurrence Frequency", "initialAmount": "Initial Amount"},
    required=("name", "frequency"),
    references={"frequency": FREQUENCIES, "scheduleType": SCHEDULE_TYPES},
    unique=("externalId", "name"),
    defaults=lambda store, record_id: {
        "schedule_type": Ref(id="STD"),
        "in_arrears": False,
        "is_public": True,
        "is_inactive": False,
    },
)

CATALOG_TYPES: Final = (SERVICE_SALE_ITEM, BILLING_SCHEDULE)
