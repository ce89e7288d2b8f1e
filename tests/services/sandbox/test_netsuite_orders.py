"""The NetSuite sandbox's order side of quote-to-cash: items, billing schedules, sales orders."""

from __future__ import annotations

from typing import Any

import pytest

from services.sandbox import _demo
from tests.fixtures.netsuite import NetSuiteRecords, netsuite_error
from tests.fixtures.netsuite import order_line as line
from tests.fixtures.netsuite import sales_order as order

DEMO = _demo.CUSTOMER_ID


@pytest.fixture
def ns(netsuite_records: NetSuiteRecords) -> NetSuiteRecords:
    return netsuite_records


def lines_of(ns: NetSuiteRecords, key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ns.get(f"/salesOrder/{key}", expandSubResources="true")["item"]["items"]
    return items


# -- seed


def test_catalog_items_are_service_items_keyed_by_sku(ns: NetSuiteRecords) -> None:
    items = [ns.get(f"/serviceSaleItem/{i['id']}") for i in ns.get("/serviceSaleItem")["items"]]

    by_sku = {item["itemId"]: item for item in items}
    assert set(by_sku) == {e.sku for e in _demo.CATALOG if e.in_billing}
    platform = by_sku["RG-PLATFORM"]
    assert platform["externalId"] == "RG-PLATFORM"
    assert platform["displayName"] == "Revenue Platform"
    assert platform["isInactive"] is False
    assert len(platform["subsidiary"]["items"]) == 4
    assert by_sku["RG-LEGACY"]["isInactive"] is True
    prices = ns.get(f"/serviceSaleItem/{platform['id']}/price")["items"]
    usd = next(p for p in prices if p["currencyPage"]["refName"] == "US Dollar")
    assert usd["price"] == 100.0
    assert usd["priceLevel"]["refName"] == "Base Price"


def test_item_record_type_names_ignore_case(ns: NetSuiteRecords) -> None:
    assert ns.get("/servicesaleitem/eid:RG-ANALYTICS")["itemId"] == "RG-ANALYTICS"


def test_billing_schedules_are_seeded_by_name(ns: NetSuiteRecords) -> None:
    schedules = [ns.get(f"/billingSchedule/{i['id']}") for i in ns.get("/billingSchedule")["items"]]

    frequencies = {s["name"]: s["frequency"]["refName"] for s in schedules}
    assert frequencies == {
        "Monthly": "Monthly",
        "Quarterly": "Quarterly",
        "Annual": "Annually",
        "Upfront": "One Time",
    }


def test_the_demo_customer_is_seeded(ns: NetSuiteRecords) -> None:
    customer = ns.get(f"/customer/eid:{DEMO}", expandSubResources="true")

    assert customer["companyName"] == _demo.CUSTOMER_NAME
    assert customer["subsidiary"]["refName"] == "Revgate Demo Inc."
    assert customer["currency"]["refName"] == "US Dollar"
    assert customer["terms"]["refName"] == "Net 30"
    assert customer["creditHoldOverride"] == {"id": "AUTO", "refName": "Auto"}
    [registration] = customer["taxRegistration"]["items"]
    assert registration["nexusCountry"]["id"] == "US"


# -- sales orders


def test_a_sales_order_is_created_with_numbered_lines_amounts_and_status(ns: NetSuiteRecords) -> None:
    created = ns.call("POST", "/salesOrder", order(externalId="ord_01"))

    record = ns.follow(created, expandSubResources="true")
    assert record["tranId"] == "SO1001"
    assert record["externalId"] == "ord_01"
    assert record["entity"]["refName"] == _demo.CUSTOMER_NAME
    assert record["subsidiary"]["refName"] == "Revgate Demo Inc."  # from the customer
    assert record["currency"]["refName"] == "US Dollar"
    assert record["status"] == {"id": "Pending Billing", "refName": "Pending Billing"}
    assert record["total"] == 3125.0
    first, second = record["item"]["items"]
    assert (first["line"], first["amount"], first["isClosed"]) == (1, 2500.0, False)
    assert first["item"]["refName"] == "RG-PLATFORM"
    assert first["billingSchedule"]["refName"] == "Monthly"
    assert (first["revRecStartDate"], first["revRecEndDate"]) == ("2025-01-15", "2026-01-14")
    assert (second["line"], second["amount"]) == (2, 625.0)


def test_lines_are_links_unless_expanded(ns: NetSuiteRecords) -> None:
    ns.call("PUT", "/salesOrder/eid:ord_01", order())

    plain = ns.get("/salesOrder/eid:ord_01")

    assert set(plain["item"]) == {"links"}
    assert len(ns.get("/salesOrder/eid:ord_01/item")["items"]) == 2


def test_a_line_without_rate_takes_the_items_base_price(ns: NetSuiteRecords) -> None:
    without_rate = line("RG-ANALYTICS")
    del without_rate["rate"]
    ns.call("PUT", "/salesOrder/eid:ord_01", order(without_rate))

    [only] = lines_of(ns, "eid:ord_01")

    assert (only["rate"], only["amount"]) == (25.0, 625.0)


def test_upsert_replaces_lines_of_the_same_order(ns: NetSuiteRecords) -> None:
    first = ns.call("PUT", "/salesOrder/eid:ord_01", order())
    again = ns.call("PUT", "/salesOrder/eid:ord_01", order(line(quantity=30)), replace="item")

    assert first.status_code == 204 and again.status_code == 204
    assert ns.get("/salesOrder", q='externalId IS "ord_01"')["totalResults"] == 1
    [only] = lines_of(ns, "eid:ord_01")
    assert (only["line"], only["quantity"], only["amount"]) == (3, 30.0, 3000.0)


def test_patch_merges_lines_by_line_number(ns: NetSuiteRecords) -> None:
    ns.call("PUT", "/salesOrder/eid:ord_01", order())

    ns.call("PATCH", "/salesOrder/eid:ord_01", {"item": {"items": [{"line": 2, "description": "Add-on"}]}})

    first, second = lines_of(ns, "eid:ord_01")
    assert second["description"] == "Add-on" and second["amount"] == 625.0
    assert "description" not in first
    missing = ns.call("PATCH", "/salesOrder/eid:ord_01", {"item": {"items": [{"line": 9, "isClosed": True}]}})
    assert missing.status_code == 400
    assert netsuite_error(missing)["o:errorPath"] == "item.items[0].line"


def test_closing_lines_closes_the_order(ns: NetSuiteRecords) -> None:
    ns.call("PUT", "/salesOrder/eid:ord_01", order())

    one = ns.call("PATCH", "/salesOrder/eid:ord_01", {"item": {"items": [{"line": 1, "isClosed": True}]}})
    after_one = ns.get("/salesOrder/eid:ord_01")["status"]["refName"]
    ns.call("PATCH", "/salesOrder/eid:ord_01", {"item": {"items": [{"line": 2, "isClosed": True}]}})

    assert one.status_code == 204
    assert after_one == "Pending Billing"
    assert ns.get("/salesOrder/eid:ord_01")["status"]["refName"] == "Closed"
    assert [li["isClosed"] for li in lines_of(ns, "eid:ord_01")] == [True, True]


@pytest.mark.parametrize(
    ("body", "code", "path", "words"),
    [
        (order(entity={"externalId": "cus_nobody"}), "INVALID_CONTENT", "entity", "Invalid Field Value"),
        (order(line("RG-NOPE")), "INVALID_CONTENT", "item.items[0].item", "RG-NOPE"),
        (order(line(billingSchedule={"id": "99"})), "INVALID_CONTENT", "item.items[0].billingSchedule", "99"),
        (order(subsidiary={"externalId": "GB01"}), "USER_ERROR", "subsidiary", "subsidiary"),
        (order(currency={"id": "5"}), "USER_ERROR", "currency", "currency"),  # CAD: US01 sells in it
        (order(line(quantity=0)), "USER_ERROR", "item.items[0].quantity", "greater than zero"),
        (order(line(amount=99.0)), "USER_ERROR", "item.items[0].amount", "quantity times the rate"),
        (
            order(line(revRecEndDate="2024-12-31")),
            "USER_ERROR",
            "item.items[0].revRecEndDate",
            "Rev. Rec. End Date",
        ),
        (order(line("RG-LEGACY", rate=40.0)), "USER_ERROR", "item.items[0].item", "inactive"),
        (order(item={"items": []}), "USER_ERROR", "item", "at least one line"),
        (order(tranDate="15/01/2025"), "INVALID_FLD_VALUE", "tranDate", "tranDate"),
    ],
)
def test_invalid_sales_orders_are_refused_with_the_field_path(
    ns: NetSuiteRecords, body: dict[str, Any], code: str, path: str, words: str
) -> None:
    answer = ns.call("PUT", "/salesOrder/eid:ord_bad", body)

    assert answer.status_code == 400
    detail = netsuite_error(answer)
    assert (detail["o:errorCode"], detail["o:errorPath"]) == (code, path)
    assert words in detail["detail"]
    assert ns.call("GET", "/salesOrder/eid:ord_bad").status_code == 404


@pytest.mark.parametrize("hold", [{"id": "ON"}, "ON"])
def test_a_customer_on_credit_hold_gets_no_new_orders(ns: NetSuiteRecords, hold: Any) -> None:
    ns.call("PUT", "/salesOrder/eid:ord_01", order())
    assert ns.call("PATCH", f"/customer/eid:{DEMO}", {"creditHoldOverride": hold}).status_code == 204

    refused = ns.call("PUT", "/salesOrder/eid:ord_02", order())
    closing = ns.call("PATCH", "/salesOrder/eid:ord_01", {"item": {"items": [{"line": 1, "isClosed": True}]}})
    ns.call("PATCH", f"/customer/eid:{DEMO}", {"creditHoldOverride": {"id": "AUTO"}})
    released = ns.call("PUT", "/salesOrder/eid:ord_02", order())

    assert refused.status_code == 400
    detail = netsuite_error(refused)
    assert detail["o:errorCode"] == "USER_ERROR"
    assert detail["o:errorPath"] == "entity"
    assert f"Customer {_demo.CUSTOMER_NAME} is on credit hold" in detail["detail"]
    assert closing.status_code == 204  # closing what was sold is no new sale
    assert released.status_code == 204


def test_the_customer_of_an_order_cannot_change(ns: NetSuiteRecords) -> None:
    ns.call("PUT", "/salesOrder/eid:ord_01", order())

    answer = ns.call("PATCH", "/salesOrder/eid:ord_01", {"entity": {"id": "101"}})

    assert answer.status_code == 400
    assert netsuite_error(answer)["o:errorPath"] == "entity"


def test_status_and_total_are_read_only(ns: NetSuiteRecords) -> None:
    answer = ns.call("PUT", "/salesOrder/eid:ord_01", order(total=1.0))

    assert answer.status_code == 400
    assert netsuite_error(answer)["o:errorPath"] == "total"


# -- collection filtering


def test_collections_filter_with_q(ns: NetSuiteRecords) -> None:
    ns.call("PUT", "/salesOrder/eid:ord_01", order())
    ns.call("PUT", "/salesOrder/eid:ord_02", order(otherRefNum="A-S00000102"))
    demo_id = ns.get(f"/customer/eid:{DEMO}")["id"]

    mine = ns.get("/salesOrder", q=f"entity ANY_OF [{demo_id}, 101]")
    by_ref = ns.get("/salesOrder", q='otherRefNum IS "A-S00000102"')
    either = ns.get("/salesOrder", q="(externalId IS ord_01 OR externalId IS ord_02) AND total GREATER 3000")
    none = ns.get("/salesOrder", q="entity ANY_OF [101]")
    euro = ns.get("/customer", q="currency ANY_OF [3] AND companyName START_WITH kaiser")

    assert mine["totalResults"] == 2
    assert [i["id"] for i in by_ref["items"]] == [ns.get("/salesOrder/eid:ord_02")["id"]]
    assert either["totalResults"] == 2
    assert none == {**none, "count": 0, "totalResults": 0, "items": [], "hasMore": False}
    assert euro["totalResults"] == 1


@pytest.mark.parametrize("query", ["nickname IS x", "entity LIKE 1", "entity ANY_OF", "(entity ANY_OF [1]"])
def test_unreadable_filters_are_refused(ns: NetSuiteRecords, query: str) -> None:
    answer = ns.call("GET", "/salesOrder", q=query)

    assert answer.status_code == 400
    assert netsuite_error(answer)["o:errorCode"] == "INVALID_PARAMETER"
