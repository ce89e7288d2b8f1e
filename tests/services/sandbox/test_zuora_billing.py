"""The Zuora sandbox's bill runs, invoices, payment methods, payment runs and callouts."""

from __future__ import annotations

import json
import socket
import time
from decimal import Decimal
from typing import Any

import pytest

from services.sandbox.zuora import DECLINING_CARD
from tests.fixtures.zuora import CalloutReceiver, ZuoraSandbox
from tests.services.sandbox.test_zuora import assert_failure
from tests.services.sandbox.test_zuora_orders import (
    CUSTOMER,
    amendment_order,
    delta_tcb,
    subscribe,
    update_quantity,
)


def invoices(sandbox: ZuoraSandbox, account: str = CUSTOMER) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = sandbox.ok("GET", f"/v1/transactions/invoices/accounts/{account}")[
        "invoices"
    ]
    return found


def payments(sandbox: ZuoraSandbox, account: str = CUSTOMER) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = sandbox.ok("GET", f"/v1/transactions/payments/accounts/{account}")[
        "payments"
    ]
    return found


def items(invoice: dict[str, Any]) -> list[tuple[str, str, int, Decimal]]:
    return [
        (i["serviceStartDate"], i["serviceEndDate"], i["quantity"], Decimal(str(i["chargeAmount"])))
        for i in invoice["invoiceItems"]
    ]


def total_billed(sandbox: ZuoraSandbox) -> Decimal:
    return sum((Decimal(str(i["amount"])) for i in invoices(sandbox)), Decimal(0))


# --- bill runs and invoices -----------------------------------------------------------------


def test_bill_run_bills_in_advance_up_to_the_target_date_and_never_twice(zuora_sandbox: ZuoraSandbox) -> None:
    sub = subscribe(zuora_sandbox)
    run = zuora_sandbox.bill_run("2025-03-15")
    assert (run["billRunNumber"], run["status"], run["numberOfInvoices"]) == ("BR-00000001", "Completed", 1)
    [invoice] = invoices(zuora_sandbox)
    assert invoice["invoiceNumber"] == "INV00000001"
    assert (invoice["invoiceDate"], invoice["dueDate"]) == ("2025-03-15", "2025-04-14")  # Net 30
    assert (invoice["amount"], invoice["balance"], invoice["status"], invoice["currency"]) == (
        7500,
        7500,
        "Posted",
        "USD",
    )
    assert items(invoice) == [
        ("2025-01-01", "2025-01-31", 25, Decimal(2500)),
        ("2025-02-01", "2025-02-28", 25, Decimal(2500)),
        ("2025-03-01", "2025-03-31", 25, Decimal(2500)),
    ]
    item = invoice["invoiceItems"][0]
    assert (item["subscriptionName"], item["subscriptionId"]) == ("A-S00000001", sub["id"])
    assert item["chargeName"] == "Revenue Platform Seats"
    assert zuora_sandbox.bill_run("2025-03-31")["numberOfInvoices"] == 0
    zuora_sandbox.bill_run("2025-04-01")
    assert items(invoices(zuora_sandbox)[1]) == [("2025-04-01", "2025-04-30", 25, Decimal(2500))]
    charge = zuora_sandbox.ok("GET", "/v1/subscriptions/A-S00000001")["ratePlans"][0]["ratePlanCharges"][0]
    assert charge["chargedThroughDate"] == "2025-05-01"
    detail = zuora_sandbox.ok("GET", f"/v1/accounts/{CUSTOMER}")
    assert detail["metrics"]["balance"] == 10000


