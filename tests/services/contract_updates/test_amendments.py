"""Contract updates over HTTP against the three sandboxes: seat changes, renewals, cancellations.

Each test first runs the demo deal through order submission, so that a subscription (Zuora), its
sales order (NetSuite) and the opportunity's write-back (Salesforce) exist to be amended.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from services.sandbox import _demo
from tests.fixtures.netsuite import NetSuiteRecords
from tests.fixtures.quote_to_cash import QuoteToCash, demo_opportunity, sales_orders

DEAL = {"opportunityId": _demo.OPPORTUNITY_CRM_ID}
SEATS, PLATFORM_PRICE = 25, Decimal("100.00")
"""The demo deal's RG-PLATFORM line."""


def ordered(services: QuoteToCash) -> dict[str, Any]:
    """The demo deal, ordered to completion."""
    answer = services.submit_order(DEAL)
    assert answer.status_code == 202, answer.text
    order = services.settled(services.orders, answer.headers["location"])
    assert order["status"] == "completed", order
    return order


def amended(services: QuoteToCash, body: dict[str, Any]) -> dict[str, Any]:
    """The amendment ``body`` once it has finished (completed, failed or stalled)."""
    answer = services.submit_amendment(body)
    assert answer.status_code == 202, answer.text
    assert answer.headers["location"] == f"/v1/amendments/{answer.json()['id']}"
    return services.settled(services.amendments, answer.headers["location"])


def subscription(services: QuoteToCash, number: str) -> dict[str, Any]:
    return services.vendors.zuora.ok("GET", f"/v1/subscriptions/{number}")


def seats_in_zuora(services: QuoteToCash, number: str, sku: str = "RG-PLATFORM") -> int:
    [plan] = [p for p in subscription(services, number)["ratePlans"] if p["productSku"] == sku]
    [charge] = plan["ratePlanCharges"]
    return int(charge["quantity"])


def steps(resource: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["name"], s["state"]) for s in resource["steps"]]


def day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def add_months(anchor: dt.date, months: int) -> dt.date:
    """``anchor`` plus whole months, on the anchor's day or the month's last day when it is shorter."""
    year, month = divmod(anchor.year * 12 + anchor.month - 1 + months, 12)
    return dt.date(year, month + 1, min(anchor.day, calendar.monthrange(year, month + 1)[1]))


def prorated(seats: int, price: Decimal, anchor: dt.date, start: dt.date, end: dt.date) -> Decimal:
    """Zuora's proration of a monthly per-seat charge over ``[start, end)``, worked out here again.

    Billing periods are months anchored on the day the subscription took effect; a stretch of
    service is worth, per period it touches, the days it uses over the days of that period; the
    amount is rounded half up to cents."""
    periods, k = Decimal(0), 0
    while (period_start := add_months(anchor, k)) < end:
        period_end = add_months(anchor, k + 1)
        used = (min(end, period_end) - max(start, period_start)).days
        if used > 0:
            periods += Decimal(used) / Decimal((period_end - period_start).days)
        k += 1
    return (seats * price * periods).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_more_seats_mid_term_are_prorated_by_zuora_and_booked_as_a_change_order(
    quote_to_cash: QuoteToCash, netsuite_records: NetSuiteRecords
) -> None:
    order = ordered(quote_to_cash)
    number = order["subscriptionNumber"]
    before = subscription(quote_to_cash, number)
    term_start, term_end = day(before["termStartDate"]), day(before["termEndDate"])
    # Mid-month, some months in: the first period is a part period, the rest whole ones.
    effective = add_months(term_start, 3) + dt.timedelta(days=10)

    answer = quote_to_cash.submit_amendment(
        {
            "type": "change-quantity",
            "subscriptionNumber": number,
            "productCode": "RG-PLATFORM",
            "quantity": 30,
            "effectiveDate": effective.isoformat(),
        }
    )
    assert answer.status_code == 202, answer.text
    accepted = answer.json()
    assert answer.headers["location"] == f"/v1/amendments/{accepted['id']}"
    assert accepted["steps"][0]["name"] == "validated" and accepted["steps"][0]["state"] == "succeeded"
    assert accepted["orderId"] == order["id"]
    amendment = quote_to_cash.settled(quote_to_cash.amendments, answer.headers["location"])
    assert amendment["status"] == "completed", amendment
    assert steps(amendment) == [
        ("validated", "succeeded"),
        ("subscription-amended", "succeeded"),
        ("erp-adjusted", "succeeded"),
        ("salesforce-updated", "succeeded"),
    ]

    expected = prorated(5, PLATFORM_PRICE, term_start, effective, term_end)
    assert expected != 5 * PLATFORM_PRICE * 8  # a part period is in it (the rule is exercised)
    assert amendment["proratedAmount"] == {"amount": f"{expected:.2f}", "currency": "USD"}
    assert amendment["zuoraOrderNumber"]

    assert seats_in_zuora(quote_to_cash, number) == 30
    assert seats_in_zuora(quote_to_cash, number, "RG-ANALYTICS") == SEATS

    [change] = sales_orders(netsuite_records, amendment["id"])
    assert change["externalId"] == amendment["id"]
    assert change["tranId"] == amendment["erpOrderId"] != order["erpOrderId"]
    assert change["otherRefNum"] == number
    assert change["tranDate"] == effective.isoformat()
    [line] = change["item"]["items"]
    assert line["item"]["refName"] == "RG-PLATFORM"
    assert line["quantity"] == 5
    assert abs(Decimal(str(line["amount"])) - expected) <= Decimal("0.01") * 5
    assert line["revRecStartDate"] == effective.isoformat()
    assert line["revRecEndDate"] == (term_end - dt.timedelta(days=1)).isoformat()
    assert line["billingSchedule"]["refName"] == "Upfront"
    [original] = sales_orders(netsuite_records, order["id"])
    assert [line["quantity"] for line in original["item"]["items"]] == [SEATS, SEATS]

    deal = demo_opportunity(quote_to_cash.vendors)
    assert deal["Revgate_Seats__c"] == 30
    assert deal["Revgate_Contract_End__c"] == (term_end - dt.timedelta(days=1)).isoformat()
    assert deal["Revgate_Integration_Status__c"] == "Completed"
    assert amendment["id"] in deal["Revgate_Integration_Message__c"]


