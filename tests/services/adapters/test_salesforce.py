"""SalesforceCRM against the Salesforce sandbox over real HTTP: mapping, upsert, SOQL, resilience."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import msgspec
import pytest

from services.adapters._session import RetryPolicy
from services.adapters.errors import (
    Conflict,
    NotFound,
    Rejected,
    Throttled,
    Unavailable,
    VendorError,
)
from services.adapters.salesforce import SalesforceCRM, soql_like_prefix, soql_string, translate_error
from services.domain.customer import PostalAddress, match_key, new_customer_id
from services.ports import CrmAccount, CustomerRelationshipSystem
from services.runtime.correlation import correlation_id
from services.sandbox._demo import CUSTOMER_ID
from tests.fixtures._sandbox import Received
from tests.fixtures.salesforce import FAST_RETRY, SalesforceSandbox, salesforce_config

NORTHWIND_INC = "cus_01HF7YAT004TFF59TDWH9EDD1R"
NORTHWIND_GB = "cus_01HGKQ31001HEAD8X4A1JH69RE"
KESTREL = "cus_01HMQ1BP00G7KYHRJXJG7DJ13N"
SEEDED_CUSTOMERS = sorted(
    [
        NORTHWIND_INC,
        NORTHWIND_GB,
        "cus_01HHZFV800H4QX4FR84G98PBSK",
        "cus_01HKB8KF00JMRNV7E9Z0C1HT0H",
        KESTREL,
        "cus_01HP2T3X002R00K6AGV0VFCXEC",
        CUSTOMER_ID,  # the quote-to-cash demo customer
    ]
)
TOKEN_PATH = "/services/oauth2/token"


def new_account(name: str, **changes: Any) -> CrmAccount:
    account = CrmAccount(customer_id=new_customer_id(), match_key=match_key(name, "GB01"), name=name)
    return msgspec.structs.replace(account, **changes)


def data_calls(sandbox: SalesforceSandbox) -> list[Received]:
    return [r for r in sandbox.requests() if r["path"].startswith("/services/data/")]


def crm_id_of(sandbox: SalesforceSandbox, name: str) -> str:
    records = sandbox.query(f"SELECT Id FROM Account WHERE Name = {soql_string(name)}").json()["records"]
    record_id: str = records[0]["Id"]
    return record_id


def _is_a_crm(crm: SalesforceCRM) -> CustomerRelationshipSystem:
    return crm  # mypy checks that the adapter satisfies the port


# --- Reading ------------------------------------------------------------------------------------


async def test_reads_an_account_with_its_hierarchy_and_address(salesforce_crm: SalesforceCRM) -> None:
    parent = await salesforce_crm.account_by_customer_id(NORTHWIND_INC)
    child = await salesforce_crm.account_by_customer_id(NORTHWIND_GB)
    assert parent is not None
    assert child is not None
    assert child == CrmAccount(
        customer_id=NORTHWIND_GB,
        match_key="GB01|northwind analytics ltd",
        name="Northwind Analytics Ltd",
        industry="Technology",
        parent_crm_id=parent.crm_id,
        billing_address=PostalAddress(
            lines=("1 Canada Square", "Level 29"), city="London", country="GB", postal_code="E14 5AB"
        ),
        shipping_address=None,
        crm_id=child.crm_id,
    )
    assert parent.shipping_address == PostalAddress(
        lines=("500 Howard Street", "Suite 300"),
        city="San Francisco",
        country="US",
        region="CA",
        postal_code="94105",
    )
    assert parent.crm_id is not None
    assert await salesforce_crm.account(parent.crm_id) == parent
    assert await salesforce_crm.account(parent.crm_id[:15]) == parent


async def test_lookups_answer_none_when_nothing_matches(salesforce_crm: SalesforceCRM) -> None:
    assert await salesforce_crm.account("001Hs00000Zzzz9") is None
    assert await salesforce_crm.account("not an id") is None
    assert await salesforce_crm.account_by_customer_id("cus_01HZZZZZZZZZZZZZZZZZZZZZZZ") is None
    assert await salesforce_crm.account_by_customer_id(NORTHWIND_GB.lower()) is None
    assert await salesforce_crm.account_by_match_key("US01|nobody at all") is None


async def test_match_key_lookup(salesforce_crm: SalesforceCRM) -> None:
    found = await salesforce_crm.account_by_match_key("DE01|kestrel logistik gmbh")
    assert found is not None
    assert found.customer_id == KESTREL


async def test_crm_only_prospect_has_no_customer_id(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    prospect = await salesforce_crm.account(crm_id_of(salesforce_sandbox, "Cobalt Ridge Energy LLC"))
    assert prospect is not None
    assert (prospect.customer_id, prospect.match_key, prospect.industry) == ("", "", "Energy")


# --- Saving -------------------------------------------------------------------------------------


async def test_save_writes_salesforce_fields(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    parent = crm_id_of(salesforce_sandbox, "Bramble & Finch Retail plc")
    account = new_account(
        "Fennel Labs",
        industry="Biotechnology",
        parent_crm_id=parent,
        billing_address=PostalAddress(
            lines=("9 Pier Road", "Floor 2"), city="Bristol", country="GB", postal_code="BS1 4RN"
        ),
        shipping_address=PostalAddress(
            lines=("1 Dock Street",), city="Bristol", country="GB", region="England"
        ),
    )
    crm_id = await salesforce_crm.save_account(account)
    record = salesforce_sandbox.api("GET", f"/sobjects/Account/{crm_id}").json()
    assert {k: record[k] for k in ("Name", "Revgate_Id__c", "Revgate_Match_Key__c", "ParentId")} == {
        "Name": "Fennel Labs",
        "Revgate_Id__c": account.customer_id,
        "Revgate_Match_Key__c": "GB01|fennel labs",
        "ParentId": parent,
    }
    assert record["BillingStreet"] == "9 Pier Road\nFloor 2"
    assert (record["BillingCity"], record["BillingState"], record["BillingCountry"]) == (
        "Bristol",
        None,
        "GB",
    )
    assert (record["ShippingStreet"], record["ShippingState"]) == ("1 Dock Street", "England")
    assert await salesforce_crm.account(crm_id) == msgspec.structs.replace(account, crm_id=crm_id)


async def test_save_is_an_idempotent_upsert(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    account = new_account("Harbour Lights Ltd", industry="Hospitality")
    first = await salesforce_crm.save_account(account)
    again = await salesforce_crm.save_account(account)
    assert again == first
    renamed = msgspec.structs.replace(account, name="Harbour Lights Group Ltd", industry=None)
    assert await salesforce_crm.save_account(renamed) == first
    rows = salesforce_sandbox.query(
        f"SELECT Name, Industry FROM Account WHERE Revgate_Id__c = {soql_string(account.customer_id)}"
    ).json()
    assert rows["totalSize"] == 1
    assert (rows["records"][0]["Name"], rows["records"][0]["Industry"]) == ("Harbour Lights Group Ltd", None)


async def test_match_key_taken_by_another_customer_is_a_conflict(salesforce_crm: SalesforceCRM) -> None:
    twin = new_account("Kestrel Logistik GmbH", match_key="DE01|kestrel logistik gmbh")
    with pytest.raises(Conflict) as caught:
        await salesforce_crm.save_account(twin)
    assert caught.value.reasons[0].code == "DUPLICATE_VALUE"
    assert caught.value.status == 400
    assert await salesforce_crm.account_by_customer_id(twin.customer_id) is None


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"parent_crm_id": "001Hs00000Zzzz9"}, "INVALID_CROSS_REFERENCE_KEY", "ParentId"),
        ({"parent_crm_id": "banana"}, "MALFORMED_ID", "ParentId"),
        ({"name": "N" * 300}, "STRING_TOO_LONG", "Name"),
        ({"name": ""}, "REQUIRED_FIELD_MISSING", "Name"),
    ],
)
async def test_invalid_accounts_are_rejected_with_vendor_reasons(
    salesforce_crm: SalesforceCRM, changes: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(Rejected) as caught:
        await salesforce_crm.save_account(msgspec.structs.replace(new_account("Valid Name Ltd"), **changes))
    (reason,) = caught.value.reasons
    assert (reason.code, reason.field) == (code, field)
    assert reason.message


# --- Listing ------------------------------------------------------------------------------------


async def test_accounts_lists_customers_in_customer_id_order(salesforce_crm: SalesforceCRM) -> None:
    listed = await salesforce_crm.accounts(name_prefix=None, after_customer_id=None, limit=100)
    assert [a.customer_id for a in listed] == SEEDED_CUSTOMERS
    pages: list[CrmAccount] = []
    after: str | None = None
    while batch := await salesforce_crm.accounts(name_prefix=None, after_customer_id=after, limit=4):
        pages.extend(batch)
        after = batch[-1].customer_id
    assert pages == listed
    northwind = await salesforce_crm.accounts(name_prefix="northwind", after_customer_id=None, limit=10)
    assert sorted(a.name for a in northwind) == [
        "Northwind Analytics GmbH",
        "Northwind Analytics Inc.",
        "Northwind Analytics Ltd",
    ]
    assert await salesforce_crm.accounts(name_prefix=None, after_customer_id=None, limit=0) == []


async def test_name_prefix_is_taken_literally(salesforce_crm: SalesforceCRM) -> None:
    for name in ("O'Brien \\ Sons", "O'Brien Cousins", "50% Off Ltd", "500 Widgets", "A_B Ltd", "AXB Ltd"):
        await salesforce_crm.save_account(new_account(name))

    async def named(prefix: str) -> list[str]:
        found = await salesforce_crm.accounts(name_prefix=prefix, after_customer_id=None, limit=50)
        return sorted(a.name for a in found)

    assert await named("O'Brien \\") == ["O'Brien \\ Sons"]
    assert await named("O'Brien") == ["O'Brien Cousins", "O'Brien \\ Sons"]
    assert await named("50%") == ["50% Off Ltd"]
    assert await named("A_B") == ["A_B Ltd"]
    assert await named("x' OR Name LIKE '") == []
    assert await named("%") == []


async def test_match_key_with_quote_and_backslash(salesforce_crm: SalesforceCRM) -> None:
    account = new_account("Quote Corp", match_key="GB01|o'brien \\' OR Name != '")
    await salesforce_crm.save_account(account)
    found = await salesforce_crm.account_by_match_key(account.match_key)
    assert found is not None
    assert found.customer_id == account.customer_id


async def test_listing_follows_next_records_url(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    for start in range(0, 2000, 200):
        records = [
            {"attributes": {"type": "Account"}, "Name": f"Bulk {n}", "Revgate_Id__c": f"cus_01J{n:023d}"}
            for n in range(start, start + 200)
        ]
        salesforce_sandbox.api("POST", "/composite/sobjects", json={"records": records}).raise_for_status()
    listed = await salesforce_crm.accounts(name_prefix=None, after_customer_id=None, limit=2003)
    assert len(listed) == 2003
    # The demo customer's id (cus_01JD...) sorts after the bulk ones (cus_01J0...): past the limit.
    assert [a.customer_id for a in listed[:6]] == [c for c in SEEDED_CUSTOMERS if c != CUSTOMER_ID]
    assert listed[-1].customer_id == f"cus_01J{1996:023d}"
    assert any("/query/01g" in r["path"] for r in data_calls(salesforce_sandbox))


def test_soql_literals() -> None:
    assert soql_string("O'Brien \\ Sons\n") == "'O\\'Brien \\\\ Sons\\n'"
    assert soql_like_prefix("50%_'") == "'50\\%\\_\\'%'"


# --- Session behaviour --------------------------------------------------------------------------


async def test_expired_token_is_refreshed_once(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    assert await salesforce_crm.account_by_customer_id(KESTREL) is not None
    salesforce_sandbox.expire_tokens()
    assert await salesforce_crm.account_by_customer_id(KESTREL) is not None
    log = salesforce_sandbox.requests()
    assert [r["path"] for r in log].count(TOKEN_PATH) == 2
    assert [r["status"] for r in log if r["path"] != TOKEN_PATH] == [200, 401, 200]


async def test_transient_failures_are_retried(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    await salesforce_crm.account_by_customer_id(KESTREL)
    salesforce_sandbox.set_faults(failNext=2)
    account = new_account("Retry Me Ltd")
    crm_id = await salesforce_crm.save_account(account)
    assert [r["status"] for r in data_calls(salesforce_sandbox)][1:] == [503, 503, 201]
    assert (await salesforce_crm.account(crm_id)) == msgspec.structs.replace(account, crm_id=crm_id)


async def test_a_cold_start_retries_the_token_too(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    salesforce_sandbox.set_faults(failNext=1)
    assert await salesforce_crm.account_by_customer_id(KESTREL) is not None
    assert [r["status"] for r in salesforce_sandbox.requests()] == [503, 200, 200]


async def test_persistent_outage_is_unavailable_after_the_policy_attempts(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    await salesforce_crm.account_by_customer_id(KESTREL)
    salesforce_sandbox.set_faults(outage=True)
    with pytest.raises(Unavailable) as caught:
        await salesforce_crm.account_by_customer_id(KESTREL)
    assert caught.value.reasons[0].code == "SERVER_UNAVAILABLE"
    assert len(data_calls(salesforce_sandbox)) == 1 + FAST_RETRY.attempts


async def test_server_errors_are_unavailable(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    await salesforce_crm.account_by_customer_id(KESTREL)
    salesforce_sandbox.set_faults(errorRate=1.0)
    with pytest.raises(Unavailable) as caught:
        await salesforce_crm.accounts(name_prefix=None, after_customer_id=None, limit=5)
    assert caught.value.status == 500
    assert caught.value.reasons[0].code == "UNKNOWN_EXCEPTION"


async def test_throttling_waits_as_asked_then_succeeds(
    salesforce_crm: SalesforceCRM, salesforce_sandbox: SalesforceSandbox
) -> None:
    await salesforce_crm.account_by_customer_id(KESTREL)
    salesforce_sandbox.set_faults(throttle=True, throttleRetryAfter=1)
    started = time.monotonic()
    call = asyncio.create_task(salesforce_crm.account_by_customer_id(KESTREL))
    await asyncio.sleep(0.3)
    await asyncio.to_thread(salesforce_sandbox.set_faults)
    assert await call is not None
    assert time.monotonic() - started >= 0.95, "Retry-After: 1 was honoured"
    assert [r["status"] for r in data_calls(salesforce_sandbox)] == [200, 403, 200]


async def test_persistent_throttling_is_throttled_with_retry_after(
    salesforce_sandbox: SalesforceSandbox,
) -> None:
    policy = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05, max_retry_after=2.0, timeout=5.0)
    crm = SalesforceCRM(salesforce_config(salesforce_sandbox.url, policy))
    try:
        await crm.account_by_customer_id(KESTREL)
        salesforce_sandbox.set_faults(throttle=True, throttleRetryAfter=1)
        started = time.monotonic()
        with pytest.raises(Throttled) as caught:
            await crm.account_by_customer_id(KESTREL)
        assert time.monotonic() - started >= 0.95
        assert caught.value.retry_after == 1.0
        assert caught.value.reasons[0].code == "REQUEST_LIMIT_EXCEEDED"
        assert len(data_calls(salesforce_sandbox)) == 1 + 2

        salesforce_sandbox.set_faults(throttle=True, throttleRetryAfter=60)
        started = time.monotonic()
        with pytest.raises(Throttled):
            await crm.account_by_customer_id(KESTREL)
        assert time.monotonic() - started < 0.5, "a wait beyond max_retry_after is not taken"
        assert len(data_calls(salesforce_sandbox)) == 1 + 2 + 1
    finally:
        await crm.aclose()


async def test_correlation_id_and_call_options_reach_salesforce(
    salesforce_sandbox: SalesforceSandbox,
) -> None:
    sent: list[httpx.Request] = []

    class Recording(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return await super().handle_async_request(request)

    crm = SalesforceCRM(salesforce_config(salesforce_sandbox.url), transport=Recording())
    token = correlation_id.set("corr-sf-7f3a")
    try:
        await crm.account_by_customer_id(KESTREL)
    finally:
        correlation_id.reset(token)
        await crm.aclose()
    received = salesforce_sandbox.requests()
    assert [r["path"] for r in received] == [
        TOKEN_PATH,
        f"/services/data/v62.0/sobjects/Account/Revgate_Id__c/{KESTREL}",
    ]
    assert all(r["headers"]["x-correlation-id"] == "corr-sf-7f3a" for r in received)
    data = sent[-1]
    assert data.headers["sforce-call-options"] == "client=revgate"
    assert data.headers["authorization"].startswith("Bearer 00D")


async def test_garbage_from_salesforce_is_unavailable() -> None:
    def vendor(request: httpx.Request) -> httpx.Response:
        if request.url.path == TOKEN_PATH:
            return httpx.Response(200, json={"access_token": "t", "instance_url": "https://eu42.example"})
        return httpx.Response(200, text="<html>Down for maintenance</html>")

    crm = SalesforceCRM(salesforce_config("https://login.example"), transport=httpx.MockTransport(vendor))
    try:
        with pytest.raises(Unavailable):
            await crm.account_by_customer_id(KESTREL)
    finally:
        await crm.aclose()


async def test_data_calls_go_to_the_instance_url() -> None:
    hosts: list[str] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        if request.url.path == TOKEN_PATH:
            return httpx.Response(200, json={"access_token": "t", "instance_url": "https://eu42.example"})
        return httpx.Response(
            404, json=[{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]
        )

    crm = SalesforceCRM(salesforce_config("https://login.example"), transport=httpx.MockTransport(vendor))
    try:
        assert await crm.account_by_customer_id(KESTREL) is None
    finally:
        await crm.aclose()
    assert hosts == ["login.example", "eu42.example"]


# --- Error translation --------------------------------------------------------------------------


def sf_errors(code: str, message: str = "why", fields: list[str] | None = None) -> list[dict[str, Any]]:
    return [{"message": message, "errorCode": code, "fields": fields or []}]


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind"),
    [
        (400, sf_errors("INVALID_FIELD"), {}, Rejected),
        (400, sf_errors("REQUIRED_FIELD_MISSING", fields=["Name"]), {}, Rejected),
        (400, sf_errors("MALFORMED_QUERY"), {}, Rejected),
        (400, sf_errors("INVALID_TYPE_ON_FIELD_IN_RECORD"), {}, Rejected),
        (400, sf_errors("DUPLICATE_VALUE"), {}, Conflict),
        (
            300,
            ["/services/data/v62.0/sobjects/Account/001A", "/services/data/v62.0/sobjects/Account/001B"],
            {},
            Conflict,
        ),
        (404, sf_errors("NOT_FOUND"), {}, NotFound),
        # A path id of the wrong type or shape: no such record. On a body's reference: a rejection.
        (400, sf_errors("MALFORMED_ID", fields=["Id"]), {}, NotFound),
        (400, sf_errors("MALFORMED_ID", fields=["ParentId"]), {}, Rejected),
        (401, sf_errors("INVALID_SESSION_ID"), {}, Rejected),
        (403, sf_errors("INSUFFICIENT_ACCESS"), {}, Rejected),
        (
            403,
            [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
            {},
            Throttled,
        ),
        (429, "slow down", {"Retry-After": "3"}, Throttled),
        (500, sf_errors("UNKNOWN_EXCEPTION"), {}, Unavailable),
        (503, sf_errors("SERVER_UNAVAILABLE"), {}, Unavailable),
        (502, "<html>Bad Gateway</html>", {}, Unavailable),
        (400, "<html>oops</html>", {}, Unavailable),
        (400, {"error": "invalid_client", "error_description": "invalid client credentials"}, {}, Rejected),
    ],
)
def test_error_translation(status: int, body: Any, headers: dict[str, str], kind: type[VendorError]) -> None:
    content = body.encode() if isinstance(body, str) else msgspec.json.encode(body)
    error = translate_error(httpx.Response(status, content=content, headers=headers))
    assert type(error) is kind
    assert error is not None
    assert error.status == status
    assert error.system == "salesforce"


def test_translation_keeps_the_vendors_reasons() -> None:
    response = httpx.Response(
        400, json=sf_errors("REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", ["Name"])
    )
    error = translate_error(response)
    assert isinstance(error, Rejected)
    assert [(r.code, r.field, r.message) for r in error.reasons] == [
        ("REQUIRED_FIELD_MISSING", "Name", "Required fields are missing: [Name]")
    ]
    throttled = translate_error(httpx.Response(429, text="", headers={"Retry-After": "3"}))
    assert isinstance(throttled, Throttled)
    assert throttled.retry_after == 3.0


@pytest.mark.parametrize("status", [200, 201, 204])
def test_successes_are_not_errors(status: int) -> None:
    assert translate_error(httpx.Response(status, json={})) is None