def test_quantity_change_in_a_billed_period_credits_and_charges_the_difference(
    zuora_sandbox: ZuoraSandbox,
) -> None:
    sub = subscribe(zuora_sandbox)
    zuora_sandbox.bill_run("2025-04-01")
    order = amendment_order("A-S00000001", update_quantity(sub, 30, "2025-04-16"), order_date="2025-04-10")
    amended = zuora_sandbox.ok("POST", "/v1/orders", json=order)
    assert zuora_sandbox.bill_run("2025-04-10")["numberOfInvoices"] == 0  # the change is not due yet
    zuora_sandbox.bill_run("2025-05-01")
    assert items(invoices(zuora_sandbox)[-1]) == [
        ("2025-04-16", "2025-04-30", 25, Decimal(-1250)),
        ("2025-04-16", "2025-04-30", 30, Decimal(1500)),
        ("2025-05-01", "2025-05-31", 30, Decimal(3000)),
    ]
    # Billing the whole term charges what the orders said: 12 x 2,500 plus the change's delta.
    zuora_sandbox.bill_run("2025-12-31")
    assert total_billed(zuora_sandbox) == 30000 + delta_tcb(zuora_sandbox, amended["orderNumber"])


def test_cancellation_credits_what_was_billed_past_its_date(zuora_sandbox: ZuoraSandbox) -> None:
    subscribe(zuora_sandbox)
    zuora_sandbox.bill_run("2025-06-01")
    cancel = {
        "type": "CancelSubscription",
        "cancelSubscription": {
            "cancellationPolicy": "SpecificDate",
            "cancellationEffectiveDate": "2025-05-16",
        },
    }
    order = zuora_sandbox.ok(
        "POST", "/v1/orders", json=amendment_order("A-S00000001", cancel, order_date="2025-05-10")
    )
    zuora_sandbox.bill_run("2025-12-01")
    credit = invoices(zuora_sandbox)[-1]
    assert items(credit) == [
        ("2025-05-16", "2025-05-31", 25, Decimal("-1290.32")),  # 16 of May's 31 days
        ("2025-06-01", "2025-06-30", 25, Decimal(-2500)),
    ]
    assert credit["amount"] == pytest.approx(-3790.32)
    assert total_billed(zuora_sandbox) == 30000 + delta_tcb(zuora_sandbox, order["orderNumber"])


def test_bill_run_without_auto_post_makes_drafts_and_pending_subscriptions_wait(
    zuora_sandbox: ZuoraSandbox,
) -> None:
    subscribe(zuora_sandbox)
    subscribe(zuora_sandbox, order_ref="ord_2", trigger_names=("ContractEffective",))
    zuora_sandbox.bill_run("2025-01-01", auto_post=False)
    [draft] = invoices(zuora_sandbox)
    assert draft["status"] == "Draft"
    assert {i["subscriptionName"] for i in draft["invoiceItems"]} == {"A-S00000001"}
    assert zuora_sandbox.ok("GET", f"/v1/accounts/{CUSTOMER}")["metrics"]["balance"] == 0


def test_bill_run_filters_and_invalid_requests(zuora_sandbox: ZuoraSandbox) -> None:
    subscribe(zuora_sandbox)
    other = {
        "targetDate": "2025-01-01",
        "autoPost": True,
        "billRunFilters": [{"filterType": "Account", "accountId": "A00000001"}],
    }
    assert zuora_sandbox.ok("POST", "/v1/bill-runs", json=other)["numberOfInvoices"] == 0
    mine = {**other, "billRunFilters": [{"filterType": "Account", "accountId": CUSTOMER}]}
    run = zuora_sandbox.ok("POST", "/v1/bill-runs", json=mine)
    assert run["numberOfInvoices"] == 1
    assert zuora_sandbox.ok("GET", f"/v1/bill-runs/{run['id']}")["billRunNumber"] == run["billRunNumber"]
    assert_failure(zuora_sandbox.api("POST", "/v1/bill-runs", json={"autoPost": True}), 22)
    unknown = {**other, "billRunFilters": [{"filterType": "Account", "accountId": "A99999999"}]}
    assert_failure(zuora_sandbox.api("POST", "/v1/bill-runs", json=unknown), 20)
    assert_failure(zuora_sandbox.api("GET", "/v1/transactions/invoices/accounts/A99999999"), 40)


# --- payments -------------------------------------------------------------------------------