def test_every_reason_an_amendment_cannot_be_done_is_answered_at_once(quote_to_cash: QuoteToCash) -> None:
    number = ordered(quote_to_cash)["subscriptionNumber"]
    term = subscription(quote_to_cash, number)
    term_start, term_end = day(term["termStartDate"]), day(term["termEndDate"])
    within = (term_start + dt.timedelta(days=40)).isoformat()
    cases: list[tuple[dict[str, Any], dict[str, str]]] = [
        # (request, {pointer: words its reason must contain})
        (
            {"type": "change-quantity", "productCode": "RG-PLATFORM"},
            {"/quantity": "required", "/effectiveDate": "required"},
        ),
        (
            {
                "type": "change-quantity",
                "productCode": "RG-PLATFORM",
                "quantity": 20,
                "effectiveDate": (term_start - dt.timedelta(days=1)).isoformat(),
            },
            {"/quantity": "renewal", "/effectiveDate": "outside the current term"},
        ),
        (  # the term's end is the first day of the next term: too late for this one
            {
                "type": "change-quantity",
                "productCode": "RG-PLATFORM",
                "quantity": SEATS,
                "effectiveDate": term_end.isoformat(),
            },
            {"/quantity": "renewal", "/effectiveDate": "outside the current term"},
        ),
        (
            {"type": "change-quantity", "productCode": "RG-LEGACY", "quantity": 40, "effectiveDate": within},
            {"/productCode": "RG-LEGACY"},
        ),
        (
            {"type": "renew", "quantity": 40, "effectiveDate": within},
            {"/quantity": "does not apply", "/effectiveDate": "does not apply"},
        ),
        ({"type": "cancel", "productCode": "RG-PLATFORM"}, {"/productCode": "does not apply"}),
        (
            {"type": "cancel", "effectiveDate": (term_end + dt.timedelta(days=1)).isoformat()},
            {"/effectiveDate": "outside the current term"},
        ),
    ]
    for body, reasons in cases:
        answer = quote_to_cash.submit_amendment({"subscriptionNumber": number, **body})
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["type"] == "https://revgate.dev/problems/validation-failed"
        found = {e["pointer"]: e["reason"] for e in problem["errors"]}
        assert sorted(found) == sorted(reasons), (body, problem["errors"])
        for pointer, words in reasons.items():
            assert words in found[pointer], (body, problem["errors"])

    unknown = quote_to_cash.submit_amendment({"type": "renew", "subscriptionNumber": "A-S99999999"})
    assert unknown.status_code == 422, unknown.text
    assert [e["pointer"] for e in unknown.json()["errors"]] == ["/subscriptionNumber"]
    # Nothing was changed anywhere by the refused requests.
    assert [
        o["orderNumber"]
        for o in quote_to_cash.vendors.zuora.ok("GET", f"/v1/orders/subscriptionNumber/{number}")["orders"]
    ] == [term["orderNumber"]]
    assert seats_in_zuora(quote_to_cash, number) == SEATS


