"""What Salesforce computes and enforces itself around price books and opportunity products.

- Opportunity: ``IsClosed``/``IsWon`` follow the stage's metadata (:data:`._objects.STAGES`), never
  the stage's name; ``Probability`` takes the stage's default unless the same write sets it; with
  products, ``Amount`` is the sum of their ``TotalPrice`` and a write to it is ignored (the object
  reference says so: "the update call will not be rejected"); the price book and the currency
  cannot change while it has products.
- OpportunityLineItem: its price book entry must be active, in the opportunity's price book
  (which it sets when the opportunity has none) and in its currency; ``UnitPrice`` or
  ``TotalPrice``, not both; ``Quantity`` above zero; ``Product2Id``, ``ProductCode``, ``ListPrice``,
  ``Name`` and ``CurrencyIsoCode`` come from the entry and the opportunity.
- PricebookEntry: one per product, price book and currency; a custom price book's entry needs a
  standard price first; ``ProductCode`` and ``Name`` mirror the product.

Error codes are Salesforce's. The words after "field integrity exception:" follow the messages
Salesforce is known to give; where no public example was found (quantity, currency change,
both prices on insert) they are our guess in the same form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.sandbox.salesforce._errors import ApiError, SalesforceApiError
from services.sandbox.salesforce._objects import (
    CORPORATE_CURRENCY,
    OPPORTUNITY,
    OPPORTUNITY_LINE_ITEM,
    PRICEBOOK2,
    PRICEBOOK_ENTRY,
    PRODUCT2,
    STAGE_BY_LABEL,
)
from services.sandbox.salesforce._schema import SObjectSchema
from services.sandbox.salesforce._store import Record, RecordRules, SObjectStore


def _integrity(why: str, fields: Sequence[str]) -> SalesforceApiError:
    error = ApiError(f"field integrity exception: {why}", "FIELD_INTEGRITY_EXCEPTION", list(fields))
    return SalesforceApiError(400, [error])


def _money(value: float) -> float:
    return round(value, 2)


def _lines_of(store: SObjectStore, opportunity_id: str) -> list[Record]:
    return [r for r in store.records(OPPORTUNITY_LINE_ITEM) if r["OpportunityId"] == opportunity_id]


def _one(store: SObjectStore, schema: SObjectSchema, record_id: str) -> Record:
    """A record a reference already proved to exist (the store checks references before rules run)."""
    record = store.get(schema, record_id)
    assert record is not None, f"{schema.name} {record_id}"
    return record


class _NoRules:
    """Nothing to do: the base of the rules below, which override what they need."""

    def before_write(self, store: SObjectStore, current: Record | None, values: Record) -> None:
        return

    def after_write(self, store: SObjectStore, record: Record, at: dt.datetime) -> None:
        return

    def after_delete(self, store: SObjectStore, record: Record, at: dt.datetime) -> None:
        return


class OpportunityRules(_NoRules):
    """Stage-driven flags, the Amount roll-up's write protection, and its products' names."""

    def before_write(self, store: SObjectStore, current: Record | None, values: Record) -> None:
        if current is None and values.get("CurrencyIsoCode") is None:
            values["CurrencyIsoCode"] = CORPORATE_CURRENCY
        if "StageName" in values:
            stage = STAGE_BY_LABEL[values["StageName"]]
            values["IsClosed"], values["IsWon"] = stage.is_closed, stage.is_won
            if "Probability" not in values and (current is None or current["StageName"] != stage.label):
                values["Probability"] = stage.probability
        if current is None or not current["HasOpportunityLineItem"]:
            return
        values.pop("Amount", None)
        if values.get("Pricebook2Id", current["Pricebook2Id"]) != current["Pricebook2Id"]:
            why = "PricebookId (cannot change pricebook on opportunity with line items)"
            raise _integrity(why, ["Pricebook2Id"])
        if values.get("CurrencyIsoCode", current["CurrencyIsoCode"]) != current["CurrencyIsoCode"]:
            why = "CurrencyIsoCode (cannot change currency on opportunity with line items)"
            raise _integrity(why, ["CurrencyIsoCode"])

    def after_write(self, store: SObjectStore, record: Record, at: dt.datetime) -> None:
        for line in _lines_of(store, record["Id"]):
            product = _one(store, PRODUCT2, line["Product2Id"])
            name = f"{record['Name']} {product['Name']}"
            if line["Name"] != name:
                store.system_update(OPPORTUNITY_LINE_ITEM, line, {"Name": name}, at)


class LineItemRules(_NoRules):
    """An opportunity product: checked against its opportunity and entry, priced, rolled up."""

    def before_write(self, store: SObjectStore, current: Record | None, values: Record) -> None:
        if current is None:
            self._check_new(store, values)
        elif "UnitPrice" in values and "TotalPrice" in values:
            raise SalesforceApiError.one(
                400,
                "INVALID_FIELD",
                "Cannot change both 'UnitPrice' and 'TotalPrice' in update call",
                ["UnitPrice"],
            )
        merged = values if current is None else {**current, **values}
        quantity = merged["Quantity"]
        if quantity <= 0:
            raise _integrity("Quantity (quantity must be greater than zero)", ["Quantity"])
        if values.get("TotalPrice") is not None:
            values["UnitPrice"] = _money(values["TotalPrice"] / quantity)
            values["TotalPrice"] = _money(values["TotalPrice"])
        elif merged.get("UnitPrice") is not None:
            values["TotalPrice"] = _money(quantity * merged["UnitPrice"])

    def _check_new(self, store: SObjectStore, values: Record) -> None:
        entry_id = values.get("PricebookEntryId")
        if entry_id is None:
            raise _integrity(
                "PricebookEntryId, unknown (versions 3.0 and higher must specify pricebook entry id; "
                "others must specify product id)",
                ["PricebookEntryId", "unknown"],
            )
        entry = _one(store, PRICEBOOK_ENTRY, entry_id)
        opportunity = _one(store, OPPORTUNITY, values["OpportunityId"])
        if not entry["IsActive"]:
            raise _integrity("PricebookEntryId (pricebook entry is inactive)", ["PricebookEntryId"])
        if opportunity["Pricebook2Id"] not in (None, entry["Pricebook2Id"]):
            why = "pricebook entry is in a different pricebook than the one assigned to the opportunity"
            raise _integrity(f"PricebookEntryId ({why})", ["PricebookEntryId"])
        if entry["CurrencyIsoCode"] != opportunity["CurrencyIsoCode"]:
            why = "pricebook entry currency code does not match opportunity currency code"
            raise _integrity(f"PricebookEntryId ({why})", ["PricebookEntryId"])
        given = [name for name in ("UnitPrice", "TotalPrice") if values.get(name) is not None]
        if len(given) == 2:
            raise _integrity("TotalPrice (you can't specify both unit price and total price)", ["TotalPrice"])
        if not given:
            raise _integrity("unknown (must specify either TotalPrice or UnitPrice)", ["unknown"])
        product = _one(store, PRODUCT2, entry["Product2Id"])
        values.update(
            Product2Id=product["Id"],
            ProductCode=product["ProductCode"],
            Name=f"{opportunity['Name']} {product['Name']}",
            ListPrice=entry["UnitPrice"],
            CurrencyIsoCode=opportunity["CurrencyIsoCode"],
        )

    def after_write(self, store: SObjectStore, record: Record, at: dt.datetime) -> None:
        _roll_up(store, record["OpportunityId"], at)

    def after_delete(self, store: SObjectStore, record: Record, at: dt.datetime) -> None:
        _roll_up(store, record["OpportunityId"], at)


def _roll_up(store: SObjectStore, opportunity_id: str, at: dt.datetime) -> None:
    """The opportunity's Amount is the sum of its products (left as it was when the last one goes)."""
    opportunity = store.get(OPPORTUNITY, opportunity_id)
    if opportunity is None:  # deleted, and its products with it
        return
    lines = _lines_of(store, opportunity_id)
    changes: Record = {"HasOpportunityLineItem": bool(lines)}
    if lines:
        changes["Amount"] = _money(sum(line["TotalPrice"] for line in lines))
        if opportunity["Pricebook2Id"] is None:
            # The first product sets the price book of an opportunity that has none.
            changes["Pricebook2Id"] = _one(store, PRICEBOOK_ENTRY, lines[0]["PricebookEntryId"])[
                "Pricebook2Id"
            ]
    store.system_update(OPPORTUNITY, opportunity, changes, at)


