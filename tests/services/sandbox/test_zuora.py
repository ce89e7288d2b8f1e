"""The Zuora sandbox speaks Zuora: its shapes, its 200-with-error trap, its headers and faults."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.fixtures.zuora import ZUORA_CONFIG, ZuoraSandbox

NEW_ACCOUNT: dict[str, Any] = {
    "name": "Initech LLC",
    "currency": "USD",
    "billCycleDay": 1,
    "paymentTerm": "Net 30",
    "crmId": "001Dn00000InitchAQ",
    "billToContact": {
        "firstName": "Bill",
        "lastName": "Lumbergh",
        "workEmail": "ap@initech.example",
        "address1": "4120 Freidrich Lane",
        "city": "Austin",
        "state": "TX",
        "zipCode": "78744",
        "country": "US",
    },
}
PROCESS_ID = re.compile(r"^[0-9A-F]{16}$")


def assert_failure(answer: httpx.Response, category: int, status: int = 200) -> dict[str, Any]:
    """A Zuora failure body with one reason of the category; answers the body."""
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert body["success"] is False
    assert PROCESS_ID.match(body["processId"])
    assert body["requestId"] == answer.headers["Zuora-Request-Id"]
    [reason] = body["reasons"]
    assert isinstance(reason["code"], int)
    assert len(str(reason["code"])) == 8
    assert reason["code"] % 100 == category
    return body


# --- OAuth and authentication ---------------------------------------------------------------


def test_token_grant_answers_zuora_token_shape(zuora_sandbox: ZuoraSandbox) -> None:
    answer = zuora_sandbox.http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": ZUORA_CONFIG.client_id,
            "client_secret": ZUORA_CONFIG.client_secret,
        },
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == int(ZUORA_CONFIG.token_ttl)
    assert isinstance(body["expires_in"], int)
    assert body["access_token"] and body["jti"]
    assert "tenant." in body["scope"]


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        (
            {"grant_type": "client_credentials", "client_id": "revgate", "client_secret": "wrong"},
            401,
            "invalid_client",
        ),
        (
            {"grant_type": "client_credentials", "client_id": "someone", "client_secret": "x"},
            401,
            "invalid_client",
        ),
        (
            {"grant_type": "password", "client_id": "revgate", "client_secret": "x"},
            400,
            "unsupported_grant_type",
        ),
        ({"client_id": "revgate"}, 400, "invalid_request"),
    ],
)
def test_token_refusals_use_oauth_error_shape(
    zuora_sandbox: ZuoraSandbox, form: dict[str, str], status: int, error: str
) -> None:
    answer = zuora_sandbox.http.post("/oauth/token", data=form)
    assert answer.status_code == status
    assert answer.json()["error"] == error
    assert answer.json()["error_description"]


def test_api_without_token_is_401_authentication_error(zuora_sandbox: ZuoraSandbox) -> None:
    answer = zuora_sandbox.http.get("/v1/accounts/A00000001")
    assert answer.status_code == 401
    assert answer.json() == {"message": "Authentication error"}


def test_expired_token_is_refused(zuora_sandbox: ZuoraSandbox) -> None:
    token = zuora_sandbox.token()
    assert zuora_sandbox.api("GET", "/v1/accounts/A00000001").status_code == 200
    zuora_sandbox.expire_tokens()
    answer = zuora_sandbox.http.get("/v1/accounts/A00000001", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert answer.json() == {"message": "Authentication error"}


# --- headers --------------------------------------------------------------------------------


def test_every_answer_echoes_track_id_and_carries_a_request_id(zuora_sandbox: ZuoraSandbox) -> None:
    track = {"Zuora-Track-Id": "order-sync-42"}
    answers = [
        zuora_sandbox.api("GET", "/v1/accounts/A00000001", headers=track),
        zuora_sandbox.api("GET", "/v1/accounts/nobody", headers=track),
        zuora_sandbox.http.get("/v1/accounts/A00000001", headers=track),
        zuora_sandbox.api("GET", "/v1/no-such-thing", headers=track),
    ]
    zuora_sandbox.set_faults(outage=True)
    answers.append(zuora_sandbox.api("GET", "/v1/accounts/A00000001", headers=track))
    assert [a.status_code for a in answers] == [200, 200, 401, 404, 503]
    request_ids = [a.headers["Zuora-Request-Id"] for a in answers]
    assert all(uuid.UUID(r) for r in request_ids)
    assert len(set(request_ids)) == len(answers)
    assert all(a.headers["Zuora-Track-Id"] == "order-sync-42" for a in answers)


def test_no_track_id_sent_none_echoed(zuora_sandbox: ZuoraSandbox) -> None:
    answer = zuora_sandbox.api("GET", "/v1/accounts/A00000001")
    assert "Zuora-Track-Id" not in answer.headers
    assert answer.headers["Zuora-Request-Id"]


@pytest.mark.parametrize("track_id", ["x" * 65, "trace:1", 'say"hi"', "semi;colon"])
def test_invalid_track_id_is_400(zuora_sandbox: ZuoraSandbox, track_id: str) -> None:
    answer = zuora_sandbox.api("GET", "/v1/accounts/A00000001", headers={"Zuora-Track-Id": track_id})
    assert_failure(answer, 20, status=400)
    assert "Zuora-Track-Id" not in answer.headers


def test_track_id_of_64_characters_is_fine(zuora_sandbox: ZuoraSandbox) -> None:
    answer = zuora_sandbox.api("GET", "/v1/accounts/A00000001", headers={"Zuora-Track-Id": "x" * 64})
    assert answer.status_code == 200
    assert answer.headers["Zuora-Track-Id"] == "x" * 64


# --- accounts -------------------------------------------------------------------------------


def test_create_account_numbers_it_and_reads_back(zuora_sandbox: ZuoraSandbox) -> None:
    created = zuora_sandbox.api("POST", "/v1/accounts", json=NEW_ACCOUNT)
    assert created.status_code == 200
    body = created.json()
    assert body["success"] is True
    assert re.fullmatch(r"[0-9a-f]{32}", body["accountId"])
    assert body["accountNumber"] == "A00000003"  # the seed holds A00000001 and A00000002
    assert body["billToContactId"] == body["soldToContactId"]  # sold-to defaults to bill-to

    for key in (body["accountId"], body["accountNumber"]):
        detail = zuora_sandbox.api("GET", f"/v1/accounts/{key}").json()
        assert detail["success"] is True
        assert detail["basicInfo"]["id"] == body["accountId"]
        assert detail["basicInfo"]["status"] == "Active"
        assert detail["basicInfo"]["crmId"] == "001Dn00000InitchAQ"
        assert detail["billingAndPayment"]["paymentTerm"] == "Net 30"
        assert detail["billingAndPayment"]["currency"] == "USD"
        assert detail["metrics"]["balance"] == 0
        # Zuora keeps the country by name whatever code it was given.
        assert detail["billToContact"]["country"] == "United States"
        assert detail["soldToContact"]["id"] == body["billToContactId"]


def test_create_account_with_own_number_and_sold_to(zuora_sandbox: ZuoraSandbox) -> None:
    sold_to = {"firstName": "Peter", "lastName": "Gibbons", "country": "Canada", "city": "Toronto"}
    payload = {**NEW_ACCOUNT, "accountNumber": "cus_01HZZZZZZZZZZZZZZZZZZZZZZZ", "soldToContact": sold_to}
    body = zuora_sandbox.api("POST", "/v1/accounts", json=payload).json()
    assert body["accountNumber"] == "cus_01HZZZZZZZZZZZZZZZZZZZZZZZ"
    assert body["billToContactId"] != body["soldToContactId"]
    detail = zuora_sandbox.api("GET", "/v1/accounts/cus_01HZZZZZZZZZZZZZZZZZZZZZZZ").json()
    assert detail["soldToContact"]["lastName"] == "Gibbons"
    assert detail["soldToContact"]["country"] == "Canada"


@pytest.mark.parametrize(
    ("change", "category"),
    [
        ({"name": None}, 22),
        ({"billToContact": {"firstName": "A", "country": "US"}}, 22),
        ({"fax": "555-0100"}, 21),
        ({"billToContact": {**NEW_ACCOUNT["billToContact"], "nickname": "Bill"}}, 21),
        ({"currency": "CHF"}, 20),
        ({"billCycleDay": 32}, 20),
        ({"billCycleDay": "first"}, 20),
        ({"paymentTerm": "Net 90"}, 20),
        ({"billToContact": {**NEW_ACCOUNT["billToContact"], "country": "Atlantis"}}, 20),
        ({"accountNumber": "A00000001"}, 50),
    ],
)
def test_business_errors_are_http_200_with_success_false(
    zuora_sandbox: ZuoraSandbox, change: dict[str, Any], category: int
) -> None:
    payload = {k: v for k, v in {**NEW_ACCOUNT, **change}.items() if v is not None}
    assert_failure(zuora_sandbox.api("POST", "/v1/accounts", json=payload), category)


def test_duplicate_account_number_says_it_exists(zuora_sandbox: ZuoraSandbox) -> None:
    payload = {**NEW_ACCOUNT, "accountNumber": "cus_01HK27EH804TFF59TDWH9EDD1R"}
    body = assert_failure(zuora_sandbox.api("POST", "/v1/accounts", json=payload), 50)
    assert "already exists" in body["reasons"][0]["message"]


def test_unknown_account_key_is_200_not_found(zuora_sandbox: ZuoraSandbox) -> None:
    body = assert_failure(zuora_sandbox.api("GET", "/v1/accounts/A99999999"), 40)
    assert body["reasons"][0] == {"code": 50000040, "message": "Cannot find entity by key: 'A99999999'."}
    assert_failure(zuora_sandbox.api("PUT", "/v1/accounts/A99999999", json={"name": "X"}), 40)


def test_update_changes_only_what_is_sent(zuora_sandbox: ZuoraSandbox) -> None:
    answer = zuora_sandbox.api(
        "PUT",
        "/v1/accounts/A00000002",
        json={"billCycleDay": 20, "autoPay": True, "billToContact": {"city": "Lyon", "address1": "3 quai"}},
    )
    assert answer.json() == {"success": True}
    detail = zuora_sandbox.api("GET", "/v1/accounts/A00000002").json()
    assert detail["billingAndPayment"]["billCycleDay"] == 20
    assert detail["billingAndPayment"]["autoPay"] is True
    assert detail["billingAndPayment"]["paymentTerm"] == "Net 60"
    assert detail["basicInfo"]["name"] == "Fromagerie Dupont SAS"
    assert detail["billToContact"]["city"] == "Lyon"
    assert detail["billToContact"]["lastName"] == "Dupont"
    assert detail["soldToContact"]["city"] == "Lyon"  # one contact record in both roles


def test_update_refuses_a_currency_change_and_invalid_values(zuora_sandbox: ZuoraSandbox) -> None:
    assert_failure(zuora_sandbox.api("PUT", "/v1/accounts/A00000001", json={"currency": "EUR"}), 30)
    assert_failure(zuora_sandbox.api("PUT", "/v1/accounts/A00000001", json={"paymentTerm": "Net 7"}), 20)
    assert_failure(zuora_sandbox.api("PUT", "/v1/accounts/A00000001", json={"accountNumber": "B1"}), 21)
    same = zuora_sandbox.api("PUT", "/v1/accounts/A00000001", json={"currency": "USD", "name": "Globex"})
    assert same.json() == {"success": True}
    detail = zuora_sandbox.api("GET", "/v1/accounts/A00000001").json()
    assert detail["billingAndPayment"]["currency"] == "USD"
    assert detail["billingAndPayment"]["paymentTerm"] == "Due Upon Receipt"


# --- idempotency ----------------------------------------------------------------------------


def test_same_key_and_body_replays_the_first_answer(zuora_sandbox: ZuoraSandbox) -> None:
    headers = {"Idempotency-Key": "create-initech"}
    first = zuora_sandbox.api("POST", "/v1/accounts", json=NEW_ACCOUNT, headers=headers)
    again = zuora_sandbox.api("POST", "/v1/accounts", json=NEW_ACCOUNT, headers=headers)
    assert again.status_code == first.status_code == 200
    assert again.json() == first.json()
    # Zuora saves the headers too: the replay carries the first request's id.
    assert again.headers["Zuora-Request-Id"] == first.headers["Zuora-Request-Id"]
    # Only one account was made: the next one gets the next number.
    other = zuora_sandbox.api("POST", "/v1/accounts", json=NEW_ACCOUNT).json()
    assert first.json()["accountNumber"] == "A00000003"
    assert other["accountNumber"] == "A00000004"


def test_failures_are_replayed_too(zuora_sandbox: ZuoraSandbox) -> None:
    headers = {"Idempotency-Key": "bad-currency"}
    payload = {**NEW_ACCOUNT, "currency": "CHF"}
    first = zuora_sandbox.api("POST", "/v1/accounts", json=payload, headers=headers)
    again = zuora_sandbox.api("POST", "/v1/accounts", json=payload, headers=headers)
    assert_failure(again, 20)
    assert again.json() == first.json()


def test_same_key_with_another_body_is_422(zuora_sandbox: ZuoraSandbox) -> None:
    headers = {"Idempotency-Key": "create-initech"}
    assert zuora_sandbox.api("POST", "/v1/accounts", json=NEW_ACCOUNT, headers=headers).json()["success"]
    other = zuora_sandbox.api("POST", "/v1/accounts", json={**NEW_ACCOUNT, "name": "Other"}, headers=headers)
    assert_failure(other, 20, status=422)


def test_key_of_255_characters_or_more_is_refused(zuora_sandbox: ZuoraSandbox) -> None:
    answer = zuora_sandbox.api(
        "POST", "/v1/accounts", json=NEW_ACCOUNT, headers={"Idempotency-Key": "k" * 255}
    )
    assert_failure(answer, 20, status=400)


def test_key_is_not_poisoned_by_a_throttled_attempt(zuora_sandbox: ZuoraSandbox) -> None:
    headers = {"Idempotency-Key": "throttled-first"}
    zuora_sandbox.token()
    zuora_sandbox.set_faults(throttle=True)
    assert zuora_sandbox.api("POST", "/v1/accounts", json=NEW_ACCOUNT, headers=headers).status_code == 429
    zuora_sandbox.set_faults()
    answer = zuora_sandbox.api("POST", "/v1/accounts", json=NEW_ACCOUNT, headers=headers)
    assert answer.json()["success"] is True


@pytest.fixture
async def api_client(zuora_sandbox: ZuoraSandbox) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {zuora_sandbox.token()}"}
    async with httpx.AsyncClient(base_url=zuora_sandbox.url, headers=headers) as client:
        yield client


async def test_same_key_while_the_first_is_in_flight_is_409(
    zuora_sandbox: ZuoraSandbox, api_client: httpx.AsyncClient
) -> None:
    headers = {"Idempotency-Key": "slow-create", "Content-Type": "application/json"}
    release = asyncio.Event()
    started = asyncio.Event()
    payload = httpx.Request("POST", "/", json=NEW_ACCOUNT).read()

    async def slow_body() -> AsyncIterator[bytes]:
        yield payload[:10]
        started.set()
        await release.wait()
        yield payload[10:]

    first = asyncio.create_task(api_client.post("/v1/accounts", content=slow_body(), headers=headers))
    await started.wait()
    await asyncio.sleep(0.05)  # let the first bytes reach the sandbox
    racing = await api_client.post("/v1/accounts", json=NEW_ACCOUNT, headers=headers)
    release.set()
    assert_failure(racing, 50, status=409)
    assert (await first).json()["success"] is True


def test_key_on_put_is_ignored(zuora_sandbox: ZuoraSandbox) -> None:
    headers = {"Idempotency-Key": "put-key"}
    assert zuora_sandbox.api("PUT", "/v1/accounts/A00000001", json={"name": "A"}, headers=headers).json()[
        "success"
    ]
    assert zuora_sandbox.api("PUT", "/v1/accounts/A00000001", json={"name": "B"}, headers=headers).json()[
        "success"
    ]
    assert zuora_sandbox.api("GET", "/v1/accounts/A00000001").json()["basicInfo"]["name"] == "B"


# --- faults and unknown routes --------------------------------------------------------------


def test_throttle_answers_429_with_retry_after(zuora_sandbox: ZuoraSandbox) -> None:
    zuora_sandbox.token()
    zuora_sandbox.set_faults(throttle=True, throttleRetryAfter=7)
    answer = zuora_sandbox.api("GET", "/v1/accounts/A00000001")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "7"
    assert answer.headers["RateLimit-Remaining"] == "0"
    assert "rate limit" in answer.json()["message"]


def test_outage_and_server_error_shapes(zuora_sandbox: ZuoraSandbox) -> None:
    zuora_sandbox.token()
    zuora_sandbox.set_faults(outage=True)
    assert_failure(zuora_sandbox.api("GET", "/v1/accounts/A00000001"), 61, status=503)
    zuora_sandbox.set_faults(errorRate=1.0)
    assert_failure(zuora_sandbox.api("GET", "/v1/accounts/A00000001"), 60, status=500)


def test_fail_next_recovers_by_itself(zuora_sandbox: ZuoraSandbox) -> None:
    zuora_sandbox.token()
    zuora_sandbox.set_faults(failNext=1)
    assert zuora_sandbox.api("GET", "/v1/accounts/A00000001").status_code == 503
    assert zuora_sandbox.api("GET", "/v1/accounts/A00000001").status_code == 200


def test_unknown_route_wrong_method_and_bad_json_answer_in_zuora_shape(zuora_sandbox: ZuoraSandbox) -> None:
    assert_failure(zuora_sandbox.api("GET", "/v1/nothing/here"), 40, status=404)
    assert_failure(zuora_sandbox.api("DELETE", "/v1/accounts/A00000001"), 90, status=405)
    bad_json = zuora_sandbox.api(
        "POST", "/v1/accounts", content=b'{"name": ', headers={"Content-Type": "application/json"}
    )
    assert_failure(bad_json, 90, status=400)


# --- seed and reset -------------------------------------------------------------------------


def test_seed_accounts_look_like_revgate_customers(zuora_sandbox: ZuoraSandbox) -> None:
    numbers = [
        "cus_01HK27EH804TFF59TDWH9EDD1R",
        "cus_01HNJ56NW01HEAD8X4A1JH69RE",
        "cus_01HQWTQGW0H4QX4FR84G98PBSK",
        "cus_01HWRQ6W00JMRNV7E9Z0C1HT0H",
        "A00000001",
        "A00000002",
    ]
    details = [zuora_sandbox.api("GET", f"/v1/accounts/{n}").json() for n in numbers]
    assert all(d["success"] for d in details)
    assert {d["billingAndPayment"]["currency"] for d in details} == {"USD", "EUR", "GBP", "AUD"}
    assert len({d["billingAndPayment"]["billCycleDay"] for d in details}) >= 4
    assert all(re.fullmatch(r"001[0-9A-Za-z]{15}", d["basicInfo"]["crmId"]) for d in details)
    assert all(re.fullmatch(r"cus_[0-9A-HJKMNP-TV-Z]{26}", n) for n in numbers[:4])


def test_reset_restores_the_seed(zuora_sandbox: ZuoraSandbox) -> None:
    zuora_sandbox.api("PUT", "/v1/accounts/A00000001", json={"name": "Renamed"})
    zuora_sandbox.api("POST", "/v1/accounts", json=NEW_ACCOUNT, headers={"Idempotency-Key": "k1"})
    zuora_sandbox.reset()
    assert (
        zuora_sandbox.api("GET", "/v1/accounts/A00000001").json()["basicInfo"]["name"] == "Globex Corporation"
    )
    assert_failure(zuora_sandbox.api("GET", "/v1/accounts/A00000003"), 40)
    # Idempotency keys are dropped with the data: the key creates afresh.
    again = zuora_sandbox.api("POST", "/v1/accounts", json=NEW_ACCOUNT, headers={"Idempotency-Key": "k1"})
    assert again.json()["accountNumber"] == "A00000003"
