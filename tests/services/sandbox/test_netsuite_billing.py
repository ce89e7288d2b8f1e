"""The NetSuite sandbox's cash side of quote-to-cash: invoices by transform, customer payments."""

from __future__ import annotations

from typing import Any

import pytest

from services.sandbox import _demo
from tests.fixtures.netsuite import NetSuiteRecords, netsuite_error
from tests.fixtures.netsuite import order_line as line
from tests.fixtures.netsuite import sales_order as order

TRANSFORM = "/salesOrder/eid:ord_01/!transform/invoice"


@pytest.fixture
def ns(netsuite_records: NetSuiteRecords) -> NetSuiteRecords:
    """The sandbox with one order of the demo customer: 2,500.00 + 625.00 USD, Net 30."""
    assert netsuite_records.call("PUT", "/salesOrder/eid:ord_01", order()).status_code == 204
    return netsuite_records


def bill(ns: NetSuiteRecords, body: dict[str, Any] | None = None) -> dict[str, Any]:
    return ns.follow(ns.call("POST", TRANSFORM, body), expandSubResources="true")


def pay(ns: NetSuiteRecords, invoice: dict[str, Any], payment: float, **apply: Any) -> dict[str, Any]:
    body = {
        "customer": {"externalId": _demo.CUSTOMER_ID},
        "payment": payment,
        "tranDate": "2025-02-01",
        "apply": {"items": [{"doc": {"id": invoice["id"]}, "apply": True, **apply}]},
    }
    return ns.follow(ns.call("POST", "/customerPayment", body), expandSubResources="true")


def test_transform_bills_the_open_amount_of_the_order(ns: NetSuiteRecords) -> None:
    invoice = bill(ns, {"externalId": "INV00000001", "tranDate": "2025-01-15"})

    assert invoice["tranId"] == "INV1001"
    assert invoice["externalId"] == "INV00000001"
    assert invoice["createdFrom"]["refName"] == "Sales Order #SO1001"
    assert invoice["entity"]["refName"] == _demo.CUSTOMER_NAME
    assert (invoice["tranDate"], invoice["dueDate"]) == ("2025-01-15", "2025-02-14")  # Net 30
    assert (invoice["total"], invoice["amountRemaining"]) == (3125.0, 3125.0)
    assert invoice["status"]["refName"] == "Open"
    assert [(li["orderLine"], li["amount"]) for li in invoice["item"]["items"]] == [(1, 2500.0), (2, 625.0)]
    assert ns.get("/salesOrder/eid:ord_01")["status"]["refName"] == "Billed"


def test_transform_without_a_body_works_too(ns: NetSuiteRecords) -> None:
    answer = ns.http.post(ns.url + "/services/rest/record/v1" + TRANSFORM, headers=ns.headers)

    assert ns.follow(answer)["total"] == 3125.0


def test_a_partial_invoice_leaves_the_order_pending_billing(ns: NetSuiteRecords) -> None:
    first = bill(ns, {"item": {"items": [{"orderLine": 1, "amount": 208.33}]}})
    rest = bill(ns)

    assert first["total"] == 208.33
    assert [(li["orderLine"], li["amount"]) for li in rest["item"]["items"]] == [(1, 2291.67), (2, 625.0)]
    assert ns.get("/salesOrder/eid:ord_01")["status"]["refName"] == "Billed"


def test_status_between_partial_invoices(ns: NetSuiteRecords) -> None:
    bill(ns, {"item": {"items": [{"orderLine": 2, "amount": 100.0}]}})

    assert ns.get("/salesOrder/eid:ord_01")["status"]["refName"] == "Pending Billing"


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"item": {"items": [{"orderLine": 1, "amount": 2500.01}]}}, "item.items[0].amount"),
        ({"item": {"items": [{"orderLine": 7}]}}, "item.items[0].orderLine"),
    ],
)
def test_an_invoice_bills_no_more_than_is_open(ns: NetSuiteRecords, body: dict[str, Any], path: str) -> None:
    answer = ns.call("POST", TRANSFORM, body)

    assert answer.status_code == 400
    assert netsuite_error(answer)["o:errorPath"] == path


def test_a_billed_order_has_nothing_left_to_bill(ns: NetSuiteRecords) -> None:
    bill(ns)

    answer = ns.call("POST", TRANSFORM)

    assert answer.status_code == 400
    assert "nothing left to bill" in netsuite_error(answer)["detail"]


def test_closed_lines_are_not_billed(ns: NetSuiteRecords) -> None:
    ns.call("PATCH", "/salesOrder/eid:ord_01", {"item": {"items": [{"line": 2, "isClosed": True}]}})

    invoice = bill(ns)

    assert invoice["total"] == 2500.0
    closed = ns.call("POST", TRANSFORM, {"item": {"items": [{"orderLine": 2}]}})
    assert closed.status_code == 400 and "closed" in netsuite_error(closed)["detail"]