def test_a_renewal_adds_a_term_everywhere(
    quote_to_cash: QuoteToCash, netsuite_records: NetSuiteRecords
) -> None:
    order = ordered(quote_to_cash)
    number = order["subscriptionNumber"]
    before = subscription(quote_to_cash, number)
    old_end = day(before["termEndDate"])
    last_day = old_end - dt.timedelta(days=1)
    assert demo_opportunity(quote_to_cash.vendors)["Revgate_Contract_End__c"] == last_day.isoformat()

    amendment = amended(quote_to_cash, {"type": "renew", "subscriptionNumber": number})
    assert amendment["status"] == "completed", amendment
    assert amendment["zuoraOrderNumber"] and amendment["erpOrderId"]

    after = subscription(quote_to_cash, number)
    new_end = add_months(old_end, _demo.TERM_MONTHS)
    assert (after["termStartDate"], after["termEndDate"]) == (old_end.isoformat(), new_end.isoformat())

    [renewal] = sales_orders(netsuite_records, amendment["id"])
    assert renewal["tranId"] == amendment["erpOrderId"]
    assert renewal["otherRefNum"] == number
    assert renewal["tranDate"] == old_end.isoformat()
    lines = {line["item"]["refName"]: line for line in renewal["item"]["items"]}
    assert sorted(lines) == ["RG-ANALYTICS", "RG-PLATFORM"]
    for sku, monthly in (("RG-PLATFORM", 100), ("RG-ANALYTICS", 25)):
        line = lines[sku]
        assert line["quantity"] == SEATS
        assert line["rate"] == monthly * _demo.TERM_MONTHS  # a seat for the whole new term
        assert line["revRecStartDate"] == old_end.isoformat()
        assert line["revRecEndDate"] == (new_end - dt.timedelta(days=1)).isoformat()
    assert len(sales_orders(netsuite_records, order["id"])) == 1

    deal = demo_opportunity(quote_to_cash.vendors)
    assert deal["Revgate_Contract_End__c"] == (new_end - dt.timedelta(days=1)).isoformat()
    assert deal["Revgate_Subscription_Status__c"] == "Active"


def test_a_cancellation_stops_billing_everywhere(
    quote_to_cash: QuoteToCash, netsuite_records: NetSuiteRecords
) -> None:
    order = ordered(quote_to_cash)
    number = order["subscriptionNumber"]
    [booked] = sales_orders(netsuite_records, order["id"])
    assert [line["isClosed"] for line in booked["item"]["items"]] == [False, False]
    stop = add_months(day(subscription(quote_to_cash, number)["termStartDate"]), 6)

    amendment = amended(
        quote_to_cash, {"type": "cancel", "subscriptionNumber": number, "effectiveDate": stop.isoformat()}
    )
    assert amendment["status"] == "completed", amendment
    assert steps(amendment)[-2:] == [("erp-adjusted", "succeeded"), ("salesforce-updated", "succeeded")]
    assert amendment.get("erpOrderId") is None  # nothing new booked: the original's lines are closed

    cancelled = subscription(quote_to_cash, number)
    assert cancelled["status"] == "Cancelled"
    assert cancelled["termEndDate"] == stop.isoformat()
    [closed] = sales_orders(netsuite_records, order["id"])
    assert [line["isClosed"] for line in closed["item"]["items"]] == [True, True]
    assert closed["status"]["id"] == "Closed"
    assert sales_orders(netsuite_records, amendment["id"]) == []
    deal = demo_opportunity(quote_to_cash.vendors)
    assert deal["Revgate_Subscription_Status__c"] == "Cancelled"
    assert deal["Revgate_Contract_End__c"] == (stop - dt.timedelta(days=1)).isoformat()

    again = quote_to_cash.submit_amendment({"type": "renew", "subscriptionNumber": number})
    assert again.status_code == 422, again.text
    assert "Cancelled" in again.json()["errors"][0]["reason"]


