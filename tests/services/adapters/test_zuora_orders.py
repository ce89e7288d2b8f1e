"""The Zuora adapter's quote-to-cash port (SubscriptionOrders) against the Zuora sandbox, over real HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from services.adapters.errors import NotFound, Rejected, Unavailable
from services.adapters.zuora import ZuoraBilling
from services.quote_to_cash import (
    Cancel,
    ChangeQuantity,
    NewSubscription,
    PlanSubscription,
    Renew,
    Subscription,
    SubscriptionAmendment,
    SubscriptionOrders,
)
from services.runtime.correlation import correlation_id
from services.sandbox import _demo
from services.sandbox.zuora import DECLINING_CARD, catalog_ids
from tests.fixtures.zuora import CalloutReceiver, ZuoraSandbox

CUSTOMER = _demo.CUSTOMER_ID
PLATFORM = catalog_ids("RG-PLATFORM")
ANALYTICS = catalog_ids("RG-ANALYTICS")
LEGACY = catalog_ids("RG-LEGACY")


def platform_seats(quantity: int = 25, price: str = "100.00") -> PlanSubscription:
    return PlanSubscription(
        rate_plan_id=PLATFORM.product_rate_plan_id,
        charge_id=PLATFORM.product_rate_plan_charge_id,
        quantity=quantity,
        unit_price=Decimal(price),
    )


def analytics_seats(quantity: int = 25) -> PlanSubscription:
    return PlanSubscription(
        rate_plan_id=ANALYTICS.product_rate_plan_id,
        charge_id=ANALYTICS.product_rate_plan_charge_id,
        quantity=quantity,
        unit_price=Decimal("25.00"),
    )


def new_subscription(
    *plans: PlanSubscription, order_ref: str = "ord_01JDEMO0000000000000000001", account: str = CUSTOMER
) -> NewSubscription:
    return NewSubscription(
        order_ref=order_ref,
        account_number=account,
        start_date=dt.date(2025, 1, 1),
        term_months=12,
        auto_renew=True,
        plans=plans or (platform_seats(), analytics_seats()),
        opportunity_id=_demo.OPPORTUNITY_CRM_ID,
    )


def orders_posted(sandbox: ZuoraSandbox) -> int:
    return sum(1 for r in sandbox.requests() if (r["method"], r["path"]) == ("POST", "/v1/orders"))


def change_platform(
    subscription: Subscription, quantity: int, day: dt.date, ref: str
) -> SubscriptionAmendment:
    charge = next(c for c in subscription.charges if c.sku == "RG-PLATFORM")
    return SubscriptionAmendment(
        amendment_ref=ref,
        subscription_number=subscription.subscription_number,
        action=ChangeQuantity(
            rate_plan_id=charge.rate_plan_id,
            charge_number=charge.charge_number,
            quantity=quantity,
            effective_date=day,
        ),
    )


# --- catalog --------------------------------------------------------------------------------


async def test_catalog_maps_products_plans_and_prices(zuora_billing: ZuoraBilling) -> None:
    port: SubscriptionOrders = zuora_billing
    products = {p.sku: p for p in await port.catalog()}
    assert set(products) == {"RG-PLATFORM", "RG-ANALYTICS", "RG-LEGACY"}
    platform = products["RG-PLATFORM"]
    assert platform.active and platform.name == "Revenue Platform"
    [plan] = platform.rate_plans
    [charge] = plan.charges
    assert (plan.rate_plan_id, charge.charge_id) == (
        PLATFORM.product_rate_plan_id,
        PLATFORM.product_rate_plan_charge_id,
    )
    assert charge.billing_period == "Month"
    assert charge.list_prices == {"USD": Decimal("100.00"), "EUR": Decimal("90.00"), "GBP": Decimal("80.00")}
    legacy = products["RG-LEGACY"]
    assert not legacy.active
    assert not legacy.rate_plans[0].active


# --- the lifecycle --------------------------------------------------------------------------


async def test_subscription_lifecycle_create_change_renew_cancel(zuora_billing: ZuoraBilling) -> None:
    created = await zuora_billing.create_subscription(new_subscription())
    assert created.subscription_number == "A-S00000001"
    assert (created.status, created.account_number, created.order_ref, created.version) == (
        "Active",
        CUSTOMER,
        "ord_01JDEMO0000000000000000001",
        1,
    )
    assert (created.term_start, created.term_end, created.auto_renew) == (
        dt.date(2025, 1, 1),
        dt.date(2026, 1, 1),
        True,
    )
    assert [(c.sku, c.quantity, c.unit_price, c.billing_period) for c in created.charges] == [
        ("RG-PLATFORM", 25, Decimal("100.00"), "Month"),
        ("RG-ANALYTICS", 25, Decimal("25.00"), "Month"),
    ]
    assert created.charges[0].product_rate_plan_id == PLATFORM.product_rate_plan_id
    assert await zuora_billing.subscription("A-S00000001") == created

    # 5 more seats of 100 from Apr 16: 15/30 of April and 8 whole months.
    changed = await zuora_billing.amend(change_platform(created, 30, dt.date(2025, 4, 16), "amd_1"))
    assert changed.prorated_amount == Decimal("4250.00")
    assert changed.order_number == "O-00000002"
    assert changed.subscription.version == 2
    assert changed.subscription.charges[0].quantity == 30
    assert changed.subscription.charges[0].charge_number == created.charges[0].charge_number

    # A renewal adds a year of 30 x 100 + 25 x 25.
    renewed = await zuora_billing.amend(SubscriptionAmendment("amd_2", "A-S00000001", Renew()))
    assert renewed.prorated_amount == Decimal(12 * (3000 + 625))
    assert (renewed.subscription.term_start, renewed.subscription.term_end) == (
        dt.date(2026, 1, 1),
        dt.date(2027, 1, 1),
    )

    # Cancelling mid-term takes the unused half year off.
    cancelled = await zuora_billing.amend(
        SubscriptionAmendment("amd_3", "A-S00000001", Cancel(effective_date=dt.date(2026, 7, 1)))
    )
    assert cancelled.prorated_amount == Decimal(-6 * (3000 + 625))
    assert (cancelled.subscription.status, cancelled.subscription.term_end) == (
        "Cancelled",
        dt.date(2026, 7, 1),
    )
    assert cancelled.subscription.version == 4


async def test_cancel_at_term_end_takes_nothing_off(zuora_billing: ZuoraBilling) -> None:
    await zuora_billing.create_subscription(new_subscription())
    outcome = await zuora_billing.amend(SubscriptionAmendment("amd_1", "A-S00000001", Cancel()))
    assert outcome.prorated_amount == 0
    assert (outcome.subscription.status, outcome.subscription.term_end) == ("Cancelled", dt.date(2026, 1, 1))


async def test_unknown_subscription_is_none_and_cannot_be_amended(zuora_billing: ZuoraBilling) -> None:
    assert await zuora_billing.subscription("A-S00000999") is None
    with pytest.raises(NotFound):
        await zuora_billing.amend(SubscriptionAmendment("amd_1", "A-S00000999", Renew()))


# --- exactly once ---------------------------------------------------------------------------


async def test_create_twice_with_the_same_ref_makes_one_subscription(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    first = await zuora_billing.create_subscription(new_subscription())
    # Beyond Zuora's 24-hour idempotency window: only the lookup by RevgateOrderId__c can tell.
    zuora_sandbox.expire_idempotency_keys()
    again = await zuora_billing.create_subscription(new_subscription())
    assert again == first
    assert orders_posted(zuora_sandbox) == 1
    listed = zuora_sandbox.ok("GET", f"/v1/subscriptions/accounts/{CUSTOMER}")["subscriptions"]
    assert len(listed) == 1
    other = await zuora_billing.create_subscription(
        new_subscription(order_ref="ord_01JDEMO0000000000000000002")
    )
    assert other.subscription_number == "A-S00000002"


async def test_create_sends_the_order_id_as_idempotency_key_and_custom_fields(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    token = correlation_id.set("q2c:7f3a")
    try:
        await zuora_billing.create_subscription(new_subscription())
    finally:
        correlation_id.reset(token)
    [post] = [r for r in zuora_sandbox.requests() if r["method"] == "POST" and r["path"] == "/v1/orders"]
    assert post["headers"]["idempotency-key"] == "revgate-order-ord_01JDEMO0000000000000000001"
    assert {
        r["headers"].get("zuora-track-id") for r in zuora_sandbox.requests() if r["path"] != "/oauth/token"
    } == {"q2c-7f3a"}
    sub = zuora_sandbox.ok("GET", "/v1/subscriptions/A-S00000001")
    assert sub["RevgateOpportunityId__c"] == _demo.OPPORTUNITY_CRM_ID
    assert sub["serviceActivationDate"] == sub["customerAcceptanceDate"] == "2025-01-01"


async def test_create_through_a_short_outage_is_retried(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    await zuora_billing.catalog()  # token fetched
    zuora_sandbox.set_faults(failNext=2)
    created = await zuora_billing.create_subscription(new_subscription())
    assert created.subscription_number == "A-S00000001"
    statuses = [
        r["status"] for r in zuora_sandbox.requests() if r["path"].startswith("/v1/subscriptions/accounts")
    ]
    assert statuses == [503, 503, 200]


async def test_amend_twice_with_the_same_ref_applies_once(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    created = await zuora_billing.create_subscription(new_subscription())
    amendment = change_platform(created, 40, dt.date(2025, 7, 1), "amd_seats")
    first = await zuora_billing.amend(amendment)
    zuora_sandbox.expire_idempotency_keys()
    again = await zuora_billing.amend(amendment)
    assert again == first
    assert first.prorated_amount == Decimal(15 * 100 * 6)
    assert orders_posted(zuora_sandbox) == 2  # the creation and one amendment
    orders = zuora_sandbox.ok("GET", "/v1/orders/subscriptionNumber/A-S00000001")["orders"]
    assert [o["customFields"].get("RevgateAmendmentId__c") for o in orders] == [None, "amd_seats"]
    posts = [r for r in zuora_sandbox.requests() if (r["method"], r["path"]) == ("POST", "/v1/orders")]
    assert posts[-1]["headers"]["idempotency-key"] == "revgate-amendment-amd_seats", posts


@pytest.fixture
async def raw_client(zuora_sandbox: ZuoraSandbox) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {zuora_sandbox.token()}"}
    async with httpx.AsyncClient(base_url=zuora_sandbox.url, headers=headers) as client:
        yield client


def _raw_order(order_ref: str, quantity: int) -> dict[str, object]:
    return {
        "existingAccountNumber": CUSTOMER,
        "orderDate": "2025-01-01",
        "subscriptions": [
            {
                "customFields": {"RevgateOrderId__c": order_ref},
                "orderActions": [
                    {
                        "type": "CreateSubscription",
                        "triggerDates": [
                            {"name": n, "triggerDate": "2025-01-01"}
                            for n in ("ContractEffective", "ServiceActivation", "CustomerAcceptance")
                        ],
                        "createSubscription": {
                            "terms": {"initialTerm": {"period": 12, "termType": "TERMED"}},
                            "subscribeToRatePlans": [
                                {
                                    "productRatePlanId": PLATFORM.product_rate_plan_id,
                                    "chargeOverrides": [
                                        {
                                            "productRatePlanChargeId": PLATFORM.product_rate_plan_charge_id,
                                            "pricing": {"recurringPerUnit": {"quantity": quantity}},
                                        }
                                    ],
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


async def test_create_while_the_same_order_is_in_flight_is_unavailable_then_found(
    zuora_billing: ZuoraBilling, raw_client: httpx.AsyncClient
) -> None:
    ref = "ord_01JDEMO0000000000000000009"
    release, started = asyncio.Event(), asyncio.Event()
    payload = json.dumps(_raw_order(ref, 7)).encode()

    async def slow_body() -> AsyncIterator[bytes]:
        yield payload[:10]
        started.set()
        await release.wait()
        yield payload[10:]

    headers = {"Idempotency-Key": f"revgate-order-{ref}", "Content-Type": "application/json"}
    first = asyncio.create_task(raw_client.post("/v1/orders", content=slow_body(), headers=headers))
    await started.wait()
    await asyncio.sleep(0.05)  # let the first bytes reach the sandbox
    with pytest.raises(Unavailable) as raised:
        await zuora_billing.create_subscription(new_subscription(order_ref=ref))
    assert raised.value.transient and raised.value.status == 409
    release.set()
    assert (await first).json()["success"] is True
    # The retry later finds what the first request made.
    found = await zuora_billing.create_subscription(new_subscription(order_ref=ref))
    assert (found.subscription_number, found.charges[0].quantity) == ("A-S00000001", 7)


async def test_key_used_for_another_order_is_rejected_when_nothing_was_made(
    zuora_billing: ZuoraBilling, raw_client: httpx.AsyncClient
) -> None:
    ref = "ord_01JDEMO0000000000000000010"
    other = _raw_order("someone-else", 3)
    answer = await raw_client.post(
        "/v1/orders", json=other, headers={"Idempotency-Key": f"revgate-order-{ref}"}
    )
    assert answer.json()["success"] is True
    with pytest.raises(Rejected) as raised:
        await zuora_billing.create_subscription(new_subscription(order_ref=ref))
    assert raised.value.status == 422


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plans", "words"),
    [
        ((PlanSubscription("no-such-plan", "no-such-charge", 1, Decimal(1)),), "not a product rate plan"),
        (
            (
                PlanSubscription(
                    LEGACY.product_rate_plan_id, LEGACY.product_rate_plan_charge_id, 5, Decimal(40)
                ),
            ),
            "not active",
        ),
        ((platform_seats(quantity=0),), "greater than 0"),
        ((platform_seats(price="-1"),), "listPrice"),
    ],
)
async def test_invalid_new_subscriptions_are_rejected_with_reasons(
    zuora_billing: ZuoraBilling, plans: tuple[PlanSubscription, ...], words: str
) -> None:
    with pytest.raises(Rejected) as raised:
        await zuora_billing.create_subscription(new_subscription(*plans))
    [reason] = raised.value.reasons
    assert reason.code is not None and reason.code.startswith("531003") and reason.code.endswith("20")
    assert words in reason.message
    assert await zuora_billing.subscription("A-S00000001") is None


async def test_unknown_account_is_not_found(zuora_billing: ZuoraBilling) -> None:
    with pytest.raises(NotFound):
        await zuora_billing.create_subscription(new_subscription(account="cus_01NOBODY0000000000000000000"))


async def test_invalid_amendments_are_rejected_with_reasons(zuora_billing: ZuoraBilling) -> None:
    created = await zuora_billing.create_subscription(new_subscription())
    wrong = change_platform(created, 30, dt.date(2025, 4, 16), "amd_1")
    assert isinstance(wrong.action, ChangeQuantity)
    unknown_charge = SubscriptionAmendment(
        "amd_1",
        "A-S00000001",
        ChangeQuantity(wrong.action.rate_plan_id, "C-99999999", 30, dt.date(2025, 4, 16)),
    )
    with pytest.raises(Rejected, match="C-99999999"):
        await zuora_billing.amend(unknown_charge)
    with pytest.raises(Rejected, match="outside the current term"):
        await zuora_billing.amend(change_platform(created, 30, dt.date(2027, 1, 1), "amd_2"))
    await zuora_billing.amend(SubscriptionAmendment("amd_3", "A-S00000001", Cancel()))
    with pytest.raises(Rejected) as raised:
        await zuora_billing.amend(change_platform(created, 30, dt.date(2025, 4, 16), "amd_4"))
    assert raised.value.reasons[0].code is not None and raised.value.reasons[0].code.endswith("30")
    assert "cancelled" in raised.value.message


# --- invoices, payments, callouts -----------------------------------------------------------


async def test_invoices_and_payments_after_bill_and_payment_runs(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    await zuora_billing.create_subscription(new_subscription())
    assert await zuora_billing.invoices(CUSTOMER) == []
    zuora_sandbox.bill_run("2025-02-01")
    [invoice] = await zuora_billing.invoices(CUSTOMER)
    assert (invoice.invoice_number, invoice.status, invoice.currency) == ("INV00000001", "Posted", "USD")
    assert invoice.amount == invoice.balance == Decimal(2 * (2500 + 625))
    assert (invoice.invoice_date, invoice.due_date) == (dt.date(2025, 2, 1), dt.date(2025, 3, 3))
    assert invoice.subscription_numbers == ("A-S00000001",)
    zuora_sandbox.payment_run("2025-03-03")
    [payment] = await zuora_billing.payments(CUSTOMER)
    assert (payment.payment_number, payment.status, payment.amount, payment.currency) == (
        "P-00000001",
        "Processed",
        invoice.amount,
        "USD",
    )
    assert payment.invoice_numbers == ("INV00000001",)
    assert payment.effective_date == dt.date(2025, 3, 3)
    assert payment.gateway_response is None
    [paid] = await zuora_billing.invoices(CUSTOMER)
    assert paid.balance == 0


async def test_declined_card_makes_an_error_payment_and_a_callout(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox, callout_receiver: CalloutReceiver
) -> None:
    zuora_sandbox.set_callouts(callout_receiver.url, "revgate", "callout-secret")
    zuora_sandbox.add_card(CUSTOMER, DECLINING_CARD)
    await zuora_billing.create_subscription(new_subscription())
    zuora_sandbox.bill_run("2025-01-01")
    zuora_sandbox.payment_run("2025-01-31")
    [payment] = await zuora_billing.payments(CUSTOMER)
    assert (payment.status, payment.gateway_response) == ("Error", "Your card was declined.")
    assert payment.invoice_numbers == ("INV00000001",)
    [invoice] = await zuora_billing.invoices(CUSTOMER)
    assert invoice.balance == invoice.amount == Decimal(3125)
    zuora_sandbox.settled_callouts(1)
    [callout] = callout_receiver.received
    assert callout.basic_credentials() == ("revgate", "callout-secret")
    body = json.loads(callout.body)
    assert (body["eventType"], body["paymentNumber"], body["accountNumber"]) == (
        "PaymentDeclined",
        payment.payment_number,
        CUSTOMER,
    )
    assert callout.headers["zuora-request-id"]


async def test_unknown_account_has_no_documents(zuora_billing: ZuoraBilling) -> None:
    with pytest.raises(NotFound):
        await zuora_billing.invoices("A99999999")
    with pytest.raises(NotFound):
        await zuora_billing.payments("A99999999")