def test_billed_lines_cannot_be_replaced_nor_the_order_deleted(ns: NetSuiteRecords) -> None:
    bill(ns, {"item": {"items": [{"orderLine": 1, "amount": 100.0}]}})

    replaced = ns.call("PUT", "/salesOrder/eid:ord_01", order(line(quantity=30)), replace="item")
    deleted = ns.call("DELETE", "/salesOrder/eid:ord_01")
    unbilled_changed = ns.call(
        "PATCH", "/salesOrder/eid:ord_01", {"item": {"items": [{"line": 2, "quantity": 30}]}}
    )

    assert replaced.status_code == 400 and "has been billed" in netsuite_error(replaced)["detail"]
    assert deleted.status_code == 400
    assert unbilled_changed.status_code == 204
    assert ns.get("/salesOrder/eid:ord_01")["total"] == 3250.0  # line 2 is 30 x 25.00 now


def test_payments_lower_what_remains_until_paid_in_full(ns: NetSuiteRecords) -> None:
    invoice = bill(ns)

    first = pay(ns, invoice, 1000.0, amount=1000.0)
    part = ns.get(f"/invoice/{invoice['id']}")
    second = pay(ns, invoice, 2125.0)
    paid = ns.get(f"/invoice/{invoice['id']}")

    assert (first["tranId"], first["applied"], first["unapplied"]) == ("PYMT1001", 1000.0, 0.0)
    [applied] = first["apply"]["items"]
    assert (applied["refNum"], applied["amount"], applied["due"]) == ("INV1001", 1000.0, 3125.0)
    assert (part["amountRemaining"], part["status"]["refName"]) == (2125.0, "Open")
    assert second["apply"]["items"][0]["amount"] == 2125.0  # what was due, when not given
    assert (paid["amountRemaining"], paid["status"]["refName"]) == (0.0, "Paid In Full")


def test_a_payment_applies_no_more_than_is_due(ns: NetSuiteRecords) -> None:
    invoice = bill(ns)
    body = {
        "customer": {"externalId": _demo.CUSTOMER_ID},
        "payment": 5000.0,
        "apply": {"items": [{"doc": {"id": invoice["id"]}, "apply": True, "amount": 3125.01}]},
    }

    answer = ns.call("POST", "/customerPayment", body)

    assert answer.status_code == 400
    assert netsuite_error(answer)["o:errorPath"] == "apply.items[0].amount"
    assert ns.get(f"/invoice/{invoice['id']}")["amountRemaining"] == 3125.0


def test_a_payment_applies_only_to_its_customers_invoices(ns: NetSuiteRecords) -> None:
    invoice = bill(ns)
    body = {
        "customer": {"id": "101"},
        "payment": 10.0,
        "apply": {"items": [{"doc": {"id": invoice["id"]}, "apply": True, "amount": 10.0}]},
    }

    answer = ns.call("POST", "/customerPayment", body)

    assert answer.status_code == 400
    assert netsuite_error(answer)["o:errorPath"] == "apply.items[0].doc"


def test_deleting_a_payment_opens_the_invoice_again(ns: NetSuiteRecords) -> None:
    invoice = bill(ns)
    payment = pay(ns, invoice, 3125.0)
    kept = ns.call("DELETE", f"/invoice/{invoice['id']}")

    assert ns.call("DELETE", f"/customerPayment/{payment['id']}").status_code == 204

    assert kept.status_code == 400  # a paid invoice has a dependent record
    assert ns.get(f"/invoice/{invoice['id']}")["amountRemaining"] == 3125.0


def test_transactions_share_one_internal_id_sequence(ns: NetSuiteRecords) -> None:
    order_id = int(ns.get("/salesOrder/eid:ord_01")["id"])

    invoice = bill(ns)
    payment = pay(ns, invoice, 1.0)

    assert [int(invoice["id"]), int(payment["id"])] == [order_id + 1, order_id + 2]


def test_invoices_and_payments_filter_by_customer(ns: NetSuiteRecords) -> None:
    invoice = bill(ns)
    payment = pay(ns, invoice, 1.0)
    demo_id = invoice["entity"]["id"]

    invoices = ns.get("/invoice", q=f"entity ANY_OF [{demo_id}]")
    payments = ns.get("/customerPayment", q=f"customer ANY_OF [{demo_id}]")

    assert [i["id"] for i in invoices["items"]] == [invoice["id"]]
    assert [p["id"] for p in payments["items"]] == [payment["id"]]
    assert ns.get("/invoice", q="entity ANY_OF [101]")["totalResults"] == 0
