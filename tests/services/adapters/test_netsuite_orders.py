"""The NetSuite adapter as a ``SalesOrderBook``, against the sandbox over real HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from services.adapters.errors import NotFound, Rejected, Unavailable
from services.adapters.netsuite import NetSuiteERP
from services.quote_to_cash import ErpInvoice, ErpOrderLine, ErpPayment, ErpSalesOrder, SalesOrderBook
from services.sandbox import _demo
from tests.fixtures.netsuite import NetSuiteRecords

START = dt.date(2025, 1, 15)
END = dt.date(2026, 1, 14)


def a_line(sku: str = "RG-PLATFORM", **overrides: Any) -> ErpOrderLine:
    fields: dict[str, Any] = {
        "item": sku,
        "quantity": 25,
        "rate": Decimal("100.00"),
        "amount": Decimal("2500.00"),
        "billing_schedule": "Monthly",
        "rev_rec_start": START,
        "rev_rec_end": END,
    }
    fields.update(overrides)
    return ErpOrderLine(**fields)


ANALYTICS = a_line("RG-ANALYTICS", rate=Decimal("25.00"), amount=Decimal("625.00"), description="Add-on")


def an_order(*lines: ErpOrderLine, **overrides: Any) -> ErpSalesOrder:
    fields: dict[str, Any] = {
        "external_id": "ord_01JDEMQ2C0ORDER00000000001",
        "customer_external_id": _demo.CUSTOMER_ID,
        "legal_entity": "US01",
        "currency": "USD",
        "tran_date": START,
        "lines": lines or (a_line(), ANALYTICS),
        "other_ref": "A-S00000101",
        "memo": "25 seats, 12 months",
    }
    fields.update(overrides)
    return ErpSalesOrder(**fields)


ORDER = an_order()


def writes(ns: NetSuiteRecords, method: str, path_part: str) -> int:
    seen = ns.http.get(ns.url + "/__sandbox/requests").json()
    return len([r for r in seen if r["method"] == method and path_part in r["path"]])


def faults(ns: NetSuiteRecords, **settings: Any) -> None:
    ns.http.put(ns.url + "/__sandbox/faults", json=settings).raise_for_status()


def bill(ns: NetSuiteRecords, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """Transform the order into an invoice, as a billing sync would."""
    path = f"/salesOrder/eid:{ORDER.external_id}/!transform/invoice"
    return ns.follow(ns.call("POST", path, body))


A_MONTH: dict[str, Any] = {
    "item": {"items": [{"orderLine": 1, "amount": 208.33}, {"orderLine": 2, "amount": 52.09}]}
}
"""A month of the order billed: a twelfth of each line."""


def test_the_adapter_is_a_sales_order_book(netsuite_erp: NetSuiteERP) -> None:
    book: SalesOrderBook = netsuite_erp
    assert book is netsuite_erp


async def test_a_booked_order_reads_back_as_sent_with_its_erp_ids(netsuite_erp: NetSuiteERP) -> None:
    booked = await netsuite_erp.book_sales_order(ORDER)

    assert booked == msgspec.structs.replace(
        ORDER, erp_id=booked.erp_id, tran_id="SO1001", status="Pending Billing", closed=False
    )
    assert booked.erp_id is not None and booked.erp_id.isdigit()
    assert await netsuite_erp.sales_order(ORDER.external_id) == booked


async def test_an_unknown_order_is_none(netsuite_erp: NetSuiteERP) -> None:
    assert await netsuite_erp.sales_order("ord_nobody") is None


async def test_a_replay_books_nothing_twice(
    netsuite_erp: NetSuiteERP, netsuite_records: NetSuiteRecords
) -> None:
    first = await netsuite_erp.book_sales_order(ORDER)
    again = await netsuite_erp.book_sales_order(ORDER)

    assert again == first
    assert netsuite_records.get("/salesOrder", q=f'externalId IS "{ORDER.external_id}"')["totalResults"] == 1
    assert writes(netsuite_records, "PUT", "/salesOrder/") == 1
    assert writes(netsuite_records, "GET", "/billingSchedule/") == 4  # looked up once, then cached


async def test_concurrent_bookings_leave_one_order_with_its_lines(
    netsuite_erp: NetSuiteERP, netsuite_records: NetSuiteRecords
) -> None:
    first, second = await asyncio.gather(*(netsuite_erp.book_sales_order(ORDER) for _ in range(2)))

    assert first.erp_id == second.erp_id
    assert second.lines == ORDER.lines
    assert netsuite_records.get("/salesOrder")["totalResults"] == 1


async def test_a_replay_after_billing_and_closing_leaves_the_order_as_it_is(
    netsuite_erp: NetSuiteERP, netsuite_records: NetSuiteRecords
) -> None:
    await netsuite_erp.book_sales_order(ORDER)
    bill(netsuite_records, {"item": {"items": [{"orderLine": 1, "amount": 208.33}]}})
    await netsuite_erp.close_sales_order(ORDER.external_id)

    replayed = await netsuite_erp.book_sales_order(ORDER)

    assert replayed.closed is True and replayed.status == "Closed"
    assert replayed.lines == ORDER.lines


async def test_new_lines_replace_the_old_ones_before_billing(netsuite_erp: NetSuiteERP) -> None:
    await netsuite_erp.book_sales_order(ORDER)
    changed = an_order(a_line(quantity=30, amount=Decimal("3000.00")))

    booked = await netsuite_erp.book_sales_order(changed)

    assert booked.lines == changed.lines
    assert booked.tran_id == "SO1001"


async def test_a_new_memo_keeps_the_lines(
    netsuite_erp: NetSuiteERP, netsuite_records: NetSuiteRecords
) -> None:
    await netsuite_erp.book_sales_order(ORDER)
    bill(netsuite_records)

    booked = await netsuite_erp.book_sales_order(msgspec.structs.replace(ORDER, memo="renamed"))

    assert booked.memo == "renamed"
    assert booked.status == "Billed"  # the billed lines were not touched


async def test_lines_of_a_billed_order_cannot_change(
    netsuite_erp: NetSuiteERP, netsuite_records: NetSuiteRecords
) -> None:
    await netsuite_erp.book_sales_order(ORDER)
    bill(netsuite_records)

    with pytest.raises(Rejected) as refused:
        await netsuite_erp.book_sales_order(an_order(a_line()))

    assert "has been billed" in refused.value.reasons[0].message


@pytest.mark.parametrize(
    ("order", "field", "words"),
    [
        (an_order(a_line(billing_schedule="Weekly")), "lines[0].billing_schedule", "Weekly"),
        (an_order(legal_entity="FR01"), "legal_entity", "FR01"),
        (an_order(a_line("RG-NOPE")), "item.items[0].item", "RG-NOPE"),
        (an_order(legal_entity="GB01"), "subsidiary", "subsidiary"),
        (an_order(currency="CAD"), "currency", "currency"),
        (an_order(a_line(rev_rec_end=dt.date(2024, 12, 31))), "item.items[0].revRecEndDate", "Rev. Rec."),
        (an_order(a_line(quantity=0, amount=Decimal(0))), "item.items[0].quantity", "greater than zero"),
        (an_order(customer_external_id="cus_nobody"), "entity", "cus_nobody"),
    ],
)
async def test_invalid_orders_are_rejected_with_reasons(
    netsuite_erp: NetSuiteERP, order: ErpSalesOrder, field: str, words: str
) -> None:
    with pytest.raises(Rejected) as refused:
        await netsuite_erp.book_sales_order(order)

    [reason] = refused.value.reasons
    assert reason.field == field
    assert words in reason.message
    assert await netsuite_erp.sales_order(order.external_id) is None


async def test_a_customer_on_credit_hold_is_rejected(
    netsuite_erp: NetSuiteERP, netsuite_records: NetSuiteRecords
) -> None:
    hold = netsuite_records.call(
        "PATCH", f"/customer/eid:{_demo.CUSTOMER_ID}", {"creditHoldOverride": {"id": "ON"}}
    )
    assert hold.status_code == 204

    with pytest.raises(Rejected) as refused:
        await netsuite_erp.book_sales_order(ORDER)

    [reason] = refused.value.reasons
    assert reason.code == "USER_ERROR" and reason.field == "entity"
    assert f"Customer {_demo.CUSTOMER_NAME} is on credit hold" in reason.message
    assert refused.value.status == 400


async def test_closing_closes_every_line_once(
    netsuite_erp: NetSuiteERP, netsuite_records: NetSuiteRecords
) -> None:
    await netsuite_erp.book_sales_order(ORDER)

    await netsuite_erp.close_sales_order(ORDER.external_id)
    await netsuite_erp.close_sales_order(ORDER.external_id)

    closed = await netsuite_erp.sales_order(ORDER.external_id)
    assert closed is not None and closed.closed is True and closed.status == "Closed"
    assert writes(netsuite_records, "PATCH", "/salesOrder/") == 1
    with pytest.raises(NotFound):
        await netsuite_erp.close_sales_order("ord_nobody")


async def test_invoices_and_payments_read_back_with_amounts_and_links(
    netsuite_erp: NetSuiteERP, netsuite_records: NetSuiteRecords
) -> None:
    booked = await netsuite_erp.book_sales_order(ORDER)
    first = bill(netsuite_records, {"externalId": "INV00000001", "tranDate": "2025-01-15", **A_MONTH})
    bill(netsuite_records, {"externalId": "INV00000002", "tranDate": "2025-02-15", **A_MONTH})
    payment = {
        "customer": {"externalId": _demo.CUSTOMER_ID},
        "payment": 260.42,
        "tranDate": "2025-01-20",
        "externalId": "P-00000001",
        "apply": {"items": [{"doc": {"id": first["id"]}, "apply": True, "amount": 260.42}]},
    }
    assert netsuite_records.call("POST", "/customerPayment", payment).status_code == 204

    invoices = await netsuite_erp.invoices(_demo.CUSTOMER_ID)
    payments = await netsuite_erp.payments(_demo.CUSTOMER_ID)

    assert invoices == [
        ErpInvoice(
            erp_id=first["id"],
            tran_id="INV1001",
            external_id="INV00000001",
            created_from=booked.external_id,
            tran_date=START,
            due_date=dt.date(2025, 2, 14),
            total=Decimal("260.42"),
            amount_remaining=Decimal("0.0"),
            status="Paid In Full",
            currency="USD",
        ),
        ErpInvoice(
            erp_id=invoices[1].erp_id,
            tran_id="INV1002",
            external_id="INV00000002",
            created_from=booked.external_id,
            tran_date=dt.date(2025, 2, 15),
            due_date=dt.date(2025, 3, 17),
            total=Decimal("260.42"),
            amount_remaining=Decimal("260.42"),
            status="Open",
            currency="USD",
        ),
    ]
    assert payments == [
        ErpPayment(
            erp_id=payments[0].erp_id,
            tran_id="PYMT1001",
            external_id="P-00000001",
            tran_date=dt.date(2025, 1, 20),
            amount=Decimal("260.42"),
            currency="USD",
            applied_to=("INV1001",),
        )
    ]


async def test_a_customer_without_documents_has_none(netsuite_erp: NetSuiteERP) -> None:
    assert await netsuite_erp.invoices(_demo.CUSTOMER_ID) == []
    assert await netsuite_erp.payments("cus_nobody") == []


async def test_an_outage_is_unavailable(netsuite_erp: NetSuiteERP, netsuite_records: NetSuiteRecords) -> None:
    faults(netsuite_records, outage=True)

    with pytest.raises(Unavailable):
        await netsuite_erp.book_sales_order(ORDER)


async def test_a_passing_failure_is_retried(
    netsuite_erp: NetSuiteERP, netsuite_records: NetSuiteRecords
) -> None:
    await netsuite_erp.book_sales_order(ORDER)
    faults(netsuite_records, failNext=2)

    again = await netsuite_erp.sales_order(ORDER.external_id)

    assert again is not None and again.tran_id == "SO1001"