def test_an_amendment_needs_a_key_and_a_retry_is_replayed_once(quote_to_cash: QuoteToCash) -> None:
    number = ordered(quote_to_cash)["subscriptionNumber"]
    orders_before = quote_to_cash.vendors.zuora.ok("GET", f"/v1/orders/subscriptionNumber/{number}")["orders"]
    body = {"type": "renew", "subscriptionNumber": number}

    keyless = quote_to_cash.amendments.post("/v1/amendments", json=body)
    assert keyless.status_code == 400, keyless.text
    assert keyless.json()["type"] == "https://revgate.dev/problems/idempotency-key-required"

    key = uuid.uuid4().hex
    first = quote_to_cash.submit_amendment(body, key)
    assert first.status_code == 202, first.text
    assert "idempotent-replayed" not in first.headers
    done = quote_to_cash.settled(quote_to_cash.amendments, first.headers["location"])
    assert done["status"] == "completed", done
    again = quote_to_cash.submit_amendment(body, key)
    assert again.status_code == 202, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["location"] == first.headers["location"]

    other = quote_to_cash.submit_amendment({"type": "cancel", "subscriptionNumber": number}, key)
    assert other.status_code == 422, other.text
    assert other.json()["type"] == "https://revgate.dev/problems/idempotency-key-reused"

    orders = quote_to_cash.vendors.zuora.ok("GET", f"/v1/orders/subscriptionNumber/{number}")["orders"]
    assert len(orders) == len(orders_before) + 1  # one renewal, whatever the retries
    assert subscription(quote_to_cash, number)["status"] == "Active"  # the cancel never ran


def test_a_refused_request_frees_its_key_for_the_corrected_one(quote_to_cash: QuoteToCash) -> None:
    number = ordered(quote_to_cash)["subscriptionNumber"]
    key = uuid.uuid4().hex
    refused = quote_to_cash.submit_amendment(
        {"type": "change-quantity", "subscriptionNumber": number, "productCode": "RG-PLATFORM"}, key
    )
    assert refused.status_code == 422, refused.text
    start = day(subscription(quote_to_cash, number)["termStartDate"])
    fixed = quote_to_cash.submit_amendment(
        {
            "type": "change-quantity",
            "subscriptionNumber": number,
            "productCode": "RG-PLATFORM",
            "quantity": 26,
            "effectiveDate": start.isoformat(),
        },
        key,
    )
    assert fixed.status_code == 202, fixed.text
    assert quote_to_cash.settled(quote_to_cash.amendments, fixed.headers["location"])["status"] == "completed"
    assert seats_in_zuora(quote_to_cash, number) == 26


def test_an_unknown_amendment_is_not_found(quote_to_cash: QuoteToCash) -> None:
    answer = quote_to_cash.amendments.get("/v1/amendments/amd_01JDF3K8Q2W9R2N7M4K5H6G7F8")
    assert answer.status_code == 404, answer.text
    assert answer.json()["type"] == "https://revgate.dev/problems/not-found"


def test_an_erp_refusal_of_more_seats_restores_the_old_quantity_in_zuora(
    quote_to_cash: QuoteToCash, netsuite_records: NetSuiteRecords
) -> None:
    order = ordered(quote_to_cash)
    number = order["subscriptionNumber"]
    hold = netsuite_records.call(
        "PATCH", f"/customer/eid:{_demo.CUSTOMER_ID}", {"creditHoldOverride": {"id": "ON"}}
    )
    assert hold.status_code == 204, hold.text
    effective = add_months(day(subscription(quote_to_cash, number)["termStartDate"]), 2)

    amendment = amended(
        quote_to_cash,
        {
            "type": "change-quantity",
            "subscriptionNumber": number,
            "productCode": "RG-PLATFORM",
            "quantity": 40,
            "effectiveDate": effective.isoformat(),
        },
    )
    assert amendment["status"] == "failed", amendment
    assert steps(amendment) == [
        ("validated", "succeeded"),
        ("subscription-amended", "succeeded"),
        ("erp-adjusted", "failed"),
        ("salesforce-updated", "skipped"),
        ("subscription-restored", "succeeded"),
        ("salesforce-told", "succeeded"),
    ]
    [reason] = amendment["failureReasons"]
    assert reason["system"] == "netsuite" and "credit hold" in reason["message"]
    assert seats_in_zuora(quote_to_cash, number) == SEATS
    assert sales_orders(netsuite_records, amendment["id"]) == []
    deal = demo_opportunity(quote_to_cash.vendors)
    assert deal["Revgate_Integration_Status__c"] == "Failed"
    assert "credit hold" in deal["Revgate_Integration_Message__c"]
    assert deal["Revgate_Seats__c"] == SEATS


def test_amendments_under_way_are_listed_by_status(quote_to_cash: QuoteToCash) -> None:
    assert quote_to_cash.amendments.get("/v1/amendments").json() == {"items": []}
    refused = quote_to_cash.amendments.get("/v1/amendments", params={"status": "completed"})
    assert refused.status_code == 400, "only statuses of runs under way can be listed"
    assert refused.headers["content-type"] == "application/problem+json"
