"""Billing status over HTTP against the sandboxes: Zuora bills and collects, NetSuite books, Salesforce hears.

Each test orders the demo deal first (a subscription in Zuora, its sales order in NetSuite), then
drives Zuora's bill and payment runs and NetSuite's invoicing the way finance would.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx

from services.sandbox import _demo
from tests.fixtures.netsuite import NetSuiteRecords
from tests.fixtures.quote_to_cash import CALLOUTS, QuoteToCash

DEAL = {"opportunityId": _demo.OPPORTUNITY_CRM_ID}
CUSTOMER_STATUS = f"/v1/customers/{_demo.CUSTOMER_ID}/billing-status"
MONTHLY = "3125.00"
"""What the demo deal bills a month: 25 seats at 100.00 and 25 at 25.00."""
DECLINED = "Your card was declined."
CALLOUT_PATH = "/v1/callouts/zuora/payments"


def completed(services: QuoteToCash, body: dict[str, Any]) -> dict[str, Any]:
    answer = services.submit_order(body)
    assert answer.status_code == 202, answer.text
    order = services.settled(services.orders, answer.headers["location"])
    assert order["status"] == "completed", order
    return order


def billed(services: QuoteToCash, order: dict[str, Any]) -> dict[str, Any]:
    """The order's first month billed by a Zuora bill run (posted): the invoice as Zuora lists it."""
    run = services.vendors.zuora.ok(
        "POST",
        "/v1/bill-runs",
        json={
            "targetDate": order["startDate"],
            "autoPost": True,
            "billRunFilters": [
                {
                    "filterType": "Subscription",
                    "accountId": _demo.CUSTOMER_ID,
                    "subscriptionId": order["subscriptionNumber"],
                }
            ],
        },
    )
    assert run["numberOfInvoices"] == 1, run
    invoices = services.vendors.zuora.ok("GET", f"/v1/transactions/invoices/accounts/{_demo.CUSTOMER_ID}")
    mine = [
        i
        for i in invoices["invoices"]
        if {item["subscriptionName"] for item in i["invoiceItems"]} == {order["subscriptionNumber"]}
    ]
    found: dict[str, Any] = mine[-1]
    return found


def billing_status(services: QuoteToCash, path: str = CUSTOMER_STATUS) -> dict[str, Any]:
    answer = services.billing.get(path)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def invoiced_in_netsuite(records: NetSuiteRecords, order_id: str, invoice: dict[str, Any]) -> dict[str, Any]:
    """NetSuite bills the booked sales order for the Zuora invoice's month (partial billing, same total)."""
    found = records.get("/salesOrder", q=f'externalId IS "{order_id}"')
    [order_key] = [item["id"] for item in found["items"]]
    lines = records.get(f"/salesOrder/{order_key}", expandSubResources="true")["item"]["items"]
    months = _demo.TERM_MONTHS
    body = {
        "externalId": invoice["invoiceNumber"],
        "tranDate": invoice["invoiceDate"],
        "item": {"items": [{"orderLine": line["line"], "amount": line["amount"] / months} for line in lines]},
    }
    created = records.call("POST", f"/salesOrder/{order_key}/!transform/invoice", body)
    booked = records.follow(created)
    assert booked["total"] == invoice["amount"], booked
    return booked


def declined_payment(services: QuoteToCash, invoice: dict[str, Any]) -> dict[str, Any]:
    """A declining card made the account's default, then a payment run once the invoice is due."""
    zuora = services.vendors.zuora
    zuora.add_card(_demo.CUSTOMER_ID, "4000000000000002")
    past_due = dt.date.fromisoformat(invoice["dueDate"]) + dt.timedelta(days=1)
    run = zuora.payment_run(past_due.isoformat())
    assert run["numberOfErrors"] >= 1, run
    return run


def account(services: QuoteToCash) -> dict[str, Any]:
    return services.vendors.salesforce.record("Account", _demo.ACCOUNT_CRM_ID)


