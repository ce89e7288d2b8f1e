"""Reconciliation of Zuora's invoices and payments with NetSuite's, on hand-made records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from contracts.billing_status import v1
from contracts.common import Money
from services.billing_status.reconcile import Documents, status
from services.quote_to_cash import BillingInvoice, BillingPayment, ErpInvoice, ErpPayment

CUSTOMER = "cus_01JDEMQ2C0N1TECH0000000000"
TODAY = dt.date(2027, 3, 15)
ORDER, OTHER_ORDER = "ord_01JDF3K8Q2W9R2N7M4K5H6G7F8", "ord_01JDF3K8Q2W9R2N7M4K5H6G7F9"


def invoice(
    number: str,
    amount: str = "3125.00",
    balance: str | None = None,
    *,
    status: str = "Posted",
    day: dt.date = dt.date(2027, 3, 1),
    subscription: str = "A-S00000001",
) -> BillingInvoice:
    return BillingInvoice(
        invoice_number=number,
        invoice_id=f"id-{number}",
        invoice_date=day,
        due_date=day + dt.timedelta(days=30),
        amount=Decimal(amount),
        balance=Decimal(amount if balance is None else balance),
        status=status,
        currency="USD",
        subscription_numbers=(subscription,),
    )


def erp_invoice(
    tran_id: str,
    external_id: str | None,
    total: str = "3125.00",
    remaining: str | None = None,
    *,
    created_from: str | None = ORDER,
) -> ErpInvoice:
    return ErpInvoice(
        erp_id=f"9{tran_id[-3:]}",
        tran_id=tran_id,
        external_id=external_id,
        created_from=created_from,
        tran_date=dt.date(2027, 3, 1),
        due_date=dt.date(2027, 3, 31),
        total=Decimal(total),
        amount_remaining=Decimal(total if remaining is None else remaining),
        status="Open",
        currency="USD",
    )


def payment(
    number: str,
    invoices: tuple[str, ...],
    state: str,
    day: dt.date,
    amount: str = "3125.00",
    gateway: str | None = None,
) -> BillingPayment:
    return BillingPayment(
        payment_number=number,
        payment_id=f"id-{number}",
        amount=Decimal(amount),
        status=state,
        effective_date=day,
        currency="USD",
        invoice_numbers=invoices,
        gateway_response=gateway,
    )


def reconciled(
    invoices: list[BillingInvoice],
    erp: list[ErpInvoice],
    payments: list[BillingPayment] | None = None,
    erp_payments: list[ErpPayment] | None = None,
) -> v1.BillingStatus:
    return status(CUSTOMER, "USD", Documents(invoices, payments or [], erp, erp_payments or []), TODAY)


def states(answer: v1.BillingStatus) -> dict[str, str]:
    return {i.invoice_number: i.reconciliation for i in answer.invoices}


def test_an_invoice_booked_alike_in_both_systems_is_matched() -> None:
    answer = reconciled([invoice("INV00000001")], [erp_invoice("INV1001", "INV00000001")])
    [matched] = answer.invoices
    assert matched.reconciliation == "matched"
    assert matched.amount == matched.balance == Money(amount="3125.00", currency="USD")
    assert matched.erp is not None and matched.erp.tran_id == "INV1001"
    assert matched.erp.amount_remaining.amount == "3125.00"
    assert matched.subscription_numbers == ("A-S00000001",)
    assert answer.discrepancies == ()
    assert answer.balance == answer.erp_balance == Money(amount="3125.00", currency="USD")
    assert answer.reconciled is True
    assert (answer.customer_id, answer.currency) == (CUSTOMER, "USD")


def test_a_posted_invoice_nobody_booked_is_missing_in_the_erp() -> None:
    answer = reconciled([invoice("INV00000001")], [])
    [missing] = answer.invoices
    assert missing.reconciliation == "missing-in-erp"
    assert missing.erp is None
    [discrepancy] = answer.discrepancies
    assert (discrepancy.kind, discrepancy.document) == ("missing-in-erp", "INV00000001")
    assert "3125.00 USD" in discrepancy.detail and "not in NetSuite" in discrepancy.detail
    assert answer.reconciled is False
    assert (answer.balance.amount, answer.erp_balance.amount) == ("3125.00", "0.00")


def test_erp_invoices_billing_does_not_know_are_missing_in_billing_with_or_without_an_external_id() -> None:
    answer = reconciled(
        [invoice("INV00000001")],
        [
            erp_invoice("INV1001", "INV00000001"),
            erp_invoice("INV1002", "INV00000099", "100.00"),
            erp_invoice("INV1003", None, "40.00"),
        ],
    )
    assert states(answer) == {
        "INV00000001": "matched",
        "INV00000099": "missing-in-billing",  # named by the Zuora number NetSuite claims
        "INV1003": "missing-in-billing",  # no external id: named by NetSuite's number
    }
    assert sorted((d.kind, d.document) for d in answer.discrepancies) == [
        ("missing-in-billing", "INV1002"),
        ("missing-in-billing", "INV1003"),
    ]
    unknown = next(i for i in answer.invoices if i.invoice_number == "INV1003")
    assert unknown.erp is not None and unknown.erp.total.amount == "40.00"
    assert unknown.amount is None and unknown.status is None
    assert answer.erp_balance.amount == "3265.00"
    assert answer.reconciled is False


def test_a_different_total_and_a_different_open_balance_are_told_apart() -> None:
    answer = reconciled(
        [invoice("INV00000001"), invoice("INV00000002", "500.00", "0.00")],
        [erp_invoice("INV1001", "INV00000001", "3000.00"), erp_invoice("INV1002", "INV00000002", "500.00")],
    )
    assert states(answer) == {"INV00000001": "amount-differs", "INV00000002": "balance-differs"}
    details = {d.document: (d.kind, d.detail) for d in answer.discrepancies}
    assert details["INV00000001"][0] == "amount-differs"
    assert "3125.00" in details["INV00000001"][1] and "3000.00" in details["INV00000001"][1]
    assert details["INV00000002"][0] == "balance-differs"
    assert "INV1002 500.00" in details["INV00000002"][1]
    assert answer.reconciled is False


def test_draft_and_cancelled_invoices_are_not_expected_in_the_erp_nor_owed() -> None:
    answer = reconciled(
        [
            invoice("INV00000001"),
            invoice("INV00000002", "900.00", status="Draft"),
            invoice("INV00000003", "80.00", status="Canceled"),
        ],
        [erp_invoice("INV1001", "INV00000001")],
    )
    assert set(states(answer).values()) == {"matched"}
    assert answer.discrepancies == ()
    assert answer.balance.amount == "3125.00"  # only what was posted is owed
    assert answer.reconciled is True


def test_balances_that_differ_are_not_reconciled_even_when_every_document_agrees() -> None:
    # NetSuite already booked a draft Zuora has not posted: the documents agree, the balances do not.
    answer = reconciled(
        [invoice("INV00000001"), invoice("INV00000002", "900.00", status="Draft")],
        [erp_invoice("INV1001", "INV00000001"), erp_invoice("INV1002", "INV00000002", "900.00")],
    )
    assert set(states(answer).values()) == {"matched"}
    assert answer.discrepancies == ()
    assert (answer.balance.amount, answer.erp_balance.amount) == ("3125.00", "4025.00")
    assert answer.reconciled is False


def test_invoices_come_oldest_first_and_an_open_one_past_its_due_date_is_overdue() -> None:
    answer = reconciled(
        [
            invoice("INV00000002", day=dt.date(2027, 3, 1)),
            invoice("INV00000001", day=dt.date(2027, 1, 1)),
            invoice("INV00000003", "100.00", "0.00", day=dt.date(2027, 1, 1)),
        ],
        [],
    )
    assert [(i.invoice_number, i.overdue) for i in answer.invoices] == [
        ("INV00000001", True),
        ("INV00000003", False),  # past due but paid
        ("INV00000002", False),  # open, not due yet
    ]


def test_payments_show_their_state_the_gateways_words_and_their_erp_booking() -> None:
    declined = "Your card was declined."
    answer = reconciled(
        [invoice("INV00000001", balance="0.00")],
        [erp_invoice("INV1001", "INV00000001", remaining="0.00")],
        [
            payment("P-00000002", ("INV00000001",), "Processed", dt.date(2027, 3, 20), gateway="Approved"),
            payment("P-00000001", ("INV00000001",), "Error", dt.date(2027, 3, 10), gateway=declined),
            payment("P-00000003", ("INV00000001",), "Voided", dt.date(2027, 3, 21)),
        ],
        [
            ErpPayment(
                erp_id="7001",
                tran_id="PYMT1001",
                external_id="P-00000002",
                tran_date=dt.date(2027, 3, 20),
                amount=Decimal("3125.00"),
                currency="USD",
                applied_to=("INV1001",),
            )
        ],
    )
    assert [(p.payment_number, p.status, p.failure_reason, p.erp_payment_id) for p in answer.payments] == [
        ("P-00000001", "failed", declined, None),
        ("P-00000002", "processed", None, "PYMT1001"),
        ("P-00000003", "voided", None, None),
    ]
    assert answer.payment_failures == ()  # paid by the later payment
    assert answer.reconciled is True


def test_a_payment_failure_counts_while_its_invoice_is_open_and_not_paid_later() -> None:
    first, second = invoice("INV00000001"), invoice("INV00000002", "500.00", day=dt.date(2027, 3, 2))
    failed = payment("P-00000001", ("INV00000001",), "Error", dt.date(2027, 3, 10), gateway="Do not honor")

    open_answer = reconciled([first, second], [], [failed])
    assert [p.payment_number for p in open_answer.payment_failures] == ["P-00000001"]
    [failure] = open_answer.payment_failures
    assert (failure.status, failure.failure_reason) == ("failed", "Do not honor")

    # The invoice was settled since (a credit, a payment made outside Zuora): nothing to chase.
    settled = msgspec.structs.replace(first, balance=Decimal(0))
    assert reconciled([settled, second], [], [failed]).payment_failures == ()

    # Paid by a later payment: the failure is history.
    later = payment("P-00000002", ("INV00000001",), "Processed", dt.date(2027, 3, 12))
    assert reconciled([first, second], [], [failed, later]).payment_failures == ()

    # A payment that went through *before* the failure does not excuse it.
    earlier = payment("P-00000000", ("INV00000001",), "Processed", dt.date(2027, 3, 5), "1000.00")
    partly_paid = msgspec.structs.replace(first, balance=Decimal("2125.00"))
    still = reconciled([partly_paid, second], [], [earlier, failed])
    assert [p.payment_number for p in still.payment_failures] == ["P-00000001"]

    # A payment of another invoice does not settle this one.
    elsewhere = payment("P-00000002", ("INV00000002",), "Processed", dt.date(2027, 3, 12), "500.00")
    other = reconciled([first, second], [], [failed, elsewhere])
    assert [p.payment_number for p in other.payment_failures] == ["P-00000001"]


def test_for_order_keeps_only_what_bills_the_orders_subscription_or_comes_from_its_sales_order() -> None:
    mine = invoice("INV00000001", subscription="A-S00000001")
    theirs = invoice("INV00000002", "500.00", subscription="A-S00000002")
    docs = Documents(
        [mine, theirs],
        [
            payment("P-00000001", ("INV00000001",), "Processed", dt.date(2027, 3, 10)),
            payment("P-00000002", ("INV00000002",), "Error", dt.date(2027, 3, 10), "500.00", "Declined"),
        ],
        [
            erp_invoice("INV1001", "INV00000001"),
            erp_invoice("INV1002", "INV00000002", "500.00", created_from=OTHER_ORDER),
            erp_invoice("INV1003", None, "40.00", created_from=ORDER),  # billed in NetSuite only
            erp_invoice("INV1004", None, "60.00", created_from=OTHER_ORDER),
        ],
        [
            ErpPayment("7001", "PYMT1001", "P-00000001", dt.date(2027, 3, 10), Decimal("3125.00"), "USD"),
            ErpPayment("7002", "PYMT1002", "P-00000009", dt.date(2027, 3, 10), Decimal("500.00"), "USD"),
        ],
    )
    order = docs.for_order({"A-S00000001"}, {ORDER})
    assert [i.invoice_number for i in order.invoices] == ["INV00000001"]
    assert sorted(e.tran_id for e in order.erp_invoices) == ["INV1001", "INV1003"]
    assert [p.payment_number for p in order.payments] == ["P-00000001"]
    assert [p.tran_id for p in order.erp_payments] == ["PYMT1001"]

    answer = status(CUSTOMER, "USD", order, TODAY)
    assert states(answer) == {"INV00000001": "matched", "INV1003": "missing-in-billing"}
    assert answer.payment_failures == ()  # the other order's declined payment is not this order's
    assert status(CUSTOMER, "USD", docs, TODAY).payment_failures[0].payment_number == "P-00000002"
