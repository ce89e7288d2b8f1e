"""The whole quote-to-cash scenario, over HTTP, against the three sandboxes.

A rep closes a deal in Salesforce; revgate checks it and creates the subscription in Zuora; once
Zuora has activated it, the sales order with its billing schedule and revenue dates in NetSuite;
then writes the numbers back to the opportunity. The customer adds seats mid-term: Zuora prorates,
NetSuite books a change order, Salesforce shows the new seats. Then a payment fails: billing status
shows it, and so does the Salesforce account. Final state is checked in all three systems.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

from services.order_submission.plan import add_months
from services.sandbox import _demo
from tests.fixtures.netsuite import NetSuiteRecords
from tests.fixtures.quote_to_cash import CALLOUTS, QuoteToCash

DONE = frozenset({"completed", "failed", "stalled"})


def first(records: NetSuiteRecords, kind: str, query: str) -> dict[str, Any]:
    [item] = records.get(f"/{kind}", q=query)["items"]
    return records.get(f"/{kind}/{item['id']}", expandSubResources="true")


def test_closed_won_to_invoice_to_a_failed_payment(
    quote_to_cash_on_either_store: QuoteToCash, netsuite_records: NetSuiteRecords
) -> None:
    quote_to_cash = quote_to_cash_on_either_store
    salesforce, zuora = quote_to_cash.vendors.salesforce, quote_to_cash.vendors.zuora

    # 1. The closed-won deal becomes an order, and the order runs to the end.
    answer = quote_to_cash.submit_order({"opportunityId": _demo.OPPORTUNITY_CRM_ID})
    assert answer.status_code == 202, answer.text
    order = quote_to_cash.settled(quote_to_cash.orders, answer.headers["location"], DONE)
    assert order["status"] == "completed", order
    start = dt.date.fromisoformat(order["startDate"])
    end = add_months(start, 12) - dt.timedelta(days=1)
    number = order["subscriptionNumber"]

    subscription = zuora.ok("GET", f"/v1/subscriptions/{number}")
    assert subscription["status"] == "Active"
    assert subscription["RevgateOrderId__c"] == order["id"]
    assert subscription["accountNumber"] == _demo.CUSTOMER_ID
    # Zuora's term ends where the next would start; NetSuite and Salesforce show the last day.
    assert (subscription["termStartDate"], subscription["termEndDate"]) == (
        start.isoformat(),
        add_months(start, 12).isoformat(),
    )
    charges = {p["productSku"]: p["ratePlanCharges"][0] for p in subscription["ratePlans"]}
    assert {sku: (c["quantity"], c["price"]) for sku, c in charges.items()} == {
        "RG-PLATFORM": (25, 100.0),
        "RG-ANALYTICS": (25, 25.0),
    }

    booked = first(netsuite_records, "salesOrder", f'externalId IS "{order["id"]}"')
    assert booked["tranId"] == order["erpOrderId"]
    assert booked["otherRefNum"] == number
    assert (
        booked["entity"]["id"]
        == first(netsuite_records, "customer", f'externalId IS "{_demo.CUSTOMER_ID}"')["id"]
    )
    lines = {line["item"]["refName"]: line for line in booked["item"]["items"]}
    platform = lines["RG-PLATFORM"]
    assert (platform["quantity"], platform["rate"], platform["amount"]) == (25, 1200.0, 30000.0)
    assert platform["billingSchedule"]["refName"] == "Monthly"
    assert (platform["revRecStartDate"], platform["revRecEndDate"]) == (start.isoformat(), end.isoformat())
    assert booked["total"] == 37500.0

    deal = salesforce.record("Opportunity", _demo.OPPORTUNITY_CRM_ID)
    assert deal["Revgate_Order_Id__c"] == order["id"]
    assert deal["Revgate_Subscription_Number__c"] == number
    assert deal["Revgate_Erp_Order_Id__c"] == booked["tranId"]
    assert deal["Revgate_Integration_Status__c"] == "Completed"
    assert (deal["Revgate_Seats__c"], deal["Revgate_Contract_End__c"]) == (25, end.isoformat())

    # 2. Five more seats from the middle of the fourth month: prorated by Zuora to the term's end.
    effective = add_months(start, 3) + dt.timedelta(days=15)
    period_end = add_months(start, 4)
    part = Decimal((period_end - effective).days) / Decimal((period_end - add_months(start, 3)).days)
    expected = (5 * Decimal(100) * (part + 8)).quantize(Decimal("0.01"))
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
    amendment = quote_to_cash.settled(quote_to_cash.amendments, answer.headers["location"], DONE)
    assert amendment["status"] == "completed", amendment
    assert amendment["proratedAmount"] == {"amount": str(expected), "currency": "USD"}
    amended = zuora.ok("GET", f"/v1/subscriptions/{number}")
    assert {p["productSku"]: p["ratePlanCharges"][0]["quantity"] for p in amended["ratePlans"]}[
        "RG-PLATFORM"
    ] == 30
    change = first(netsuite_records, "salesOrder", f'externalId IS "{amendment["id"]}"')
    assert change["otherRefNum"] == number
    [line] = change["item"]["items"]
    assert line["quantity"] == 5
    assert abs(Decimal(str(line["amount"])) - expected) <= Decimal("0.05")
    assert (line["revRecStartDate"], line["revRecEndDate"]) == (effective.isoformat(), end.isoformat())
    assert salesforce.record("Opportunity", _demo.OPPORTUNITY_CRM_ID)["Revgate_Seats__c"] == 30

    # 3. The first month is billed, and booked in NetSuite under Zuora's invoice number.
    zuora.bill_run(start.isoformat())
    [invoice] = zuora.ok("GET", f"/v1/transactions/invoices/accounts/{_demo.CUSTOMER_ID}")["invoices"]
    assert invoice["amount"] == 3125.0
    status = quote_to_cash.billing.get(f"/v1/orders/{order['id']}/billing-status").json()
    assert [i["reconciliation"] for i in status["invoices"]] == ["missing-in-erp"]
    assert status["reconciled"] is False
    netsuite_records.call(
        "POST",
        f"/salesOrder/{booked['id']}/!transform/invoice",
        {
            "externalId": invoice["invoiceNumber"],
            "tranDate": invoice["invoiceDate"],
            "item": {
                "items": [
                    {"orderLine": line["line"], "amount": line["amount"] / 12}
                    for line in booked["item"]["items"]
                ]
            },
        },
    ).raise_for_status()
    status = quote_to_cash.billing.get(f"/v1/customers/{_demo.CUSTOMER_ID}/billing-status").json()
    assert [i["reconciliation"] for i in status["invoices"]] == ["matched"], status
    assert status["balance"] == status["erpBalance"] == {"amount": "3125.00", "currency": "USD"}
    assert status["reconciled"] is True

    # 4. The card on file declines: billing status shows the failure, and Salesforce's account does too.
    zuora.set_callouts(
        f"{quote_to_cash.urls['billing']}/v1/callouts/zuora/payments", CALLOUTS.username, CALLOUTS.password
    )
    zuora.add_card(_demo.CUSTOMER_ID, "4000000000000002")
    zuora.payment_run(invoice["dueDate"])
    status = quote_to_cash.billing.get(f"/v1/customers/{_demo.CUSTOMER_ID}/billing-status").json()
    [failure] = status["paymentFailures"]
    assert failure["status"] == "failed" and failure["amount"]["amount"] == "3125.00"
    assert "declined" in failure["failureReason"]
    assert failure["invoiceNumbers"] == [invoice["invoiceNumber"]]
    deadline = time.monotonic() + 10
    while (account := salesforce.record("Account", _demo.ACCOUNT_CRM_ID))[
        "Revgate_Payment_Status__c"
    ] != "Payment Failed":
        assert time.monotonic() < deadline, account
        time.sleep(0.05)
    assert failure["paymentNumber"] in account["Revgate_Payment_Message__c"]