def test_an_invoice_is_missing_in_the_erp_until_netsuite_books_it_then_matched(
    quote_to_cash: QuoteToCash, netsuite_records: NetSuiteRecords
) -> None:
    order = completed(quote_to_cash, DEAL)
    invoice = billed(quote_to_cash, order)
    number = invoice["invoiceNumber"]

    before = billing_status(quote_to_cash)
    [shown] = before["invoices"]
    assert shown["invoiceNumber"] == number
    assert shown["reconciliation"] == "missing-in-erp"
    assert shown["amount"] == shown["balance"] == {"amount": MONTHLY, "currency": "USD"}
    assert shown["status"] == "Posted"
    assert shown["subscriptionNumbers"] == [order["subscriptionNumber"]]
    assert "erp" not in shown
    assert [(d["kind"], d["document"]) for d in before["discrepancies"]] == [("missing-in-erp", number)]
    assert before["reconciled"] is False
    assert before["balance"]["amount"] == MONTHLY and before["erpBalance"]["amount"] == "0.00"

    booked = invoiced_in_netsuite(netsuite_records, order["id"], invoice)

    after = billing_status(quote_to_cash)
    [matched] = after["invoices"]
    assert matched["reconciliation"] == "matched"
    assert matched["erp"] == {
        "tranId": booked["tranId"],
        "total": {"amount": MONTHLY, "currency": "USD"},
        "amountRemaining": {"amount": MONTHLY, "currency": "USD"},
        "status": "Open",
    }
    assert after["discrepancies"] == []
    assert after["balance"] == after["erpBalance"] == {"amount": MONTHLY, "currency": "USD"}
    assert after["reconciled"] is True


def test_an_orders_billing_status_shows_only_that_orders_documents(
    quote_to_cash: QuoteToCash, netsuite_records: NetSuiteRecords
) -> None:
    first = completed(quote_to_cash, DEAL)
    second = completed(
        quote_to_cash,
        {
            "order": {
                "customerId": _demo.CUSTOMER_ID,
                "currency": "USD",
                "startDate": first["startDate"],
                "termMonths": 12,
                "lines": [{"productCode": "RG-ANALYTICS", "quantity": 10, "unitPrice": "25.00"}],
            }
        },
    )
    first_invoice, second_invoice = billed(quote_to_cash, first), billed(quote_to_cash, second)
    invoiced_in_netsuite(netsuite_records, second["id"], second_invoice)

    customer = billing_status(quote_to_cash)
    assert sorted(i["invoiceNumber"] for i in customer["invoices"]) == sorted(
        [first_invoice["invoiceNumber"], second_invoice["invoiceNumber"]]
    )
    assert customer["balance"]["amount"] == "3375.00"

    mine = billing_status(quote_to_cash, f"/v1/orders/{first['id']}/billing-status")
    assert mine["orderId"] == first["id"]
    assert mine["subscriptionNumbers"] == [first["subscriptionNumber"]]
    assert [(i["invoiceNumber"], i["reconciliation"]) for i in mine["invoices"]] == [
        (first_invoice["invoiceNumber"], "missing-in-erp")
    ]
    assert (mine["balance"]["amount"], mine["erpBalance"]["amount"]) == (MONTHLY, "0.00")
    assert mine["reconciled"] is False

    theirs = billing_status(quote_to_cash, f"/v1/orders/{second['id']}/billing-status")
    assert [(i["invoiceNumber"], i["reconciliation"]) for i in theirs["invoices"]] == [
        (second_invoice["invoiceNumber"], "matched")
    ]
    assert theirs["balance"] == theirs["erpBalance"] == {"amount": "250.00", "currency": "USD"}
    assert theirs["reconciled"] is True

    unknown = quote_to_cash.billing.get("/v1/orders/ord_01JDF3K8Q2W9R2N7M4K5H6G7F8/billing-status")
    assert unknown.status_code == 404, unknown.text
    assert unknown.json()["type"] == "https://revgate.dev/problems/not-found"


def test_a_declined_payment_is_a_failure_until_a_later_payment_goes_through(
    quote_to_cash: QuoteToCash,
) -> None:
    invoice = billed(quote_to_cash, completed(quote_to_cash, DEAL))
    declined_payment(quote_to_cash, invoice)

    failing = billing_status(quote_to_cash)
    [payment] = failing["payments"]
    assert payment["status"] == "failed"
    assert payment["failureReason"] == DECLINED
    assert payment["invoiceNumbers"] == [invoice["invoiceNumber"]]
    assert payment["amount"] == {"amount": MONTHLY, "currency": "USD"}
    assert failing["paymentFailures"] == [payment]
    [shown] = failing["invoices"]
    assert shown["balance"]["amount"] == MONTHLY
    assert "overdue" not in shown  # collected early by the run, not yet due by the calendar

    zuora = quote_to_cash.vendors.zuora
    zuora.add_card(_demo.CUSTOMER_ID, "4242424242424242")
    zuora.payment_run((dt.date.fromisoformat(invoice["dueDate"]) + dt.timedelta(days=2)).isoformat())
    paid = billing_status(quote_to_cash)
    assert [(p["status"], p.get("failureReason")) for p in paid["payments"]] == [
        ("failed", DECLINED),
        ("processed", None),
    ]
    assert paid["paymentFailures"] == []
    assert paid["invoices"][0]["balance"]["amount"] == "0.00"
    assert paid["balance"]["amount"] == "0.00"


