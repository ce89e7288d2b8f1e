"""SalesforceCRM as the quote-to-cash DealDesk, against the Salesforce sandbox over real HTTP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import pytest

from services.adapters._session import RetryPolicy
from services.adapters.errors import NotFound, Rejected, Throttled, Unavailable
from services.adapters.salesforce import SalesforceCRM
from services.quote_to_cash import (
    AccountBillingState,
    DealDesk,
    DealUpdate,
    IntegrationStatus,
    Opportunity,
    OpportunityLine,
)
from services.sandbox import _demo
from services.sandbox.salesforce import OPEN_OPPORTUNITY_CRM_ID
from tests.fixtures.salesforce import FAST_RETRY, SalesforceSandbox, salesforce_config

WON = _demo.OPPORTUNITY_CRM_ID
SERVICE_START = dt.date(2026, 12, 1)


def _is_a_deal_desk(crm: SalesforceCRM) -> DealDesk:
    return crm  # mypy checks that the adapter satisfies the port


def data_calls(sandbox: SalesforceSandbox) -> list[str]:
    return [
        f"{r['method']} {r['path']}" for r in sandbox.requests() if r["path"].startswith("/services/data/")
    ]


# --- Reading ------------------------------------------------------------------------------------


async def test_reads_the_demo_deal_with_its_products(salesforce_crm: SalesforceCRM) -> None:
    assert await salesforce_crm.opportunity(WON) == Opportunity(
        crm_id=WON,
        name="Initech — Revenue Platform 25 seats",
        account_crm_id=_demo.ACCOUNT_CRM_ID,
        stage="Closed Won",
        is_closed=True,
        is_won=True,
        close_date=dt.date(2026, 11, 20),
        currency="USD",
        amount=Decimal("3125.00"),
        lines=(
            OpportunityLine(
                product_code="RG-PLATFORM",
                product_name="Revenue Platform",
                quantity=25,
                unit_price=Decimal("100.00"),
                total_price=Decimal("2500.00"),
                product_active=True,
                service_date=SERVICE_START,
            ),
            OpportunityLine(
                product_code="RG-ANALYTICS",
                product_name="Analytics Add-on",
                quantity=25,
                unit_price=Decimal("25.00"),
                total_price=Decimal("625.00"),
                product_active=True,
                service_date=SERVICE_START,
            ),
        ),
        term_months=12,
        start_date=SERVICE_START,
        revgate_order_id=None,
    )
    # A 15-character id is the same record.
    short = await salesforce_crm.opportunity(WON[:15])
    assert short is not None
    assert short.crm_id == WON


async def test_an_open_deal_reads_as_open(salesforce_crm: SalesforceCRM) -> None:
    deal = await salesforce_crm.opportunity(OPEN_OPPORTUNITY_CRM_ID)
    assert deal is not None
    assert (deal.stage, deal.is_closed, deal.is_won, deal.amount) == (
        "Negotiation/Review",
        False,
        False,
        Decimal("250.00"),
    )


async def test_an_inactive_product_and_missing_fields(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    deal_id = salesforce_sandbox.create(
        "Opportunity",
        {"Name": "Legacy renewal", "StageName": "Closed Won", "CloseDate": "2026-11-01"},
    )
    entry = salesforce_sandbox.price_book_entry("RG-LEGACY")
    line = {"OpportunityId": deal_id, "PricebookEntryId": entry, "Quantity": 3, "TotalPrice": 100}
    salesforce_sandbox.create("OpportunityLineItem", line)
    deal = await salesforce_crm.opportunity(deal_id)
    assert deal is not None
    assert (deal.account_crm_id, deal.term_months, deal.start_date, deal.revgate_order_id) == (
        "",
        None,
        None,
        None,
    )
    (only,) = deal.lines
    assert (only.product_code, only.product_active, only.quantity, only.service_date) == (
        "RG-LEGACY",
        False,
        3,
        None,
    )
    assert (only.unit_price, only.total_price, deal.amount) == (
        Decimal("33.33"),
        Decimal("100.00"),
        Decimal("100.00"),
    )
    empty_id = salesforce_sandbox.create(
        "Opportunity", {"Name": "Empty", "StageName": "Prospecting", "CloseDate": "2026-11-01"}
    )
    empty = await salesforce_crm.opportunity(empty_id)
    assert empty is not None
    assert (empty.lines, empty.amount) == ((), None)


async def test_a_fraction_of_a_seat_is_refused_not_rounded(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    (line,) = salesforce_sandbox.rows(
        f"SELECT Id FROM OpportunityLineItem WHERE OpportunityId = '{OPEN_OPPORTUNITY_CRM_ID}'"
    )
    salesforce_sandbox.api("PATCH", f"/sobjects/OpportunityLineItem/{line['Id']}", json={"Quantity": 2.5})
    with pytest.raises(Rejected, match="not a whole number"):
        await salesforce_crm.opportunity(OPEN_OPPORTUNITY_CRM_ID)


@pytest.mark.parametrize(
    "crm_id",
    [
        "006Hs00000Zzzz9",
        "006Hs00000Zzzz9AAA",
        "not an id",
        _demo.ACCOUNT_CRM_ID,
        "006Hs00000000EWIZZ",
        "../Account",
        "",
    ],
)
async def test_unknown_or_malformed_ids_are_no_deal(salesforce_crm: SalesforceCRM, crm_id: str) -> None:
    assert await salesforce_crm.opportunity(crm_id) is None


# --- Writing back -------------------------------------------------------------------------------


async def test_update_writes_the_fields_that_are_set(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    await salesforce_crm.update_deal(
        WON,
        DealUpdate(
            order_id="ord_01JDEMQ2C0N1TECH000000000A",
            integration_status=IntegrationStatus.COMPLETED,
            integration_message="Booked",
            subscription_number="A-S00000042",
            erp_order_id="SO1042",
            seats=25,
            contract_end=dt.date(2027, 11, 30),
            subscription_status="Active",
        ),
    )
    record = salesforce_sandbox.record("Opportunity", WON)
    expected = {
        "Revgate_Order_Id__c": "ord_01JDEMQ2C0N1TECH000000000A",
        "Revgate_Integration_Status__c": "Completed",
        "Revgate_Integration_Message__c": "Booked",
        "Revgate_Subscription_Number__c": "A-S00000042",
        "Revgate_Erp_Order_Id__c": "SO1042",
        "Revgate_Seats__c": 25,
        "Revgate_Contract_End__c": "2027-11-30",
        "Revgate_Subscription_Status__c": "Active",
    }
    assert {k: record[k] for k in expected} == expected
    # None leaves a field as it is: an amendment changes the seats and the status only.
    await salesforce_crm.update_deal(
        WON, DealUpdate(seats=30, integration_status=IntegrationStatus.IN_PROGRESS)
    )
    record = salesforce_sandbox.record("Opportunity", WON)
    expected |= {"Revgate_Seats__c": 30, "Revgate_Integration_Status__c": "In Progress"}
    assert {k: record[k] for k in expected} == expected
    deal = await salesforce_crm.opportunity(WON)
    assert deal is not None
    assert deal.revgate_order_id == "ord_01JDEMQ2C0N1TECH000000000A"


async def test_a_long_message_is_cut_to_the_field(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    message = "Zuora refused the order: " + "the rate plan is retired. " * 20
    await salesforce_crm.update_deal(
        WON, DealUpdate(integration_status=IntegrationStatus.FAILED, integration_message=message)
    )
    stored = salesforce_sandbox.record("Opportunity", WON)["Revgate_Integration_Message__c"]
    assert stored == message[:255]


async def test_an_empty_update_sends_nothing(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    await salesforce_crm.update_deal(WON, DealUpdate())
    assert data_calls(salesforce_sandbox) == []


@pytest.mark.parametrize("crm_id", ["006Hs00000Zzzz9", "not an id", _demo.ACCOUNT_CRM_ID, " "])
async def test_updating_an_unknown_deal_is_not_found(salesforce_crm: SalesforceCRM, crm_id: str) -> None:
    with pytest.raises(NotFound):
        await salesforce_crm.update_deal(crm_id, DealUpdate(seats=1))


async def test_a_value_salesforce_refuses_is_rejected(salesforce_crm: SalesforceCRM) -> None:
    with pytest.raises(Rejected) as caught:
        await salesforce_crm.update_deal(WON, DealUpdate(order_id="o" * 41))
    assert caught.value.reasons[0].code == "STRING_TOO_LONG"


async def test_account_billing_state(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    declined = "P-00000012 of 1,200.00 USD declined: Insufficient funds. " * 6
    await salesforce_crm.update_account_billing_state(
        _demo.ACCOUNT_CRM_ID, AccountBillingState(payment_status="Payment Failed", message=declined)
    )
    account = salesforce_sandbox.record("Account", _demo.ACCOUNT_CRM_ID)
    assert (account["Revgate_Payment_Status__c"], account["Revgate_Payment_Message__c"]) == (
        "Payment Failed",
        declined[:255],
    )
    # Back to current: the old failure does not linger next to it.
    await salesforce_crm.update_account_billing_state(
        _demo.ACCOUNT_CRM_ID, AccountBillingState(payment_status="Current")
    )
    account = salesforce_sandbox.record("Account", _demo.ACCOUNT_CRM_ID)
    assert (account["Revgate_Payment_Status__c"], account["Revgate_Payment_Message__c"]) == ("Current", None)
    with pytest.raises(NotFound):
        await salesforce_crm.update_account_billing_state("001Hs00000Zzzz9", AccountBillingState("Current"))


async def test_every_deal_call_says_it_is_revgate(salesforce_sandbox: SalesforceSandbox) -> None:
    sent: list[httpx.Request] = []

    class Recording(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return await super().handle_async_request(request)

    crm = SalesforceCRM(salesforce_config(salesforce_sandbox.url), transport=Recording())
    try:
        await crm.opportunity(WON)
        await crm.update_deal(WON, DealUpdate(seats=26))
        await crm.update_account_billing_state(_demo.ACCOUNT_CRM_ID, AccountBillingState("Current"))
    finally:
        await crm.aclose()
    data = [r for r in sent if r.url.path.startswith("/services/data/")]
    assert [(r.method, r.url.path.rsplit("/", 2)[-2]) for r in data] == [
        ("GET", "Opportunity"),
        ("GET", "v62.0"),
        ("PATCH", "Opportunity"),
        ("PATCH", "Account"),
    ]
    assert all(r.headers["sforce-call-options"] == "client=revgate" for r in data)
    assert sum(r.url.path.endswith("/oauth2/token") for r in sent) == 1, "one token for every call"


# --- Faults -------------------------------------------------------------------------------------


async def test_throttling_that_persists_is_throttled(salesforce_sandbox: SalesforceSandbox) -> None:
    policy = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05, max_retry_after=0.1, timeout=5.0)
    crm = SalesforceCRM(salesforce_config(salesforce_sandbox.url, policy))
    try:
        await crm.opportunity(WON)
        salesforce_sandbox.set_faults(throttle=True, throttleRetryAfter=0)
        with pytest.raises(Throttled) as caught:
            await crm.opportunity(WON)
        assert caught.value.reasons[0].code == "REQUEST_LIMIT_EXCEEDED"
        with pytest.raises(Throttled):
            await crm.update_deal(WON, DealUpdate(seats=2))
        assert len(data_calls(salesforce_sandbox)) == 2 + 2 * policy.attempts
    finally:
        await crm.aclose()


async def test_an_outage_is_unavailable_and_a_blip_is_retried(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    await salesforce_crm.opportunity(WON)
    salesforce_sandbox.set_faults(outage=True)
    with pytest.raises(Unavailable) as caught:
        await salesforce_crm.update_deal(WON, DealUpdate(seats=2))
    assert caught.value.reasons[0].code == "SERVER_UNAVAILABLE"
    with pytest.raises(Unavailable):
        await salesforce_crm.update_account_billing_state(
            _demo.ACCOUNT_CRM_ID, AccountBillingState("Current")
        )
    assert len(data_calls(salesforce_sandbox)) == 2 + 2 * FAST_RETRY.attempts
    salesforce_sandbox.set_faults(failNext=1)
    await salesforce_crm.update_deal(WON, DealUpdate(seats=2))
    assert salesforce_sandbox.record("Opportunity", WON)["Revgate_Seats__c"] == 2