def test_payment_run_collects_posted_invoices_once_due(zuora_sandbox: ZuoraSandbox) -> None:
    subscribe(zuora_sandbox)
    zuora_sandbox.bill_run("2025-01-01")  # due 2025-01-31
    assert zuora_sandbox.payment_run("2025-01-30")["numberOfInvoices"] == 0
    run = zuora_sandbox.payment_run("2025-01-31")
    assert (run["number"], run["status"], run["numberOfPayments"], run["numberOfErrors"]) == (
        "PR-00000002",
        "Completed",
        1,
        0,
    )
    [payment] = payments(zuora_sandbox)
    [invoice] = invoices(zuora_sandbox)
    assert payment["paymentNumber"] == "P-00000001"
    assert (payment["status"], payment["type"], payment["amount"], payment["effectiveDate"]) == (
        "Processed",
        "Electronic",
        2500,
        "2025-01-31",
    )
    assert payment["gatewayResponseCode"] == "approved"
    assert payment["paidInvoices"] == [
        {"invoiceId": invoice["id"], "invoiceNumber": "INV00000001", "appliedPaymentAmount": 2500}
    ]
    assert invoice["balance"] == 0
    assert zuora_sandbox.ok("GET", f"/v1/accounts/{CUSTOMER}")["metrics"]["balance"] == 0
    assert zuora_sandbox.payment_run("2025-02-28")["numberOfInvoices"] == 0  # nothing left to collect


def test_declined_card_leaves_the_payment_in_error_and_the_invoice_unpaid(
    zuora_sandbox: ZuoraSandbox,
) -> None:
    method_id = zuora_sandbox.add_card(CUSTOMER, DECLINING_CARD)
    detail = zuora_sandbox.ok("GET", f"/v1/accounts/{CUSTOMER}")
    assert detail["billingAndPayment"]["defaultPaymentMethodId"] == method_id
    subscribe(zuora_sandbox)
    zuora_sandbox.bill_run("2025-01-01")
    assert zuora_sandbox.payment_run("2025-02-01")["numberOfErrors"] == 1
    [payment] = payments(zuora_sandbox)
    assert (payment["status"], payment["gatewayResponse"], payment["gatewayResponseCode"]) == (
        "Error",
        "Your card was declined.",
        "card_declined",
    )
    assert payment["paymentMethodId"] == method_id
    assert invoices(zuora_sandbox)[0]["balance"] == 2500


def test_accounts_without_auto_pay_are_not_collected(zuora_sandbox: ZuoraSandbox) -> None:
    zuora_sandbox.ok("PUT", f"/v1/accounts/{CUSTOMER}", json={"autoPay": False})
    subscribe(zuora_sandbox)
    assert zuora_sandbox.bill_run("2025-01-01")["numberOfInvoices"] == 1  # due by the payment run
    assert zuora_sandbox.payment_run("2025-03-01")["numberOfInvoices"] == 0
    assert payments(zuora_sandbox) == []


@pytest.mark.parametrize(
    ("change", "category"),
    [
        ({"cardNumber": "4000000000000003"}, 20),  # fails the Luhn check
        ({"cardNumber": "4242 4242"}, 20),
        ({"expirationYear": 2020}, 20),
        ({"expirationMonth": 13}, 20),
        ({"cardType": "Amex"}, 20),
        ({"type": "ACH"}, 20),
        ({"accountKey": "A99999999"}, 20),
        ({"cardHolderInfo": {"cardHolderName": " "}}, 22),
        ({"cardHolderInfo": {}}, 22),
        ({"nickname": "work card"}, 21),
    ],
)
def test_invalid_payment_methods_are_refused(
    zuora_sandbox: ZuoraSandbox, change: dict[str, Any], category: int
) -> None:
    method = {
        "type": "CreditCard",
        "accountKey": CUSTOMER,
        "cardNumber": "4111111111111111",
        "cardType": "Visa",
        "expirationMonth": 12,
        "expirationYear": 2099,
        "cardHolderInfo": {"cardHolderName": "Bill Lumbergh"},
        **change,
    }
    assert_failure(zuora_sandbox.api("POST", "/v1/payment-methods", json=method), category)


# --- callouts -------------------------------------------------------------------------------


def _decline_one_payment(sandbox: ZuoraSandbox) -> dict[str, Any]:
    sandbox.add_card(CUSTOMER, DECLINING_CARD)
    subscribe(sandbox)
    sandbox.bill_run("2025-01-01")
    sandbox.payment_run("2025-02-01")
    [payment] = payments(sandbox)
    return payment