def test_an_unknown_customer_is_not_found(quote_to_cash: QuoteToCash) -> None:
    answer = quote_to_cash.billing.get("/v1/customers/cus_01JDEMQ2C0N1TECH0000000009/billing-status")
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "https://revgate.dev/problems/not-found"


def test_a_callout_without_the_right_credentials_is_refused(quote_to_cash: QuoteToCash) -> None:
    status_before = account(quote_to_cash).get("Revgate_Payment_Status__c")
    body = {"eventType": "PaymentDeclined", "accountNumber": _demo.CUSTOMER_ID}
    for user, password in (("", ""), (CALLOUTS.username, "not-the-password"), ("else", CALLOUTS.password)):
        auth = httpx.BasicAuth(user, password) if user else httpx.USE_CLIENT_DEFAULT
        answer = quote_to_cash.billing.post(CALLOUT_PATH, json=body, auth=auth)
        assert answer.status_code == 401, (user, answer.text)
        assert answer.headers["www-authenticate"] == "Basic"
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"] == "https://revgate.dev/problems/unauthorized"
    bearer = quote_to_cash.billing.post(CALLOUT_PATH, json=body, headers={"Authorization": "Bearer x"})
    assert bearer.status_code == 401
    assert account(quote_to_cash).get("Revgate_Payment_Status__c") == status_before


def test_a_callout_shows_on_the_account_what_zuora_says_not_what_the_callout_says(
    quote_to_cash: QuoteToCash,
) -> None:
    credentials = (CALLOUTS.username, CALLOUTS.password)
    declined = {"eventType": "PaymentDeclined", "accountNumber": _demo.CUSTOMER_ID, "paymentNumber": "P-1"}
    # Nothing has failed in Zuora: a callout claiming otherwise makes the account Current.
    forged = quote_to_cash.billing.post(CALLOUT_PATH, json=declined, auth=credentials)
    assert forged.status_code == 200, forged.text
    assert forged.json()["paymentStatus"] == "Current"
    assert account(quote_to_cash)["Revgate_Payment_Status__c"] == "Current"

    invoice = billed(quote_to_cash, completed(quote_to_cash, DEAL))
    declined_payment(quote_to_cash, invoice)
    [failure] = billing_status(quote_to_cash)["paymentFailures"]

    answer = quote_to_cash.billing.post(CALLOUT_PATH, json=declined, auth=credentials)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"accountNumber": _demo.CUSTOMER_ID, "paymentStatus": "Payment Failed"}
    shown = account(quote_to_cash)
    assert shown["Revgate_Payment_Status__c"] == "Payment Failed"
    message = shown["Revgate_Payment_Message__c"]
    assert failure["paymentNumber"] in message and MONTHLY in message and DECLINED in message

    unknown = quote_to_cash.billing.post(
        CALLOUT_PATH,
        json={**declined, "accountNumber": "cus_01JDEMQ2C0N1TECH0000000009"},
        auth=credentials,
    )
    assert unknown.status_code == 404, unknown.text


def test_zuoras_payment_declined_callout_reaches_the_salesforce_account(quote_to_cash: QuoteToCash) -> None:
    zuora = quote_to_cash.vendors.zuora
    zuora.set_callouts(quote_to_cash.urls["billing"] + CALLOUT_PATH, CALLOUTS.username, CALLOUTS.password)
    invoice = billed(quote_to_cash, completed(quote_to_cash, DEAL))
    assert account(quote_to_cash).get("Revgate_Payment_Status__c") != "Payment Failed"

    declined_payment(quote_to_cash, invoice)
    [sent] = zuora.settled_callouts(1)
    assert sent["status"] == 200 and sent["payload"]["accountNumber"] == _demo.CUSTOMER_ID
    deadline = time.monotonic() + 5
    while (shown := account(quote_to_cash))["Revgate_Payment_Status__c"] != "Payment Failed":
        assert time.monotonic() < deadline, shown
        time.sleep(0.05)
    assert sent["payload"]["paymentNumber"] in shown["Revgate_Payment_Message__c"]
    assert DECLINED in shown["Revgate_Payment_Message__c"]


def test_a_malformed_callout_is_a_bad_request(quote_to_cash: QuoteToCash) -> None:
    answer = quote_to_cash.billing.post(
        CALLOUT_PATH,
        content=b"{not json",
        headers={"Content-Type": "application/json"},
        auth=httpx.BasicAuth(CALLOUTS.username, CALLOUTS.password),
    )
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
