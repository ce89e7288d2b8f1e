"""The NetSuite adapter against the sandbox, over real HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.adapters.errors import Conflict, NotFound, Rejected, Throttled, Unavailable
from services.adapters.netsuite import NetSuiteConfig, NetSuiteERP, translate
from services.domain.customer import TaxRegistration, new_customer_id
from services.ports import ErpCustomer, LegalEntity
from services.runtime.correlation import correlation_id
from tests.fixtures.netsuite import (
    FAST_RETRY,
    NETSUITE_RSA_CERTIFICATE_ID,
    client_assertion,
    netsuite_config,
    token_form,
)

TOKEN = "/services/rest/auth/oauth2/v1/token"
ACME = "cus_01HZX3K8D2Q9V7M4N6P8R0T2W4"


@pytest.fixture
async def sandbox(netsuite_sandbox: str) -> AsyncIterator[httpx.AsyncClient]:
    """The tests' own client of the sandbox (its controls and, in places, its API)."""
    async with httpx.AsyncClient(base_url=netsuite_sandbox, timeout=10, verify=False) as client:
        yield client


async def requests_seen(sandbox: httpx.AsyncClient, path_part: str = "") -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = (await sandbox.get("/__sandbox/requests")).json()
    return [r for r in seen if path_part in r["path"]]


async def set_faults(sandbox: httpx.AsyncClient, **faults: Any) -> None:
    (await sandbox.put("/__sandbox/faults", json=faults)).raise_for_status()


def a_customer(**overrides: Any) -> ErpCustomer:
    fields: dict[str, Any] = {
        "external_id": new_customer_id(),
        "company_name": "Initech Ltd",
        "legal_entity": "GB01",
        "currency": "GBP",
        "payment_terms": "NET30",
        "tax_registrations": (TaxRegistration(country="GB", number="GB987654321"),),
        "email": "ap@initech.example",
    }
    fields.update(overrides)
    return ErpCustomer(**fields)


# -- shapes


async def test_legal_entities_are_the_subsidiaries(netsuite_erp: NetSuiteERP) -> None:
    entities = {e.code: e for e in await netsuite_erp.legal_entities()}

    assert set(entities) == {"US01", "GB01", "DE01", "AU01"}
    assert entities["GB01"] == LegalEntity(
        code="GB01",
        name="Revgate Demo Ltd",
        country="GB",
        base_currency="GBP",
        currencies=("GBP", "EUR", "USD"),
    )
    assert entities["US01"].currencies == ("USD", "CAD")


async def test_reference_data_is_loaded_once(netsuite_erp: NetSuiteERP, sandbox: httpx.AsyncClient) -> None:
    await asyncio.gather(*(netsuite_erp.legal_entities() for _ in range(5)))
    await netsuite_erp.customer(external_id=ACME)

    assert len(await requests_seen(sandbox, "/record/v1/subsidiary/")) == 4
    assert len(await requests_seen(sandbox, TOKEN)) == 1


async def test_customer_by_external_id_maps_every_field(netsuite_erp: NetSuiteERP) -> None:
    customer = await netsuite_erp.customer(external_id=ACME)

    assert customer == ErpCustomer(
        external_id=ACME,
        company_name="Acme Robotics Inc.",
        legal_entity="US01",
        currency="USD",
        payment_terms="NET30",
        tax_registrations=(TaxRegistration(country="US", number="12-3456789", scheme="EIN"),),
        email="ap@acme-robotics.example",
        erp_id="101",
    )


async def test_tax_schemes_are_derived_from_the_country(netsuite_erp: NetSuiteERP) -> None:
    german = await netsuite_erp.customer(external_id="cus_01J1B2C3D4E5F6G7H8J9K0M1N2")
    australian = await netsuite_erp.customer(erp_id="104")

    assert german is not None and german.tax_registrations[0].scheme == "VAT"
    assert german.payment_terms == "NET45"
    assert australian is not None
    assert australian.external_id == ""  # a customer revgate does not manage
    assert australian.tax_registrations == (
        TaxRegistration(country="AU", number="51824753556", scheme="ABN"),
    )


async def test_customer_by_erp_id(netsuite_erp: NetSuiteERP) -> None:
    customer = await netsuite_erp.customer(erp_id="102")

    assert customer is not None
    assert customer.external_id == "cus_01J0A7QK4M2N8P6R3S5T7V9W1X"
    assert customer.legal_entity == "GB01"


async def test_missing_customers_are_none(netsuite_erp: NetSuiteERP) -> None:
    assert await netsuite_erp.customer(external_id=new_customer_id()) is None
    assert await netsuite_erp.customer(erp_id="99999") is None


async def test_customer_needs_exactly_one_key(netsuite_erp: NetSuiteERP) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        await netsuite_erp.customer()


# -- save


async def test_save_creates_the_customer_and_answers_its_id(
    netsuite_erp: NetSuiteERP, sandbox: httpx.AsyncClient
) -> None:
    wanted = a_customer()

    erp_id = await netsuite_erp.save_customer(wanted)

    assert erp_id.isdigit()
    assert await netsuite_erp.customer(external_id=wanted.external_id) == ErpCustomer(
        **{**_fields(wanted), "erp_id": erp_id}
    )
    [upsert] = [r for r in await requests_seen(sandbox, "/record/v1/customer/eid:") if r["method"] == "PUT"]
    assert upsert["status"] == 204


