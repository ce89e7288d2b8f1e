"""The Zuora sandbox's catalog, Orders API and subscriptions, in Zuora's shapes."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from services.sandbox import _demo
from services.sandbox.zuora import DEMO_PAYMENT_METHOD_ID, catalog_ids
from tests.fixtures.zuora import ZuoraSandbox
from tests.services.sandbox.test_zuora import assert_failure

CUSTOMER = _demo.CUSTOMER_ID
PLATFORM = catalog_ids("RG-PLATFORM")
ANALYTICS = catalog_ids("RG-ANALYTICS")
LEGACY = catalog_ids("RG-LEGACY")
ALL_TRIGGERS = ("ContractEffective", "ServiceActivation", "CustomerAcceptance")


def triggers(day: str, names: tuple[str, ...] = ALL_TRIGGERS) -> list[dict[str, str]]:
    return [{"name": name, "triggerDate": day} for name in names]


def plan(ids: Any, quantity: Any = 25, price: Any = None) -> dict[str, Any]:
    per_unit: dict[str, Any] = {"quantity": quantity}
    if price is not None:
        per_unit["listPrice"] = price
    return {
        "productRatePlanId": ids.product_rate_plan_id,
        "chargeOverrides": [
            {
                "productRatePlanChargeId": ids.product_rate_plan_charge_id,
                "pricing": {"recurringPerUnit": per_unit},
            }
        ],
    }


def new_subscription_order(
    *plans: dict[str, Any],
    start: str = "2025-01-01",
    months: int = 12,
    account: str = CUSTOMER,
    order_ref: str = "ord_1",
    trigger_names: tuple[str, ...] = ALL_TRIGGERS,
) -> dict[str, Any]:
    return {
        "existingAccountNumber": account,
        "orderDate": start,
        "subscriptions": [
            {
                "customFields": {"RevgateOrderId__c": order_ref},
                "orderActions": [
                    {
                        "type": "CreateSubscription",
                        "triggerDates": triggers(start, trigger_names),
                        "createSubscription": {
                            "terms": {
                                "initialTerm": {
                                    "period": months,
                                    "periodType": "Month",
                                    "termType": "TERMED",
                                },
                                "renewalTerms": [{"period": months, "periodType": "Month"}],
                                "autoRenew": True,
                            },
                            "subscribeToRatePlans": list(plans) or [plan(PLATFORM)],
                        },
                    }
                ],
            }
        ],
    }


def amendment_order(
    number: str, action: dict[str, Any], *, order_date: str, ref: str = "amd_1"
) -> dict[str, Any]:
    return {
        "existingAccountNumber": CUSTOMER,
        "orderDate": order_date,
        "customFields": {"RevgateAmendmentId__c": ref},
        "subscriptions": [{"subscriptionNumber": number, "orderActions": [action]}],
    }


def update_quantity(subscription: dict[str, Any], quantity: int, day: str) -> dict[str, Any]:
    rate_plan = subscription["ratePlans"][0]
    return {
        "type": "UpdateProduct",
        "triggerDates": triggers(day, ("ContractEffective",)),
        "updateProduct": {
            "ratePlanId": rate_plan["id"],
            "chargeUpdates": [
                {
                    "chargeNumber": rate_plan["ratePlanCharges"][0]["number"],
                    "pricing": {"recurringPerUnit": {"quantity": quantity}},
                }
            ],
        },
    }


def delta_tcb(sandbox: ZuoraSandbox, order_number: str) -> Decimal:
    order = sandbox.ok("GET", f"/v1/orders/{order_number}")["order"]
    return sum(
        (
            Decimal(str(line["grossAmount"]))
            for sub in order["subscriptions"]
            for action in sub["orderActions"]
            for line in action["orderDeltaMetrics"]["orderDeltaTcb"]
        ),
        Decimal(0),
    )


def subscribe(sandbox: ZuoraSandbox, *plans: dict[str, Any], **options: Any) -> dict[str, Any]:
    """Create a subscription (25 seats of RG-PLATFORM from 2025-01-01 by default); answers it."""
    created = sandbox.ok("POST", "/v1/orders", json=new_subscription_order(*plans, **options))
    return sandbox.ok("GET", f"/v1/subscriptions/{created['subscriptions'][0]['subscriptionNumber']}")


# --- catalog and seed -----------------------------------------------------------------------


def test_catalog_is_the_shared_catalog_with_list_prices(zuora_sandbox: ZuoraSandbox) -> None:
    products = {p["sku"]: p for p in zuora_sandbox.ok("GET", "/v1/catalog/products")["products"]}
    billed = {entry.sku: entry for entry in _demo.CATALOG if entry.in_billing}
    assert set(products) == set(billed)  # RG-ONBOARDING is not sold as a subscription
    for sku, product in products.items():
        ids = catalog_ids(sku)
        [rate_plan] = product["productRatePlans"]
        [charge] = rate_plan["productRatePlanCharges"]
        assert (product["id"], rate_plan["id"], charge["id"]) == (
            ids.product_id,
            ids.product_rate_plan_id,
            ids.product_rate_plan_charge_id,
        )
        assert (charge["type"], charge["model"], charge["billingPeriod"], charge["uom"]) == (
            "Recurring",
            "PerUnit",
            "Month",
            "Seat",
        )
        assert {p["currency"]: Decimal(str(p["price"])) for p in charge["pricing"]} == billed[sku].prices
    today = dt.date.today().isoformat()
    assert products["RG-LEGACY"]["effectiveEndDate"] < today
    assert products["RG-LEGACY"]["productRatePlans"][0]["status"] == "Expired"
    assert products["RG-PLATFORM"]["productRatePlans"][0]["status"] == "Active"


def test_catalog_pages_with_next_page(zuora_sandbox: ZuoraSandbox) -> None:
    first = zuora_sandbox.ok("GET", "/v1/catalog/products", params={"pageSize": 2})
    assert len(first["products"]) == 2
    assert first["nextPage"].startswith(zuora_sandbox.url)
    second = zuora_sandbox.ok("GET", first["nextPage"].removeprefix(zuora_sandbox.url))
    assert len(second["products"]) == 1
    assert "nextPage" not in second
    skus = [p["sku"] for p in first["products"] + second["products"]]
    assert sorted(skus) == ["RG-ANALYTICS", "RG-LEGACY", "RG-PLATFORM"]
    assert_failure(zuora_sandbox.api("GET", "/v1/catalog/products", params={"pageSize": 41}), 20)


def test_demo_customer_is_seeded_with_a_card(zuora_sandbox: ZuoraSandbox) -> None:
    detail = zuora_sandbox.ok("GET", f"/v1/accounts/{CUSTOMER}")
    assert detail["basicInfo"]["name"] == _demo.CUSTOMER_NAME
    assert detail["basicInfo"]["crmId"] == _demo.ACCOUNT_CRM_ID
    billing = detail["billingAndPayment"]
    assert (billing["currency"], billing["billCycleDay"], billing["autoPay"], billing["paymentTerm"]) == (
        "USD",
        1,
        True,
        "Net 30",
    )
    assert billing["defaultPaymentMethodId"] == DEMO_PAYMENT_METHOD_ID
    assert detail["billToContact"]["country"] == "United States"


# --- creating subscriptions -----------------------------------------------------------------


def test_create_subscription_answers_order_and_subscription_in_zuora_shape(
    zuora_sandbox: ZuoraSandbox,
) -> None:
    order = new_subscription_order(plan(PLATFORM, 25), plan(ANALYTICS, 10, price=20))
    created = zuora_sandbox.ok("POST", "/v1/orders", json=order)
    assert created == {
        "success": True,
        "orderNumber": "O-00000001",
        "accountNumber": CUSTOMER,
        "status": "Completed",
        "subscriptions": [{"subscriptionNumber": "A-S00000001", "status": "Active"}],
    }
    sub = zuora_sandbox.ok("GET", "/v1/subscriptions/A-S00000001")
    assert re.fullmatch(r"[0-9a-f]{32}", sub["id"])
    assert sub["RevgateOrderId__c"] == "ord_1"
    assert (sub["status"], sub["version"], sub["termType"], sub["orderNumber"]) == (
        "Active",
        1,
        "TERMED",
        "O-00000001",
    )
    assert (sub["termStartDate"], sub["termEndDate"], sub["currentTerm"]) == ("2025-01-01", "2026-01-01", 12)
    assert (
        sub["contractEffectiveDate"]
        == sub["serviceActivationDate"]
        == sub["customerAcceptanceDate"]
        == "2025-01-01"
    )
    platform, analytics = sub["ratePlans"]
    assert (platform["productSku"], platform["productRatePlanId"]) == (
        "RG-PLATFORM",
        PLATFORM.product_rate_plan_id,
    )
    [charge] = platform["ratePlanCharges"]
    assert charge["number"] == "C-00000001"
    assert (charge["quantity"], charge["price"], charge["mrr"], charge["tcv"]) == (25, 100, 2500, 30000)
    assert (charge["effectiveStartDate"], charge["effectiveEndDate"]) == ("2025-01-01", "2026-01-01")
    [override] = analytics["ratePlanCharges"]
    assert (override["number"], override["price"], override["mrr"]) == ("C-00000002", 20, 200)
    assert sub["contractedMrr"] == 2700
    assert delta_tcb(zuora_sandbox, "O-00000001") == Decimal(30000 + 2400)


@pytest.mark.parametrize(
    ("names", "status", "order_status"),
    [
        (("ContractEffective",), "Pending Activation", "Pending"),
        (("ContractEffective", "ServiceActivation"), "Pending Acceptance", "Pending"),
        (ALL_TRIGGERS, "Active", "Completed"),
    ],
)
def test_activation_needs_all_three_trigger_dates(
    zuora_sandbox: ZuoraSandbox, names: tuple[str, ...], status: str, order_status: str
) -> None:
    created = zuora_sandbox.ok("POST", "/v1/orders", json=new_subscription_order(trigger_names=names))
    assert created["status"] == order_status
    assert created["subscriptions"][0]["status"] == status
    assert zuora_sandbox.ok("GET", "/v1/subscriptions/A-S00000001")["status"] == status


def _without_triggers(order: dict[str, Any]) -> dict[str, Any]:
    order["subscriptions"][0]["orderActions"][0]["triggerDates"] = triggers(
        "2025-01-01", ("ServiceActivation",)
    )
    return order


def _evergreen(order: dict[str, Any]) -> dict[str, Any]:
    terms = order["subscriptions"][0]["orderActions"][0]["createSubscription"]["terms"]
    terms["initialTerm"]["termType"] = "EVERGREEN"
    return order


@pytest.mark.parametrize(
    ("order", "category", "words"),
    [
        (new_subscription_order(account="cus_01NOBODY0000000000000000000"), 20, "does not exist"),
        (new_subscription_order(plan(catalog_ids("RG-NOTHING"))), 20, "not a product rate plan"),
        (new_subscription_order(plan(LEGACY)), 20, "not active"),
        (new_subscription_order(plan(PLATFORM, 0)), 20, "greater than 0"),
        (new_subscription_order(plan(PLATFORM, -3)), 20, "greater than 0"),
        (new_subscription_order(months=0), 20, "at least 1"),
        (_without_triggers(new_subscription_order()), 22, "ContractEffective"),
        (_evergreen(new_subscription_order()), 20, "TERMED"),
        ({**new_subscription_order(), "customFields": {"Colour__c": "blue"}}, 21, "Colour__c"),
        ({**new_subscription_order(), "shippingSpeed": "fast"}, 21, "shippingSpeed"),
        ({k: v for k, v in new_subscription_order().items() if k != "orderDate"}, 22, "orderDate"),
        ({**new_subscription_order(), "orderDate": "2025-02-30"}, 20, "orderDate"),
    ],
)
def test_invalid_orders_are_200_with_success_false_and_create_nothing(
    zuora_sandbox: ZuoraSandbox, order: dict[str, Any], category: int, words: str
) -> None:
    body = assert_failure(zuora_sandbox.api("POST", "/v1/orders", json=order), category)
    [reason] = body["reasons"]
    assert str(reason["code"]).startswith("531003")
    assert words in reason["message"]
    # Nothing was made, and numbers drawn by the refused order are given back.
    assert zuora_sandbox.ok("GET", f"/v1/subscriptions/accounts/{CUSTOMER}")["subscriptions"] == []
    assert (
        zuora_sandbox.ok("POST", "/v1/orders", json=new_subscription_order())["orderNumber"] == "O-00000001"
    )


# --- amending -------------------------------------------------------------------------------


def test_quantity_change_prorates_and_makes_a_new_version(zuora_sandbox: ZuoraSandbox) -> None:
    first = subscribe(zuora_sandbox)
    order = amendment_order(
        first["subscriptionNumber"], update_quantity(first, 30, "2025-04-16"), order_date="2025-04-10"
    )
    answer = zuora_sandbox.ok("POST", "/v1/orders", json=order)
    assert answer["subscriptions"] == [{"subscriptionNumber": "A-S00000001", "status": "Active"}]
    # 5 more seats at 100 from Apr 16 to the term's end: 15/30 of April plus May to December.
    assert delta_tcb(zuora_sandbox, answer["orderNumber"]) == Decimal("4250.00")
    read = zuora_sandbox.ok("GET", f"/v1/orders/{answer['orderNumber']}")["order"]
    assert read["customFields"] == {"RevgateAmendmentId__c": "amd_1"}
    [changed] = read["subscriptions"]
    assert (changed["baseVersion"], changed["newVersion"]) == (1, 2)
    [action] = changed["orderActions"]
    assert action["type"] == "UpdateProduct"
    assert action["updateProduct"]["chargeUpdates"][0]["pricing"]["recurringPerUnit"]["quantity"] == 30
    [mrr] = action["orderDeltaMetrics"]["orderDeltaMrr"]
    assert (mrr["grossAmount"], mrr["startDate"], mrr["endDate"], mrr["chargeNumber"]) == (
        500,
        "2025-04-16",
        "2026-01-01",
        "C-00000001",
    )
    after = zuora_sandbox.ok("GET", "/v1/subscriptions/A-S00000001")
    assert after["version"] == 2 and after["id"] != first["id"]
    charge = after["ratePlans"][0]["ratePlanCharges"][0]
    assert (charge["quantity"], charge["segment"], charge["effectiveStartDate"]) == (30, 2, "2025-04-16")
    assert charge["number"] == "C-00000001"
    # The earlier version stays readable under its own id.
    before = zuora_sandbox.ok("GET", f"/v1/subscriptions/{first['id']}")
    assert before["version"] == 1
    assert before["ratePlans"][0]["ratePlanCharges"][0]["quantity"] == 25


def test_renewal_adds_a_term_and_cancellation_takes_off_the_rest(zuora_sandbox: ZuoraSandbox) -> None:
    sub = subscribe(zuora_sandbox)
    renewal = amendment_order(
        "A-S00000001", {"type": "RenewSubscription", "renewSubscription": {}}, order_date="2025-12-01"
    )
    renewed = zuora_sandbox.ok("POST", "/v1/orders", json=renewal)
    assert delta_tcb(zuora_sandbox, renewed["orderNumber"]) == Decimal(30000)
    after = zuora_sandbox.ok("GET", "/v1/subscriptions/A-S00000001")
    assert (after["termStartDate"], after["termEndDate"], after["version"]) == ("2026-01-01", "2027-01-01", 2)

    cancel = {
        "type": "CancelSubscription",
        "cancelSubscription": {
            "cancellationPolicy": "SpecificDate",
            "cancellationEffectiveDate": "2026-07-01",
        },
    }
    cancelled = zuora_sandbox.ok(
        "POST",
        "/v1/orders",
        json=amendment_order("A-S00000001", cancel, order_date="2026-06-01", ref="amd_2"),
    )
    assert cancelled["subscriptions"] == [{"subscriptionNumber": "A-S00000001", "status": "Cancelled"}]
    assert delta_tcb(zuora_sandbox, cancelled["orderNumber"]) == Decimal(-15000)
    final = zuora_sandbox.ok("GET", "/v1/subscriptions/A-S00000001")
    assert (final["status"], final["termEndDate"], final["subscriptionEndDate"]) == (
        "Cancelled",
        "2026-07-01",
        "2026-07-01",
    )
    assert final["cancelledDate"] == "2026-06-01"
    assert sub["id"] != final["id"]


def test_cancellation_at_the_end_of_the_term_takes_nothing_off(zuora_sandbox: ZuoraSandbox) -> None:
    subscribe(zuora_sandbox)
    cancel = {"type": "CancelSubscription", "cancelSubscription": {"cancellationPolicy": "EndOfCurrentTerm"}}
    answer = zuora_sandbox.ok(
        "POST", "/v1/orders", json=amendment_order("A-S00000001", cancel, order_date="2025-03-01")
    )
    order = zuora_sandbox.ok("GET", f"/v1/orders/{answer['orderNumber']}")["order"]
    assert order["subscriptions"][0]["orderActions"][0]["orderDeltaMetrics"]["orderDeltaTcb"] == []
    sub = zuora_sandbox.ok("GET", "/v1/subscriptions/A-S00000001")
    assert (sub["status"], sub["termEndDate"]) == ("Cancelled", "2026-01-01")


def test_invalid_amendments_are_refused(zuora_sandbox: ZuoraSandbox) -> None:
    sub = subscribe(zuora_sandbox)
    wrong_charge = update_quantity(sub, 30, "2025-04-16")
    wrong_charge["updateProduct"]["chargeUpdates"][0]["chargeNumber"] = "C-99999999"
    outside_term = update_quantity(sub, 30, "2026-02-01")
    for action, category, words in (
        (wrong_charge, 20, "C-99999999"),
        (outside_term, 20, "outside the current term"),
        (update_quantity(sub, 0, "2025-04-16"), 20, "greater than 0"),
        ({"type": "SuspendSubscription"}, 20, "SuspendSubscription"),
        (
            {"type": "CancelSubscription", "cancelSubscription": {"cancellationPolicy": "SpecificDate"}},
            22,
            "Date",
        ),
    ):
        order = amendment_order("A-S00000001", action, order_date="2025-04-01")
        body = assert_failure(zuora_sandbox.api("POST", "/v1/orders", json=order), category)
        assert words in body["reasons"][0]["message"]
    unknown = amendment_order("A-S00000999", update_quantity(sub, 30, "2025-04-16"), order_date="2025-04-01")
    assert_failure(zuora_sandbox.api("POST", "/v1/orders", json=unknown), 20)
    cancel = {"type": "CancelSubscription", "cancelSubscription": {"cancellationPolicy": "EndOfCurrentTerm"}}
    zuora_sandbox.ok(
        "POST", "/v1/orders", json=amendment_order("A-S00000001", cancel, order_date="2025-04-01")
    )
    on_cancelled = amendment_order(
        "A-S00000001", update_quantity(sub, 30, "2025-04-16"), order_date="2025-04-02"
    )
    body = assert_failure(zuora_sandbox.api("POST", "/v1/orders", json=on_cancelled), 30)
    assert "cancelled" in body["reasons"][0]["message"]
    assert (
        zuora_sandbox.ok("GET", "/v1/subscriptions/A-S00000001")["version"] == 2
    )  # the refusals changed nothing


def test_orders_of_a_subscription_and_subscriptions_of_an_account(zuora_sandbox: ZuoraSandbox) -> None:
    first = subscribe(zuora_sandbox)
    subscribe(zuora_sandbox, plan(ANALYTICS, 5), order_ref="ord_2")
    zuora_sandbox.ok(
        "POST",
        "/v1/orders",
        json=amendment_order(
            "A-S00000001", update_quantity(first, 40, "2025-02-01"), order_date="2025-01-20"
        ),
    )
    orders = zuora_sandbox.ok("GET", "/v1/orders/subscriptionNumber/A-S00000001")["orders"]
    assert [o["orderNumber"] for o in orders] == ["O-00000001", "O-00000003"]
    assert orders[0]["subscriptions"][0]["customFields"] == {"RevgateOrderId__c": "ord_1"}
    assert orders[1]["customFields"] == {"RevgateAmendmentId__c": "amd_1"}
    listed = zuora_sandbox.ok("GET", f"/v1/subscriptions/accounts/{CUSTOMER}")["subscriptions"]
    assert [(s["subscriptionNumber"], s["RevgateOrderId__c"], s["version"]) for s in listed] == [
        ("A-S00000001", "ord_1", 2),
        ("A-S00000002", "ord_2", 1),
    ]
    assert zuora_sandbox.ok("GET", "/v1/subscriptions/accounts/A00000001")["subscriptions"] == []
    assert_failure(zuora_sandbox.api("GET", "/v1/subscriptions/accounts/A99999999"), 40)
    assert_failure(zuora_sandbox.api("GET", "/v1/subscriptions/A-S00000999"), 40)
    assert_failure(zuora_sandbox.api("GET", "/v1/orders/O-00000999"), 40)


# --- idempotency and billing on order -------------------------------------------------------


def test_orders_honour_idempotency_keys(zuora_sandbox: ZuoraSandbox) -> None:
    headers = {"Idempotency-Key": "revgate-order-ord_1"}
    first = zuora_sandbox.api("POST", "/v1/orders", json=new_subscription_order(), headers=headers)
    again = zuora_sandbox.api("POST", "/v1/orders", json=new_subscription_order(), headers=headers)
    assert again.json() == first.json()
    assert again.headers["Zuora-Request-Id"] == first.headers["Zuora-Request-Id"]
    assert len(zuora_sandbox.ok("GET", f"/v1/subscriptions/accounts/{CUSTOMER}")["subscriptions"]) == 1
    other = zuora_sandbox.api(
        "POST", "/v1/orders", json=new_subscription_order(plan(PLATFORM, 3)), headers=headers
    )
    assert_failure(other, 20, status=422)
    # Beyond the retention window the key is forgotten: the same order would be placed again.
    zuora_sandbox.expire_idempotency_keys()
    replaced = zuora_sandbox.api("POST", "/v1/orders", json=new_subscription_order(), headers=headers)
    assert replaced.json()["orderNumber"] == "O-00000002"


def test_run_billing_bills_the_order_at_once(zuora_sandbox: ZuoraSandbox) -> None:
    order = {
        **new_subscription_order(),
        "processingOptions": {
            "runBilling": True,
            "billingOptions": {"targetDate": "2025-01-01"},
            "collectPayment": True,
        },
    }
    answer = zuora_sandbox.ok("POST", "/v1/orders", json=order)
    assert answer["invoiceNumbers"] == ["INV00000001"]
    assert answer["paymentNumbers"] == ["P-00000001"]
    [invoice] = zuora_sandbox.ok("GET", f"/v1/transactions/invoices/accounts/{CUSTOMER}")["invoices"]
    assert (invoice["status"], invoice["amount"], invoice["balance"]) == ("Posted", 2500, 0)
