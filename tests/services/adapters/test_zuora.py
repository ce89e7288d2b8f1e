"""The Zuora adapter against the Zuora sandbox, over real HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import msgspec
import pytest

from services.adapters.errors import Conflict, NotFound, Rejected, Throttled, Unavailable
from services.adapters.zuora import ZuoraBilling, ZuoraConfig
from services.adapters.zuora._errors import translate
from services.domain.customer import Contact, PostalAddress
from services.ports import BillingAccount, SubscriptionBilling
from services.runtime.correlation import correlation_id
from tests.fixtures._sandbox import Received
from tests.fixtures.zuora import FAST_RETRY, ZuoraSandbox

NEW_CUSTOMER = BillingAccount(
    account_number="cus_01J0AAAAAAAAAAAAAAAAAAAAAA",
    crm_id="001Dn00000InitchAQ",
    name="Initech LLC",
    currency="USD",
    bill_cycle_day=15,
    auto_pay=True,
    payment_term="NET45",
    bill_to=PostalAddress(
        lines=("4120 Freidrich Lane", "Building 3"),
        city="Austin",
        country="US",
        region="TX",
        postal_code="78744",
    ),
    bill_to_contact=Contact(first_name="Bill", last_name="Lumbergh", email="ap@initech.example"),
)


def api_calls(sandbox: ZuoraSandbox, prefix: str = "/v1/") -> list[Received]:
    return [r for r in sandbox.requests() if r["path"].startswith(prefix)]


@pytest.fixture
def correlation() -> Iterator[str]:
    token = correlation_id.set("req-7f3a")
    yield "req-7f3a"
    correlation_id.reset(token)


# --- reading --------------------------------------------------------------------------------


async def test_billing_account_maps_zuora_shapes(zuora_billing: ZuoraBilling) -> None:
    account = await zuora_billing.billing_account("cus_01HK27EH804TFF59TDWH9EDD1R")
    assert account == BillingAccount(
        account_number="cus_01HK27EH804TFF59TDWH9EDD1R",
        crm_id="001Dn00000AcmeR0AQ",
        name="Acme Robotics, Inc.",
        currency="USD",
        bill_cycle_day=1,
        auto_pay=False,
        payment_term="NET30",
        bill_to=PostalAddress(
            lines=("500 Howard Street", "Suite 400"),
            city="San Francisco",
            country="US",  # Zuora answers "United States"
            region="California",
            postal_code="94105",
        ),
        bill_to_contact=Contact(first_name="Dana", last_name="Whitfield", email="ap@acmerobotics.example"),
        account_id="8ad09be48f3a1c2d018f3a5b7e2c0011",
    )


@pytest.mark.parametrize(
    ("key", "term", "country"),
    [
        ("8ad09be48f3a1c2d018f3a5b7e2c0015", "DUE_ON_RECEIPT", "US"),
        ("cus_01HNJ56NW01HEAD8X4A1JH69RE", "NET45", "GB"),
        ("cus_01HWRQ6W00JMRNV7E9Z0C1HT0H", "NET15", "AU"),
        ("A00000002", "NET60", "FR"),
    ],
)
async def test_billing_account_by_id_or_number_maps_terms_and_countries(
    zuora_billing: ZuoraBilling, key: str, term: str, country: str
) -> None:
    account = await zuora_billing.billing_account(key)
    assert account is not None
    assert account.payment_term == term
    assert account.bill_to is not None
    assert account.bill_to.country == country


async def test_unknown_account_is_none(zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox) -> None:
    assert await zuora_billing.billing_account("A99999999") is None
    # The sandbox answered HTTP 200 (success:false): the adapter read the body, not the status.
    assert api_calls(zuora_sandbox)[-1]["status"] == 200


# --- creating -------------------------------------------------------------------------------


async def test_create_answers_ids_and_reads_back_the_same(zuora_billing: ZuoraBilling) -> None:
    billing: SubscriptionBilling = zuora_billing  # used through the port (checked by mypy)
    created = await billing.create_billing_account(NEW_CUSTOMER)
    assert created.account_id is not None
    assert created == msgspec.structs.replace(NEW_CUSTOMER, account_id=created.account_id)
    assert await billing.billing_account(NEW_CUSTOMER.account_number) == created


async def test_create_without_contact_sends_accounts_payable(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    account = msgspec.structs.replace(NEW_CUSTOMER, bill_to_contact=None)
    created = await zuora_billing.create_billing_account(account)
    raw = zuora_sandbox.api("GET", f"/v1/accounts/{created.account_id}").json()
    assert (raw["billToContact"]["firstName"], raw["billToContact"]["lastName"]) == ("Accounts", "Payable")
    assert raw["billToContact"]["city"] == "Austin"
    read = await zuora_billing.billing_account(account.account_number)
    assert read is not None
    assert read.bill_to_contact is None
    assert read.bill_to == account.bill_to


async def test_create_twice_leaves_one_account(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    first = await zuora_billing.create_billing_account(NEW_CUSTOMER)
    second = await zuora_billing.create_billing_account(NEW_CUSTOMER)
    assert second.account_id == first.account_id
    posts = [r for r in api_calls(zuora_sandbox) if r["method"] == "POST"]
    assert [p["headers"]["idempotency-key"] for p in posts] == [
        f"revgate-account-{NEW_CUSTOMER.account_number}"
    ] * 2
    # A raw create with no account number gets the next free number: nothing else was made.
    raw = zuora_sandbox.api(
        "POST",
        "/v1/accounts",
        json={
            "name": "Probe",
            "currency": "USD",
            "billCycleDay": 1,
            "billToContact": {"firstName": "A", "lastName": "B", "country": "US"},
        },
    )
    assert raw.json()["accountNumber"] == "A00000003"


async def test_create_of_an_existing_account_of_the_same_customer_succeeds(
    zuora_billing: ZuoraBilling,
) -> None:
    # The seed already holds this customer, created earlier by another path (no idempotency key).
    existing = await zuora_billing.billing_account("cus_01HQWTQGW0H4QX4FR84G98PBSK")
    assert existing is not None
    again = await zuora_billing.create_billing_account(msgspec.structs.replace(existing, account_id=None))
    assert again == existing


async def test_create_of_a_number_taken_by_another_customer_is_conflict(zuora_billing: ZuoraBilling) -> None:
    taken = msgspec.structs.replace(NEW_CUSTOMER, account_number="cus_01HQWTQGW0H4QX4FR84G98PBSK")
    with pytest.raises(Conflict) as caught:
        await zuora_billing.create_billing_account(taken)
    assert "001Dn00000BaltLgAC" in caught.value.message


async def test_recreate_with_other_details_answers_the_account_as_it_is(zuora_billing: ZuoraBilling) -> None:
    created = await zuora_billing.create_billing_account(NEW_CUSTOMER)
    # Same key, another payload: Zuora refuses the key (422); the account is the customer's own.
    again = await zuora_billing.create_billing_account(msgspec.structs.replace(NEW_CUSTOMER, name="Initech"))
    assert again == created


async def test_reused_key_with_another_crm_id_is_conflict(zuora_billing: ZuoraBilling) -> None:
    await zuora_billing.create_billing_account(NEW_CUSTOMER)
    with pytest.raises(Conflict):
        await zuora_billing.create_billing_account(
            msgspec.structs.replace(NEW_CUSTOMER, crm_id="001Dn00000OtherXAQ")
        )


async def test_invalid_values_are_rejected_with_vendor_reasons(zuora_billing: ZuoraBilling) -> None:
    with pytest.raises(Rejected) as caught:
        await zuora_billing.create_billing_account(msgspec.structs.replace(NEW_CUSTOMER, currency="CHF"))
    assert caught.value.status == 200  # Zuora's trap: the failure came inside HTTP 200
    [reason] = caught.value.reasons
    assert reason.code is not None and reason.code.endswith("20")
    assert "CHF" in reason.message


async def test_unknown_payment_term_is_rejected_before_calling(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    with pytest.raises(Rejected):
        await zuora_billing.create_billing_account(
            msgspec.structs.replace(NEW_CUSTOMER, payment_term="NET90")
        )
    assert api_calls(zuora_sandbox) == []


async def test_missing_country_is_rejected(zuora_billing: ZuoraBilling) -> None:
    with pytest.raises(Rejected) as caught:
        await zuora_billing.create_billing_account(msgspec.structs.replace(NEW_CUSTOMER, bill_to=None))
    assert caught.value.reasons[0].code is not None
    assert caught.value.reasons[0].code.endswith("22")


# --- updating -------------------------------------------------------------------------------


async def test_update_writes_every_owned_field(zuora_billing: ZuoraBilling) -> None:
    current = await zuora_billing.billing_account("cus_01HNJ56NW01HEAD8X4A1JH69RE")
    assert current is not None
    changed = msgspec.structs.replace(
        current,
        name="Northwind Traders (UK) Ltd",
        bill_cycle_day=1,
        auto_pay=True,
        payment_term="DUE_ON_RECEIPT",
        bill_to=PostalAddress(lines=("1 Canada Square",), city="London", country="GB", postal_code="E14 5AB"),
        bill_to_contact=Contact(first_name="Amelia", last_name="Hughes", email="ap@northwind.example"),
    )
    await zuora_billing.update_billing_account(changed)
    assert await zuora_billing.billing_account(current.account_number) == changed


async def test_update_of_the_currency_is_rejected(zuora_billing: ZuoraBilling) -> None:
    current = await zuora_billing.billing_account("A00000001")
    assert current is not None
    with pytest.raises(Rejected) as caught:
        await zuora_billing.update_billing_account(msgspec.structs.replace(current, currency="EUR"))
    assert caught.value.reasons[0].code is not None
    assert caught.value.reasons[0].code.endswith("30")


async def test_update_of_an_unknown_account_is_not_found(zuora_billing: ZuoraBilling) -> None:
    with pytest.raises(NotFound):
        await zuora_billing.update_billing_account(NEW_CUSTOMER)


# --- session policy: tokens, retries, correlation -------------------------------------------


async def test_expired_token_is_refreshed_once(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    assert await zuora_billing.billing_account("A00000001") is not None
    zuora_sandbox.expire_tokens()
    assert await zuora_billing.billing_account("A00000002") is not None
    assert len(api_calls(zuora_sandbox, "/oauth/token")) == 2
    assert [r["status"] for r in api_calls(zuora_sandbox)] == [200, 401, 200]


async def test_bad_client_credentials_are_rejected(zuora_sandbox: ZuoraSandbox) -> None:
    config = ZuoraConfig(
        base_url=zuora_sandbox.url, client_id="revgate", client_secret="nope", retry=FAST_RETRY
    )
    billing = ZuoraBilling(config)
    try:
        with pytest.raises(Rejected) as caught:
            await billing.billing_account("A00000001")
        assert caught.value.status == 401
        assert len(api_calls(zuora_sandbox, "/oauth/token")) == 1
    finally:
        await billing.aclose()


async def test_short_outage_is_retried(zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox) -> None:
    await zuora_billing.billing_account("A00000001")  # token in hand
    zuora_sandbox.set_faults(failNext=2)
    assert await zuora_billing.billing_account("A00000002") is not None
    assert [r["status"] for r in api_calls(zuora_sandbox)] == [200, 503, 503, 200]


async def test_token_request_is_retried_through_an_outage(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    zuora_sandbox.set_faults(failNext=1)
    assert await zuora_billing.billing_account("A00000001") is not None
    assert [(r["path"], r["status"]) for r in zuora_sandbox.requests()] == [
        ("/oauth/token", 503),
        ("/oauth/token", 200),
        ("/v1/accounts/A00000001", 200),
    ]


async def test_create_is_retried_through_an_outage_safely(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    await zuora_billing.billing_account("A00000001")  # token in hand
    zuora_sandbox.set_faults(failNext=1)
    created = await zuora_billing.create_billing_account(NEW_CUSTOMER)
    assert created.account_id is not None
    assert [r["status"] for r in api_calls(zuora_sandbox) if r["method"] == "POST"] == [503, 200]


async def test_throttling_is_retried_then_succeeds(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    await zuora_billing.billing_account("A00000001")
    zuora_sandbox.set_faults(throttle=True, throttleRetryAfter=1)
    started = time.monotonic()

    async def lift_throttle_soon() -> None:
        await asyncio.sleep(0.2)
        zuora_sandbox.set_faults()

    lifting = asyncio.create_task(lift_throttle_soon())
    assert await zuora_billing.billing_account("A00000002") is not None
    await lifting
    # Retry-After (1 s) was honoured, not the 10 ms backoff of the policy.
    assert time.monotonic() - started >= 0.9
    assert [r["status"] for r in api_calls(zuora_sandbox)][-2:] == [429, 200]


async def test_long_retry_after_gives_up_at_once(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    await zuora_billing.billing_account("A00000001")
    zuora_sandbox.set_faults(throttle=True, throttleRetryAfter=30)
    with pytest.raises(Throttled) as caught:
        await zuora_billing.billing_account("A00000002")
    assert caught.value.retry_after == 30
    assert caught.value.status == 429
    assert len(api_calls(zuora_sandbox)) == 2


async def test_persistent_outage_is_unavailable_after_the_policy_attempts(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    await zuora_billing.billing_account("A00000001")
    zuora_sandbox.set_faults(outage=True)
    with pytest.raises(Unavailable) as caught:
        await zuora_billing.billing_account("A00000002")
    assert caught.value.status == 503
    assert len(api_calls(zuora_sandbox)) == 1 + FAST_RETRY.attempts


async def test_server_errors_are_unavailable(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    await zuora_billing.billing_account("A00000001")
    zuora_sandbox.set_faults(errorRate=1.0)
    with pytest.raises(Unavailable) as caught:
        await zuora_billing.billing_account("A00000002")
    assert caught.value.status == 500


async def test_correlation_id_is_sent_as_track_id(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox, correlation: str
) -> None:
    await zuora_billing.create_billing_account(NEW_CUSTOMER)
    await zuora_billing.billing_account(NEW_CUSTOMER.account_number)
    received = zuora_sandbox.requests()
    assert len(received) == 3  # token, create, read
    assert all(r["headers"]["zuora-track-id"] == correlation for r in received)


async def test_correlation_id_is_made_acceptable_to_zuora(
    zuora_billing: ZuoraBilling, zuora_sandbox: ZuoraSandbox
) -> None:
    token = correlation_id.set("trace:span:" + "x" * 70)
    try:
        assert await zuora_billing.billing_account("A00000001") is not None
    finally:
        correlation_id.reset(token)
    sent = api_calls(zuora_sandbox)[-1]["headers"]["zuora-track-id"]
    assert sent == ("trace-span-" + "x" * 70)[:64]


# --- the translator on answers the sandbox does not give ------------------------------------


def _response(
    status: int, body: bytes, content_type: str = "application/json", **headers: str
) -> httpx.Response:
    return httpx.Response(status, content=body, headers={"Content-Type": content_type, **headers})


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (_response(200, b'{"success":true,"items":[{"success":false}]}'), None),
        (_response(200, b"<html>maintenance</html>", "text/html"), Unavailable),
        (_response(502, b"Bad gateway", "text/plain"), Unavailable),
        (_response(200, b'{"success":false,"reasons":[{"code":53000070,"message":"limit"}]}'), Throttled),
        (_response(200, b'{"success":false,"reasons":[{"code":"53000061","message":"later"}]}'), Unavailable),
        (_response(200, b'{"success": false, "reasons": [{"code": 53000050, "message": "lock"}]}'), Conflict),
        (_response(200, b'{"success":false,"reasons":[{"code":53000090,"message":"malformed"}]}'), Rejected),
        (
            _response(409, b'{"success":false,"reasons":[{"code":50000050,"message":"in progress"}]}'),
            Conflict,
        ),
        (_response(422, b'{"success":false,"reasons":[{"code":50000020,"message":"mismatch"}]}'), Rejected),
    ],
)
def test_translator_kinds(response: httpx.Response, kind: type[Exception] | None) -> None:
    error = translate(response)
    if kind is None:
        assert error is None
    else:
        assert isinstance(error, kind)