def _fields(customer: ErpCustomer) -> dict[str, Any]:
    return {f: getattr(customer, f) for f in customer.__struct_fields__}


async def test_save_twice_leaves_one_record(
    netsuite_erp: NetSuiteERP, sandbox: httpx.AsyncClient, netsuite_client_key: str
) -> None:
    wanted = a_customer()
    before = await customer_count(sandbox, netsuite_client_key)

    first = await netsuite_erp.save_customer(wanted)
    second = await netsuite_erp.save_customer(wanted)

    assert first == second
    assert await customer_count(sandbox, netsuite_client_key) == before + 1
    saved = await netsuite_erp.customer(erp_id=first)
    assert saved is not None and len(saved.tax_registrations) == 1


async def customer_count(sandbox: httpx.AsyncClient, key: str) -> int:
    """How many customers the sandbox holds, asked with a token of our own."""
    form = token_form(client_assertion(str(sandbox.base_url).rstrip("/"), key))
    token = (await sandbox.post(TOKEN, data=form)).json()["access_token"]
    page = await sandbox.get(
        "/services/rest/record/v1/customer", headers={"Authorization": f"Bearer {token}"}
    )
    total: int = page.json()["totalResults"]
    return total


async def test_save_updates_an_existing_customer(netsuite_erp: NetSuiteERP) -> None:
    acme = await netsuite_erp.customer(external_id=ACME)
    assert acme is not None
    changed = ErpCustomer(
        **{
            **_fields(acme),
            "company_name": "Acme Robotics Holdings Inc.",
            "payment_terms": "NET60",
            "tax_registrations": (TaxRegistration(country="US", number="98-7654321", scheme="EIN"),),
        }
    )

    erp_id = await netsuite_erp.save_customer(changed)

    assert erp_id == "101"
    assert await netsuite_erp.customer(external_id=ACME) == changed


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"legal_entity": "FR01"}, "legal_entity"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "JPY"}, "currency"),  # set up in NetSuite, but GB01 does not sell in it
        ({"payment_terms": "NET90"}, "payment_terms"),
    ],
)
async def test_unknown_codes_are_rejected_before_any_write(
    netsuite_erp: NetSuiteERP, sandbox: httpx.AsyncClient, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(Rejected) as caught:
        await netsuite_erp.save_customer(a_customer(**overrides))

    assert [r.field for r in caught.value.reasons] == [field]
    assert not [r for r in await requests_seen(sandbox, "/record/v1/customer") if r["method"] != "GET"]


# -- vendor errors


async def test_invalid_tax_number_is_rejected_with_netsuite_reason(netsuite_erp: NetSuiteERP) -> None:
    with pytest.raises(Rejected) as caught:
        await netsuite_erp.save_customer(a_customer(tax_registrations=(TaxRegistration("GB", "GB123"),)))

    [reason] = caught.value.reasons
    assert reason.code == "INVALID_FLD_VALUE"
    assert reason.field == "taxRegistration.items[0].taxRegistrationNumber"
    assert caught.value.status == 400


async def test_moving_a_customer_to_another_subsidiary_is_rejected(netsuite_erp: NetSuiteERP) -> None:
    acme = await netsuite_erp.customer(external_id=ACME)
    assert acme is not None

    with pytest.raises(Rejected) as caught:
        await netsuite_erp.save_customer(ErpCustomer(**{**_fields(acme), "legal_entity": "GB01"}))

    assert caught.value.reasons[0].code == "USER_ERROR"
    assert caught.value.reasons[0].field == "subsidiary"


async def test_vendor_answers_translate_to_the_error_tree(
    sandbox: httpx.AsyncClient, netsuite_client_key: str
) -> None:
    url = str(sandbox.base_url).rstrip("/")
    form = token_form(client_assertion(url, netsuite_client_key))
    token = (await sandbox.post(TOKEN, data=form)).json()
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    records = "/services/rest/record/v1/customer"
    duplicate = await sandbox.post(
        records,
        headers=auth,
        json={
            "companyName": "Copycat",
            "subsidiary": {"id": "1"},
            "currency": {"id": "1"},
            "externalId": ACME,
        },
    )
    missing = await sandbox.get(records + "/424242", headers=auth)
    unknown_field = await sandbox.post(records, headers=auth, json={"companyName": "X", "colour": "red"})

    assert isinstance(translate(duplicate), Conflict)
    assert isinstance(translate(missing), NotFound)
    rejected = translate(unknown_field)
    assert isinstance(rejected, Rejected) and rejected.reasons[0].field == "colour"
    conflict = httpx.Response(409, json={"title": "Conflict", "status": 409, "o:errorDetails": []})
    assert isinstance(translate(conflict), Conflict)
    assert isinstance(translate(httpx.Response(502, content=b"<html>Bad gateway</html>")), Unavailable)
    assert isinstance(translate(httpx.Response(400, content=b"<html>oops</html>")), Unavailable)
    assert translate(httpx.Response(204)) is None


async def test_wrong_certificate_is_rejected_as_invalid_client(
    sandbox: httpx.AsyncClient, netsuite_client_key: str
) -> None:
    erp = NetSuiteERP(
        netsuite_config(str(sandbox.base_url).rstrip("/"), netsuite_client_key, certificate_id="revoked-cert")
    )
    try:
        with pytest.raises(Rejected) as caught:
            await erp.legal_entities()
    finally:
        await erp.aclose()

    assert caught.value.reasons[0].code == "invalid_client"


async def test_an_rsa_certificate_signs_ps256(
    sandbox: httpx.AsyncClient, netsuite_rsa_client_key: str
) -> None:
    erp = NetSuiteERP(
        netsuite_config(
            str(sandbox.base_url).rstrip("/"), netsuite_rsa_client_key, NETSUITE_RSA_CERTIFICATE_ID
        )
    )
    try:
        assert len(await erp.legal_entities()) == 4
    finally:
        await erp.aclose()


def test_rest_base_comes_from_the_account_id() -> None:
    config = NetSuiteConfig(
        account_id="1234567_SB1", client_id="c", certificate_id="k", private_key="{}", retry=FAST_RETRY
    )
    assert config.rest_base() == "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest"


# -- session behaviour


async def test_expired_token_is_refreshed_once(netsuite_erp: NetSuiteERP, sandbox: httpx.AsyncClient) -> None:
    await netsuite_erp.legal_entities()
    (await sandbox.post("/__sandbox/tokens/expire")).raise_for_status()

    customer = await netsuite_erp.customer(external_id=ACME)

    assert customer is not None
    assert [r["status"] for r in await requests_seen(sandbox, TOKEN)] == [200, 200]
    assert [r["status"] for r in await requests_seen(sandbox, f"eid:{ACME}")] == [401, 200]


async def test_token_request_is_retried_when_netsuite_is_briefly_down(
    netsuite_erp: NetSuiteERP, sandbox: httpx.AsyncClient
) -> None:
    await set_faults(sandbox, failNext=1)

    assert len(await netsuite_erp.legal_entities()) == 4
    assert [r["status"] for r in await requests_seen(sandbox, TOKEN)] == [503, 200]


async def test_unavailable_calls_are_retried_then_succeed(
    netsuite_erp: NetSuiteERP, sandbox: httpx.AsyncClient
) -> None:
    await netsuite_erp.legal_entities()
    await set_faults(sandbox, failNext=2)

    customer = await netsuite_erp.customer(external_id=ACME)

    assert customer is not None
    assert [r["status"] for r in await requests_seen(sandbox, f"eid:{ACME}")] == [503, 503, 200]


async def test_throttling_waits_for_retry_after_then_succeeds(
    netsuite_erp: NetSuiteERP, sandbox: httpx.AsyncClient
) -> None:
    await netsuite_erp.legal_entities()
    await set_faults(sandbox, throttle=True, throttleRetryAfter=1)

    async def lift_throttle() -> None:
        await asyncio.sleep(0.3)
        await set_faults(sandbox)

    started = time.monotonic()
    customer, _ = await asyncio.gather(netsuite_erp.customer(external_id=ACME), lift_throttle())
    elapsed = time.monotonic() - started

    assert customer is not None
    assert elapsed >= 0.9  # the fast backoff alone would have retried within 0.05 s
    assert [r["status"] for r in await requests_seen(sandbox, f"eid:{ACME}")] == [429, 200]


async def test_retry_after_longer_than_we_wait_gives_up_at_once(
    netsuite_erp: NetSuiteERP, sandbox: httpx.AsyncClient
) -> None:
    await netsuite_erp.legal_entities()
    await set_faults(sandbox, throttle=True, throttleRetryAfter=120)

    with pytest.raises(Throttled) as caught:
        await netsuite_erp.customer(external_id=ACME)

    assert caught.value.retry_after == 120
    assert len(await requests_seen(sandbox, f"eid:{ACME}")) == 1


async def test_persistent_outage_is_unavailable_after_every_attempt(
    netsuite_erp: NetSuiteERP, sandbox: httpx.AsyncClient
) -> None:
    await netsuite_erp.legal_entities()
    await set_faults(sandbox, outage=True)

    with pytest.raises(Unavailable):
        await netsuite_erp.save_customer(a_customer(external_id=ACME, legal_entity="US01", currency="USD"))

    assert len(await requests_seen(sandbox, f"eid:{ACME}")) == FAST_RETRY.attempts


async def test_correlation_id_reaches_netsuite(netsuite_erp: NetSuiteERP, sandbox: httpx.AsyncClient) -> None:
    token = correlation_id.set("corr-netsuite-7")
    try:
        await netsuite_erp.customer(external_id=ACME)
    finally:
        correlation_id.reset(token)

    seen = await requests_seen(sandbox)
    assert seen
    assert {r["headers"].get("x-correlation-id") for r in seen} == {"corr-netsuite-7"}