class PricebookEntryRules(_NoRules):
    """One price per product, price book and currency; standard prices first; the product's code."""

    def before_write(self, store: SObjectStore, current: Record | None, values: Record) -> None:
        if current is not None:
            return
        if values.get("CurrencyIsoCode") is None:
            values["CurrencyIsoCode"] = CORPORATE_CURRENCY
        product_id, currency = values["Product2Id"], values["CurrencyIsoCode"]
        same_price = [
            e
            for e in store.records(PRICEBOOK_ENTRY)
            if (e["Product2Id"], e["CurrencyIsoCode"]) == (product_id, currency)
        ]
        if any(e["Pricebook2Id"] == values["Pricebook2Id"] for e in same_price):
            raise SalesforceApiError.one(
                400, "DUPLICATE_VALUE", "This price definition already exists in this price book"
            )
        standard = {p["Id"] for p in store.records(PRICEBOOK2) if p["IsStandard"]}
        if values["Pricebook2Id"] not in standard and not any(
            e["Pricebook2Id"] in standard for e in same_price
        ):
            raise SalesforceApiError.one(
                400, "STANDARD_PRICE_NOT_DEFINED", "No standard price defined for this product"
            )
        product = _one(store, PRODUCT2, product_id)
        values.update(ProductCode=product["ProductCode"], Name=product["Name"])


class ProductRules(_NoRules):
    """A product's code and name, mirrored on its price book entries and opportunity products."""

    def after_write(self, store: SObjectStore, record: Record, at: dt.datetime) -> None:
        mirrored = {"ProductCode": record["ProductCode"], "Name": record["Name"]}
        for entry in store.records(PRICEBOOK_ENTRY):
            if entry["Product2Id"] == record["Id"] and {k: entry[k] for k in mirrored} != mirrored:
                store.system_update(PRICEBOOK_ENTRY, entry, mirrored, at)
        for line in store.records(OPPORTUNITY_LINE_ITEM):
            if line["Product2Id"] == record["Id"] and line["ProductCode"] != record["ProductCode"]:
                store.system_update(OPPORTUNITY_LINE_ITEM, line, {"ProductCode": record["ProductCode"]}, at)


def sales_rules() -> dict[str, RecordRules]:
    """The rules by sObject type, for :class:`SObjectStore`."""
    return {
        OPPORTUNITY.name: OpportunityRules(),
        OPPORTUNITY_LINE_ITEM.name: LineItemRules(),
        PRICEBOOK_ENTRY.name: PricebookEntryRules(),
        PRODUCT2.name: ProductRules(),
    }
