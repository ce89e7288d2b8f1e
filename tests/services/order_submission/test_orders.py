"""Order submission over HTTP against the three sandboxes: checks, steps, idempotency."""

from __future__ import annotations

import concurrent.futures
import uuid

from services.sandbox import _demo
from tests.fixtures.quote_to_cash import QuoteToCash

DEAL = {"opportunityId": _demo.OPPORTUNITY_CRM_ID}


def test_a_won_deal_becomes_a_subscription_a_sales_order_and_a_salesforce_update(
    quote_to_cash: QuoteToCash,
) -> None:
    answer = quote_to_cash.submit_order(DEAL)
    assert answer.status_code == 202, answer.text
    accepted = answer.json()
    assert answer.headers["location"] == f"/v1/orders/{accepted['id']}"
    checked = accepted["steps"][0]
    assert (checked["name"], checked["state"], checked["attempts"]) == ("validated", "succeeded", 1)
    assert checked["startedAt"] == checked["finishedAt"] == accepted["createdAt"]
    order = quote_to_cash.settled(quote_to_cash.orders, answer.headers["location"])
    assert order["status"] == "completed", (order["steps"], order.get("failureReasons"))
    assert [(s["name"], s["state"]) for s in order["steps"]] == [
        ("validated", "succeeded"),
        ("subscription-created", "succeeded"),
        ("activated", "succeeded"),
        ("erp-order-booked", "succeeded"),
        ("salesforce-updated", "succeeded"),
    ]
    assert order["customerId"] == _demo.CUSTOMER_ID
    assert order["totalPerMonth"] == {"amount": "3125.00", "currency": "USD"}
    assert order["subscriptionNumber"] and order["erpOrderId"]


def test_every_reason_a_deal_cannot_be_ordered_is_answered_at_once(quote_to_cash: QuoteToCash) -> None:
    answer = quote_to_cash.submit_order(
        {
            "order": {
                "customerId": _demo.CUSTOMER_ID,
                "currency": "USD",
                "startDate": "2020-01-01",
                "termMonths": 12,
                "lines": [
                    {"productCode": "RG-LEGACY", "quantity": 5, "unitPrice": "40.00"},
                    {"productCode": "RG-ONBOARDING", "quantity": 1, "unitPrice": "5000.00"},
                    {"productCode": "RG-PLATFORM", "quantity": 5, "unitPrice": "10.00"},
                ],
            }
        }
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    assert problem["type"] == "https://revgate.dev/problems/validation-failed"
    pointers = sorted(e["pointer"] for e in problem["errors"])
    assert pointers == [
        "/order/lines/0/productCode",
        "/order/lines/1/productCode",
        "/order/lines/2/unitPrice",
        "/order/startDate",
    ], problem["errors"]


def test_an_order_needs_an_idempotency_key(quote_to_cash: QuoteToCash) -> None:
    answer = quote_to_cash.orders.post("/v1/orders", json=DEAL)
    assert answer.status_code == 400
    assert answer.json()["type"] == "https://revgate.dev/problems/idempotency-key-required"


def test_the_same_key_with_another_body_is_refused_and_a_retry_is_replayed(
    quote_to_cash: QuoteToCash,
) -> None:
    key = uuid.uuid4().hex
    first = quote_to_cash.submit_order(DEAL, key)
    assert first.status_code == 202, first.text
    again = quote_to_cash.submit_order(DEAL, key)
    assert again.status_code == 202
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["location"] == first.headers["location"]
    # A null member is the same request (the fingerprint is of the decoded body): replayed, not refused.
    same = quote_to_cash.submit_order({"opportunityId": _demo.OPPORTUNITY_CRM_ID, "order": None}, key)
    assert same.status_code == 202, same.text
    assert same.headers["idempotent-replayed"] == "true"
    # A body that does not decode is refused before its key is looked at.
    broken = quote_to_cash.submit_order({"order": {"customerId": _demo.CUSTOMER_ID}}, key)
    assert broken.status_code == 422, broken.text
    assert broken.json()["type"] == "https://revgate.dev/problems/invalid-body"
    different = quote_to_cash.orders.post(
        "/v1/orders", json={"opportunityId": "006Hs00000000EWJAY"}, headers={"Idempotency-Key": key}
    )
    assert different.status_code == 422, different.text
    assert different.json()["type"] == "https://revgate.dev/problems/idempotency-key-reused"


def test_concurrent_submissions_with_one_key_make_one_order(quote_to_cash: QuoteToCash) -> None:
    key = uuid.uuid4().hex
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: quote_to_cash.submit_order(DEAL, key), range(8)))
    accepted = {a.json()["id"] for a in answers if a.status_code == 202}
    assert len(accepted) == 1, [(a.status_code, a.text) for a in answers]
    assert {a.status_code for a in answers} <= {202, 409}
    busy = [a for a in answers if a.status_code == 409]
    assert all(a.json()["type"] == "https://revgate.dev/problems/request-in-progress" for a in busy)
    order = quote_to_cash.settled(quote_to_cash.orders, f"/v1/orders/{accepted.pop()}")
    assert order["status"] == "completed"
    subscriptions = (
        quote_to_cash.vendors.sandboxes["zuora"]
        .api("GET", f"/v1/subscriptions/accounts/{_demo.CUSTOMER_ID}")
        .json()["subscriptions"]
    )
    assert [s["RevgateOrderId__c"] for s in subscriptions].count(order["id"]) == 1


def test_an_opportunity_is_ordered_once_whatever_the_key(quote_to_cash: QuoteToCash) -> None:
    first = quote_to_cash.submit_order(DEAL)
    assert first.status_code == 202
    second = quote_to_cash.submit_order(DEAL)
    assert second.status_code == 409
    assert second.json()["type"] == "https://revgate.dev/problems/order-exists"
    assert second.headers["location"] == first.headers["location"]
