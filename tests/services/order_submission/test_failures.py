"""Orders when a system fails: the ERP down (stall, then resume), the ERP refusing (compensation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import msgspec

from services.sandbox import _demo
from services.workflow import MemoryWorkflowStore
from tests.fixtures.customer_master import Vendors
from tests.fixtures.netsuite import NetSuiteRecords
from tests.fixtures.quote_to_cash import (
    FAST_RUN,
    QuoteToCash,
    demo_opportunity,
    running,
    sales_orders,
    subscriptions,
)

DEAL = {"opportunityId": _demo.OPPORTUNITY_CRM_ID}


def accepted_then_erp_down(vendors: Vendors, submit: Callable[[dict[str, Any]], httpx.Response]) -> str:
    """Submit the deal; NetSuite goes down once it is accepted, while Zuora still creates the subscription."""
    vendors.faults("zuora", latencyMs=300)
    answer = submit(DEAL)
    assert answer.status_code == 202, answer.text
    vendors.faults("netsuite", outage=True)
    vendors.faults("zuora", latencyMs=0)
    location: str = answer.headers["location"]
    return location


def test_an_erp_outage_stalls_the_order_visibly_and_resume_completes_it(
    quote_to_cash: QuoteToCash, netsuite_records: NetSuiteRecords
) -> None:
    location = accepted_then_erp_down(quote_to_cash.vendors, quote_to_cash.submit_order)
    stalled = quote_to_cash.settled(quote_to_cash.orders, location)
    assert stalled["status"] == "stalled", stalled
    step = {s["name"]: s for s in stalled["steps"]}["erp-order-booked"]
    assert step["state"] == "stalled" and step["attempts"] == FAST_RUN.attempts
    assert "netsuite" in step["lastError"]
    assert stalled["stalledReason"].startswith("erp-order-booked: netsuite")
    assert stalled["nextAttemptAt"]
    assert stalled["subscriptionNumber"]
    assert demo_opportunity(quote_to_cash.vendors)["Revgate_Integration_Status__c"] == "Stalled"
    listed = quote_to_cash.orders.get("/v1/orders", params={"status": "stalled"}).json()["items"]
    assert [o["id"] for o in listed] == [stalled["id"]], "an operator finds the stalled order"

    quote_to_cash.vendors.faults("netsuite", outage=False)
    resumed = quote_to_cash.orders.post(f"{location}/resume")
    assert resumed.status_code == 202, resumed.text
    done = quote_to_cash.settled(quote_to_cash.orders, location)
    assert done["status"] == "completed", done
    assert len(sales_orders(netsuite_records, done["id"])) == 1
    assert len(subscriptions(quote_to_cash.vendors, done["id"])) == 1
    deal = demo_opportunity(quote_to_cash.vendors)
    assert deal["Revgate_Integration_Status__c"] == "Completed"
    assert deal["Revgate_Erp_Order_Id__c"] == done["erpOrderId"]
    assert quote_to_cash.orders.get("/v1/orders", params={"status": "stalled"}).json()["items"] == []
    assert quote_to_cash.orders.get("/v1/orders").json()["items"] == [], (
        "a completed order is no longer under way"
    )
    again = quote_to_cash.orders.post(f"{location}/resume")
    assert again.status_code == 409
    assert again.json()["type"] == "https://revgate.dev/problems/not-resumable"


def test_a_stalled_order_is_tried_again_by_itself(
    vendors: Vendors, sandbox_urls: dict[str, str], netsuite_client_key: str
) -> None:
    policy = msgspec.structs.replace(FAST_RUN, stall_retry=0.5)
    with running(MemoryWorkflowStore(), vendors, sandbox_urls, netsuite_client_key, policy) as services:
        location = accepted_then_erp_down(vendors, services.submit_order)
        assert services.settled(services.orders, location)["status"] == "stalled"
        vendors.faults("netsuite", outage=False)
        order = services.settled(services.orders, location, until=frozenset({"completed", "failed"}))
        assert order["status"] == "completed", order


def test_an_erp_refusal_cancels_the_subscription_and_tells_salesforce(
    quote_to_cash: QuoteToCash, netsuite_records: NetSuiteRecords
) -> None:
    hold = netsuite_records.call(
        "PATCH", f"/customer/eid:{_demo.CUSTOMER_ID}", {"creditHoldOverride": {"id": "ON"}}
    )
    assert hold.status_code == 204, hold.text
    location = quote_to_cash.submit_order(DEAL).headers["location"]
    order = quote_to_cash.settled(quote_to_cash.orders, location)
    assert order["status"] == "failed", order
    assert [(s["name"], s["state"]) for s in order["steps"]] == [
        ("validated", "succeeded"),
        ("subscription-created", "succeeded"),
        ("activated", "succeeded"),
        ("erp-order-booked", "failed"),
        ("salesforce-updated", "skipped"),
        ("subscription-cancelled", "succeeded"),
        ("salesforce-told", "succeeded"),
    ]
    [reason] = order["failureReasons"]
    assert reason["system"] == "netsuite" and "credit hold" in reason["message"]
    [subscription] = subscriptions(quote_to_cash.vendors, order["id"])
    assert subscription["status"] == "Cancelled"
    assert sales_orders(netsuite_records, order["id"]) == []
    deal = demo_opportunity(quote_to_cash.vendors)
    assert deal["Revgate_Integration_Status__c"] == "Failed"
    assert "credit hold" in deal["Revgate_Integration_Message__c"]