def test_declined_payment_sends_the_callout_with_basic_auth(
    zuora_sandbox: ZuoraSandbox, callout_receiver: CalloutReceiver
) -> None:
    zuora_sandbox.set_callouts(callout_receiver.url, "revgate-hooks", "s3cret")
    payment = _decline_one_payment(zuora_sandbox)
    [sent] = zuora_sandbox.settled_callouts(1)
    [received] = callout_receiver.received
    assert received.path == "/hooks/zuora"
    assert received.basic_credentials() == ("revgate-hooks", "s3cret")
    assert received.headers["content-type"] == "application/json"
    assert received.headers["zuora-request-id"] == sent["requestId"]
    body = json.loads(received.body)
    assert body == {
        "eventType": "PaymentDeclined",
        "eventTimestamp": body["eventTimestamp"],
        "accountNumber": CUSTOMER,
        "accountId": payment["accountId"],
        "paymentId": payment["id"],
        "paymentNumber": payment["paymentNumber"],
        "amount": "2500.00",
        "currency": "USD",
        "gatewayResponse": "Your card was declined.",
    }
    assert body["eventTimestamp"].endswith("Z")
    assert (sent["status"], sent["attempts"], sent["error"], sent["eventType"]) == (
        204,
        1,
        None,
        "PaymentDeclined",
    )


def test_refused_callout_is_retried_with_the_same_request_id(
    zuora_sandbox: ZuoraSandbox, callout_receiver: CalloutReceiver
) -> None:
    callout_receiver.refuse_next = 2
    zuora_sandbox.set_callouts(callout_receiver.url, "u", "p")
    _decline_one_payment(zuora_sandbox)
    [sent] = zuora_sandbox.settled_callouts(1)
    assert (sent["attempts"], sent["status"]) == (3, 204)
    assert len({r.headers["zuora-request-id"] for r in callout_receiver.received}) == 1
    assert len(callout_receiver.received) == 3


def test_unreachable_callout_is_given_up_without_affecting_the_payment(zuora_sandbox: ZuoraSandbox) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    zuora_sandbox.set_callouts(f"http://127.0.0.1:{port}/hooks", "u", "p")
    payment = _decline_one_payment(zuora_sandbox)
    assert payment["status"] == "Error"
    deadline = time.monotonic() + 5
    while (sent := zuora_sandbox.callouts())[0]["attempts"] < 4 or sent[0]["error"] is None:
        assert time.monotonic() < deadline, sent
        time.sleep(0.05)
    time.sleep(0.1)
    [gave_up] = zuora_sandbox.callouts()
    assert (gave_up["attempts"], gave_up["status"]) == (4, None)
    assert "ConnectError" in gave_up["error"]


def test_approved_payments_send_no_callout_and_reset_forgets_callouts(
    zuora_sandbox: ZuoraSandbox, callout_receiver: CalloutReceiver
) -> None:
    zuora_sandbox.set_callouts(callout_receiver.url, "u", "p")
    subscribe(zuora_sandbox)
    zuora_sandbox.bill_run("2025-01-01")
    zuora_sandbox.payment_run("2025-02-01")
    assert payments(zuora_sandbox)[0]["status"] == "Processed"
    assert zuora_sandbox.callouts() == []
    zuora_sandbox.reset()
    # The reset switched the callout off.
    assert _decline_one_payment(zuora_sandbox)["status"] == "Error"
    time.sleep(0.1)
    assert zuora_sandbox.callouts() == []
    assert callout_receiver.received == []


def test_callout_control_refuses_a_target_without_url(zuora_sandbox: ZuoraSandbox) -> None:
    answer = zuora_sandbox.http.put("/__sandbox/callouts", json={"username": "u"})
    assert answer.status_code == 400
    shown = zuora_sandbox.http.put(
        "/__sandbox/callouts", json={"url": "http://x", "username": "u", "password": "p"}
    )
    assert shown.json() == {"url": "http://x", "username": "u"}
