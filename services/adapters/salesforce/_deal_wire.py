"""Salesforce's JSON for opportunities, their products and revgate's write-backs (decoders built once).

Numbers (Amount, Quantity, prices, the term) decode straight into ``Decimal`` from the JSON
text, so no binary float rounding creeps into money.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

import msgspec

from services.adapters.salesforce._wire import QueryPage


class OpportunityRecord(msgspec.Struct, kw_only=True):
    """An Opportunity as the adapter reads it (``GET /sobjects/Opportunity/{id}?fields=...``)."""

    id: str = msgspec.field(name="Id")
    name: str = msgspec.field(name="Name")
    account_id: str | None = msgspec.field(default=None, name="AccountId")
    stage_name: str = msgspec.field(name="StageName")
    is_closed: bool = msgspec.field(name="IsClosed")
    is_won: bool = msgspec.field(name="IsWon")
    close_date: dt.date = msgspec.field(name="CloseDate")
    currency: str = msgspec.field(name="CurrencyIsoCode")
    amount: Decimal | None = msgspec.field(default=None, name="Amount")
    term_months: Decimal | None = msgspec.field(default=None, name="Revgate_Term_Months__c")
    service_start: dt.date | None = msgspec.field(default=None, name="Revgate_Service_Start__c")
    order_id: str | None = msgspec.field(default=None, name="Revgate_Order_Id__c")


OPPORTUNITY_COLUMNS: Final = tuple(f.encode_name for f in msgspec.structs.fields(OpportunityRecord))


class ProductFields(msgspec.Struct):
    """The line's Product2, reached through the relationship in SOQL (``Product2.Name``)."""

    name: str = msgspec.field(name="Name")
    is_active: bool = msgspec.field(name="IsActive")


class LineRecord(msgspec.Struct, kw_only=True):
    """An OpportunityLineItem with its product, as a SOQL row."""

    id: str = msgspec.field(name="Id")
    product_code: str | None = msgspec.field(default=None, name="ProductCode")
    quantity: Decimal = msgspec.field(name="Quantity")
    unit_price: Decimal = msgspec.field(name="UnitPrice")
    total_price: Decimal = msgspec.field(name="TotalPrice")
    service_date: dt.date | None = msgspec.field(default=None, name="ServiceDate")
    product: ProductFields | None = msgspec.field(default=None, name="Product2")


LINE_COLUMNS: Final = (
    "Id",
    "ProductCode",
    "Quantity",
    "UnitPrice",
    "TotalPrice",
    "ServiceDate",
    "Product2.Name",
    "Product2.IsActive",
)


class DealFields(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The Opportunity fields revgate writes back; a field left None is not sent (left as it is)."""

    order_id: str | None = msgspec.field(default=None, name="Revgate_Order_Id__c")
    integration_status: str | None = msgspec.field(default=None, name="Revgate_Integration_Status__c")
    integration_message: str | None = msgspec.field(default=None, name="Revgate_Integration_Message__c")
    subscription_number: str | None = msgspec.field(default=None, name="Revgate_Subscription_Number__c")
    erp_order_id: str | None = msgspec.field(default=None, name="Revgate_Erp_Order_Id__c")
    seats: int | None = msgspec.field(default=None, name="Revgate_Seats__c")
    contract_end: dt.date | None = msgspec.field(default=None, name="Revgate_Contract_End__c")
    subscription_status: str | None = msgspec.field(default=None, name="Revgate_Subscription_Status__c")


class BillingStateFields(msgspec.Struct, kw_only=True):
    """The Account's payment fields; both are always sent (a null message clears an old failure)."""

    payment_status: str = msgspec.field(name="Revgate_Payment_Status__c")
    payment_message: str | None = msgspec.field(name="Revgate_Payment_Message__c")


OPPORTUNITY: Final = msgspec.json.Decoder(OpportunityRecord)
LINE_PAGE: Final = msgspec.json.Decoder(QueryPage[LineRecord])
