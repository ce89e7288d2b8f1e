"""The NetSuite sandbox speaks SuiteTalk REST: its token grant, record service, errors and quirks."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

import httpx
import pytest
from joserfc import jwk, jwt

from tests.fixtures.netsuite import (
    NETSUITE_CERTIFICATE_ID,
    NETSUITE_RSA_CERTIFICATE_ID,
    NetSuiteRecords,
    client_assertion,
    netsuite_error,
    token_request,
)

RECORDS = "/services/rest/record/v1"
CUSTOMER_ID = re.compile(r"^cus_[0-7][0-9A-HJKMNP-TV-Z]{25}$")


error_of = netsuite_error


@pytest.fixture
def ns(netsuite_records: NetSuiteRecords) -> NetSuiteRecords:
    return netsuite_records


@pytest.fixture
def http(netsuite_http: httpx.Client) -> httpx.Client:
    """The shared client, for tests that talk to the token endpoint without ``ns``."""
    return netsuite_http


def new_customer(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "companyName": "Initech Ltd",
        "subsidiary": {"id": "2"},
        "currency": {"id": "2"},
        "terms": {"id": "3"},
        "email": "ap@initech.example",
        "taxRegistration": {
            "items": [{"nexusCountry": {"id": "GB"}, "taxRegistrationNumber": "GB987654321"}]
        },
    }
    body.update(overrides)
    return body


# -- token grant


def test_token_grant_answers_expires_in_as_a_string(
    http: httpx.Client, netsuite_sandbox: str, netsuite_client_key: str
) -> None:
    answer = token_request(http, netsuite_sandbox, client_assertion(netsuite_sandbox, netsuite_client_key))

    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_in"] == "3600"
    assert body["token_type"] == "Bearer"
    assert body["access_token"]


def test_token_grant_accepts_ps256_from_an_rsa_certificate(
    http: httpx.Client, netsuite_sandbox: str, netsuite_rsa_client_key: str
) -> None:
    assertion = client_assertion(
        netsuite_sandbox, netsuite_rsa_client_key, header={"alg": "PS256", "kid": NETSUITE_RSA_CERTIFICATE_ID}
    )
    assert token_request(http, netsuite_sandbox, assertion).status_code == 200


def test_token_grant_accepts_scope_as_a_list(
    http: httpx.Client, netsuite_sandbox: str, netsuite_client_key: str
) -> None:
    assertion = client_assertion(
        netsuite_sandbox, netsuite_client_key, scope=["restlets", "rest_webservices"]
    )
    assert token_request(http, netsuite_sandbox, assertion).status_code == 200


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("unknown kid", "invalid_client"),
        ("RS256", "invalid_client"),
        ("HS256", "invalid_client"),
        ("none", "invalid_client"),
        ("signed by another key", "invalid_client"),
        ("wrong iss", "invalid_client"),
        ("wrong aud", "invalid_grant"),
        ("expired", "invalid_grant"),
        ("lives over an hour", "invalid_grant"),
        ("no rest_webservices scope", "invalid_grant"),
        ("no iat", "invalid_grant"),
    ],
)
def test_token_grant_refuses_bad_assertions(
    http: httpx.Client,
    netsuite_sandbox: str,
    netsuite_client_key: str,
    netsuite_rsa_client_key: str,
    case: str,
    error: str,
) -> None:
    url, key = netsuite_sandbox, netsuite_client_key
    now = int(time.time())
    assertion = {
        "unknown kid": lambda: client_assertion(url, key, header={"kid": "cert-revoked"}),
        "RS256": lambda: client_assertion(
            url, netsuite_rsa_client_key, header={"alg": "RS256", "kid": NETSUITE_RSA_CERTIFICATE_ID}
        ),
        "HS256": lambda: jwt.encode(
            {"alg": "HS256", "kid": NETSUITE_CERTIFICATE_ID},
            {"iss": "revgate-netsuite-integration", "iat": now, "exp": now + 60},
            jwk.OctKey.import_key("a-shared-secret-that-is-long-enough-for-hs256"),
        ),
        "none": lambda: _unsigned(
            {"alg": "none", "kid": NETSUITE_CERTIFICATE_ID},
            {"iss": "revgate-netsuite-integration", "iat": now, "exp": now + 60},
        ),
        "signed by another key": lambda: client_assertion(
            url, json.dumps(jwk.generate_key("EC", "P-256").as_dict(private=True))
        ),
        "wrong iss": lambda: client_assertion(url, key, iss="someone-else"),
        "wrong aud": lambda: client_assertion(
            url, key, aud="https://1234567.suitetalk.api.netsuite.com/token"
        ),
        "expired": lambda: client_assertion(url, key, iat=now - 600, exp=now - 300),
        "lives over an hour": lambda: client_assertion(url, key, exp=now + 3601),
        "no rest_webservices scope": lambda: client_assertion(url, key, scope="restlets"),
        "no iat": lambda: client_assertion(url, key, iat=None),
    }[case]()

    answer = token_request(http, url, assertion)

    assert answer.status_code == 400
    assert answer.json()["error"] == error


def test_token_grant_takes_each_assertion_once(
    http: httpx.Client, netsuite_sandbox: str, netsuite_client_key: str
) -> None:
    assertion = client_assertion(netsuite_sandbox, netsuite_client_key)
    assert token_request(http, netsuite_sandbox, assertion).status_code == 200

    replayed = token_request(http, netsuite_sandbox, assertion)

    assert replayed.status_code == 400
    assert replayed.json()["error"] == "invalid_grant"


def test_token_grant_refuses_an_assertion_without_jti_replayed(
    http: httpx.Client, netsuite_sandbox: str, netsuite_client_key: str
) -> None:
    assertion = client_assertion(netsuite_sandbox, netsuite_client_key, jti=None)
    assert token_request(http, netsuite_sandbox, assertion).status_code == 200
    assert token_request(http, netsuite_sandbox, assertion).json()["error"] == "invalid_grant"


def test_token_grant_refuses_another_grant_type(
    http: httpx.Client, netsuite_sandbox: str, netsuite_client_key: str
) -> None:
    answer = http.post(
        netsuite_sandbox + "/services/rest/auth/oauth2/v1/token",
        data={"grant_type": "password", "username": "a", "password": "b"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"


# -- login


def test_records_need_a_valid_token(http: httpx.Client, netsuite_sandbox: str) -> None:
    answer = http.get(netsuite_sandbox + RECORDS + "/customer/101")

    assert answer.status_code == 401
    assert error_of(answer)["o:errorCode"] == "INVALID_LOGIN"


def test_expired_tokens_are_refused(ns: NetSuiteRecords) -> None:
    ns.http.post(ns.url + "/__sandbox/tokens/expire").raise_for_status()

    answer = ns.call("GET", "/customer/101")

    assert answer.status_code == 401
    assert error_of(answer)["o:errorCode"] == "INVALID_LOGIN"


# -- seed


def test_seed_has_four_subsidiaries_keyed_by_legal_entity_code(ns: NetSuiteRecords) -> None:
    subsidiaries = [ns.get(f"/subsidiary/{item['id']}") for item in ns.get("/subsidiary")["items"]]

    by_code = {s["externalId"]: s for s in subsidiaries}
    assert set(by_code) == {"US01", "GB01", "DE01", "AU01"}
    gb = by_code["GB01"]
    assert gb["name"] == "Revgate Demo Ltd"
    assert gb["country"] == {"id": "GB", "refName": "United Kingdom"}
    assert gb["currency"]["refName"] == "British Pound"
    allowed = [ns.get(f"/currency/{c['id']}")["symbol"] for c in gb["custrecord_revgate_currencies"]["items"]]
    assert allowed == ["GBP", "EUR", "USD"]


def test_seed_customers_carry_revgate_customer_ids(ns: NetSuiteRecords) -> None:
    page = ns.get("/customer")
    customers = [ns.get(f"/customer/{item['id']}") for item in page["items"]]

    external_ids = [c["externalId"] for c in customers if "externalId" in c]
    assert len(customers) >= 6
    assert len(external_ids) >= 3
    assert all(CUSTOMER_ID.match(e) for e in external_ids)
    assert {c["subsidiary"]["refName"] for c in customers} >= {"Revgate Demo Inc.", "Revgate Demo Ltd"}


def test_terms_and_currencies_are_seeded(ns: NetSuiteRecords) -> None:
    terms = {
        t["name"]: t["daysUntilNetDue"]
        for t in (ns.get(f"/term/{i['id']}") for i in ns.get("/term")["items"])
    }
    symbols = {ns.get(f"/currency/{i['id']}")["symbol"] for i in ns.get("/currency")["items"]}

    assert terms == {"Due on receipt": 0, "Net 15": 15, "Net 30": 30, "Net 45": 45, "Net 60": 60}
    assert symbols == {"USD", "GBP", "EUR", "AUD", "CAD", "JPY"}


def test_reset_restores_the_seed(ns: NetSuiteRecords, netsuite_client_key: str) -> None:
    ns.call("DELETE", "/customer/101")
    created = ns.call("POST", "/customer", new_customer())

    ns.http.post(ns.url + "/__sandbox/reset").raise_for_status()

    assert ns.call("GET", "/customer/101").status_code == 401  # tokens are dropped too
    again = NetSuiteRecords(ns.http, ns.url, netsuite_client_key)
    assert again.get("/customer/101")["companyName"] == "Acme Robotics Inc."
    assert ns.http.get(created.headers["location"], headers=again.headers).status_code == 404


# -- record service


def test_create_answers_204_with_the_id_only_in_location(ns: NetSuiteRecords) -> None:
    answer = ns.call("POST", "/customer", new_customer())

    assert answer.status_code == 204
    assert answer.content == b""
    location = answer.headers["location"]
    assert re.fullmatch(re.escape(ns.url) + r"/services/rest/record/v1/customer/\d+", location)
    record = ns.http.get(location, headers=ns.headers).json()
    assert record["links"] == [{"rel": "self", "href": location}]
    assert record["companyName"] == "Initech Ltd"
    assert record["entityId"] == f"CUS-{record['id']}"
    assert record["isPerson"] is False
    assert record["subsidiary"]["id"] == "2"
    assert record["subsidiary"]["refName"] == "Revgate Demo Ltd"
    assert record["subsidiary"]["links"][0]["href"].endswith("/record/v1/subsidiary/2")
    assert record["dateCreated"] and record["lastModifiedDate"]


def test_references_can_be_given_by_external_id(ns: NetSuiteRecords) -> None:
    answer = ns.call(
        "POST",
        "/customer",
        new_customer(subsidiary={"externalId": "DE01"}, currency={"id": 3}, taxRegistration={"items": []}),
    )

    assert answer.status_code == 204, answer.text
    record = ns.http.get(answer.headers["location"], headers=ns.headers).json()
    assert record["subsidiary"]["refName"] == "Revgate Demo GmbH"


def test_sublists_are_links_unless_expanded(ns: NetSuiteRecords) -> None:
    plain = ns.get("/customer/102")
    expanded = ns.get("/customer/102", expandSubResources="true")

    assert set(plain["taxRegistration"]) == {"links"}
    [line] = expanded["taxRegistration"]["items"]
    assert line["nexusCountry"] == {"id": "GB", "refName": "United Kingdom"}
    assert line["taxRegistrationNumber"] == "GB123456789"
    sublist = ns.http.get(plain["taxRegistration"]["links"][0]["href"], headers=ns.headers).json()
    assert sublist["items"][0]["taxRegistrationNumber"] == "GB123456789"


def test_records_are_found_by_external_id(ns: NetSuiteRecords) -> None:
    ns.call("POST", "/customer", new_customer(externalId="cus_01J9ZZZZZZZZZZZZZZZZZZZZZZ"))

    record = ns.get("/customer/eid:cus_01J9ZZZZZZZZZZZZZZZZZZZZZZ")

    assert record["companyName"] == "Initech Ltd"
    assert ns.call("GET", "/customer/eid:cus_nobody").status_code == 404


def test_upsert_creates_then_updates_the_same_record(ns: NetSuiteRecords) -> None:
    before = ns.get("/customer")["totalResults"]

    created = ns.call("PUT", "/customer/eid:ext-42", new_customer())
    updated = ns.call("PUT", "/customer/eid:ext-42", new_customer(companyName="Initech Holdings Ltd"))

    assert created.status_code == 204 and updated.status_code == 204
    record = ns.http.get(created.headers["location"], headers=ns.headers).json()
    assert record["externalId"] == "ext-42"
    assert record["companyName"] == "Initech Holdings Ltd"
    assert ns.get("/customer")["totalResults"] == before + 1


def test_upsert_needs_an_external_id_in_the_url(ns: NetSuiteRecords) -> None:
    answer = ns.call("PUT", "/customer/101", new_customer())
    assert answer.status_code == 400
    assert error_of(answer)["o:errorCode"] == "USER_ERROR"


def test_patch_adds_sublist_lines_unless_replaced(ns: NetSuiteRecords) -> None:
    line = {"nexusCountry": {"id": "DE"}, "taxRegistrationNumber": "DE123456789"}

    assert (
        ns.call(
            "PATCH", "/customer/eid:cus_01J0A7QK4M2N8P6R3S5T7V9W1X", {"taxRegistration": {"items": [line]}}
        ).status_code
        == 204
    )
    added = ns.get("/customer/102", expandSubResources="true")["taxRegistration"]["items"]
    ns.call("PATCH", "/customer/102", {"taxRegistration": {"items": [line]}}, replace="taxRegistration")
    replaced = ns.get("/customer/102", expandSubResources="true")["taxRegistration"]["items"]

    assert [i["taxRegistrationNumber"] for i in added] == ["GB123456789", "DE123456789"]
    assert [i["taxRegistrationNumber"] for i in replaced] == ["DE123456789"]


def test_delete_then_the_record_is_gone(ns: NetSuiteRecords) -> None:
    assert ns.call("DELETE", "/customer/103").status_code == 204

    answer = ns.call("GET", "/customer/103")

    assert answer.status_code == 404
    assert error_of(answer)["o:errorCode"] == "NONEXISTENT_ID"


def test_collections_page_with_limit_and_offset(ns: NetSuiteRecords) -> None:
    page = ns.get("/customer", limit="2", offset="2")

    assert page["count"] == 2
    assert page["offset"] == 2
    assert page["hasMore"] is True
    assert page["totalResults"] == 7  # six customers and the quote-to-cash demo customer
    assert [i["id"] for i in page["items"]] == ["103", "104"]
    assert page["items"][0]["links"][0]["href"].endswith("/record/v1/customer/103")
    rels = {link["rel"]: link["href"] for link in page["links"]}
    assert rels["next"].endswith("limit=2&offset=4")
    assert ns.get("/customer", limit="2", offset="6")["hasMore"] is False


# -- validation


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        ({"subsidiary": {"id": "99"}}, "INVALID_CONTENT", "subsidiary"),
        ({"terms": {"id": "99"}}, "INVALID_CONTENT", "terms"),
        ({"currency": {"id": "6"}}, "USER_ERROR", "currency"),  # JPY: not a currency of GB01
        ({"companyName": ""}, "USER_ERROR", None),
        ({"nickname": "Inny"}, "INVALID_CONTENT", "nickname"),
        ({"isPerson": "no"}, "INVALID_FLD_VALUE", "isPerson"),
        ({"id": "5"}, "INVALID_CONTENT", "id"),
        (
            {"taxRegistration": {"items": [{"nexusCountry": {"id": "XX"}, "taxRegistrationNumber": "1"}]}},
            "INVALID_CONTENT",
            "taxRegistration.items[0].nexusCountry",
        ),
    ],
)
def test_invalid_customers_are_refused_with_the_field_path(
    ns: NetSuiteRecords, change: dict[str, Any], code: str, path: str | None
) -> None:
    answer = ns.call("POST", "/customer", new_customer(**change))

    assert answer.status_code == 400
    detail = error_of(answer)
    assert detail["o:errorCode"] == code
    assert detail.get("o:errorPath") == path


def test_required_fields_are_named(ns: NetSuiteRecords) -> None:
    answer = ns.call("POST", "/customer", {"companyName": "Nobody Inc."})
    assert "Primary Subsidiary" in error_of(answer)["detail"]


@pytest.mark.parametrize(
    ("country", "number", "valid"),
    [
        ("GB", "GB123456789", True),
        ("GB", "GB12345678", False),
        ("GB", "123456789", False),
        ("DE", "DE811907980", True),
        ("DE", "GB811907980", False),
        ("AU", "51824753556", True),
        ("AU", "5182475355", False),
        ("US", "12-3456789", True),
        ("US", "123456789", False),
    ],
)
def test_tax_registration_numbers_are_checked_per_country(
    ns: NetSuiteRecords, country: str, number: str, valid: bool
) -> None:
    subsidiary = {"GB": "2", "DE": "3", "AU": "4", "US": "1"}[country]
    currency = {"GB": "2", "DE": "3", "AU": "4", "US": "1"}[country]
    line = {"nexusCountry": {"id": country}, "taxRegistrationNumber": number}

    answer = ns.call(
        "POST",
        "/customer",
        new_customer(
            subsidiary={"id": subsidiary}, currency={"id": currency}, taxRegistration={"items": [line]}
        ),
    )

    if valid:
        assert answer.status_code == 204, answer.text
    else:
        assert answer.status_code == 400
        detail = error_of(answer)
        assert detail["o:errorCode"] == "INVALID_FLD_VALUE"
        assert detail["o:errorPath"] == "taxRegistration.items[0].taxRegistrationNumber"


@pytest.mark.parametrize(("field", "new_id"), [("subsidiary", "2"), ("currency", "4")])
def test_subsidiary_and_currency_cannot_change(ns: NetSuiteRecords, field: str, new_id: str) -> None:
    # Customer 101 is US01/USD; GB01 allows USD, so only the subsidiary rule can refuse it.
    answer = ns.call("PATCH", "/customer/101", {field: {"id": new_id}})

    assert answer.status_code == 400
    detail = error_of(answer)
    assert detail["o:errorCode"] == "USER_ERROR"
    assert detail["o:errorPath"] == field
    assert ns.get("/customer/101")[field]["id"] == "1"


def test_external_ids_are_unique(ns: NetSuiteRecords) -> None:
    answer = ns.call("POST", "/customer", new_customer(externalId="cus_01J0A7QK4M2N8P6R3S5T7V9W1X"))

    assert answer.status_code == 400
    assert "already exists" in error_of(answer)["detail"]


def test_malformed_json_is_refused_in_netsuite_shape(ns: NetSuiteRecords) -> None:
    answer = ns.http.post(
        ns.url + RECORDS + "/customer",
        content=b'{"companyName": ',
        headers={**ns.headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert error_of(answer)["o:errorCode"] == "INVALID_CONTENT"


def test_other_media_types_are_refused(ns: NetSuiteRecords) -> None:
    answer = ns.http.post(
        ns.url + RECORDS + "/customer",
        content=b"companyName=x",
        headers={**ns.headers, "Content-Type": "text/plain"},
    )
    assert answer.status_code == 415
    assert error_of(answer)


def test_unknown_routes_and_methods_answer_in_netsuite_shape(ns: NetSuiteRecords) -> None:
    missing_type = ns.call("GET", "/spaceship/1")
    missing_route = ns.http.get(ns.url + "/services/rest/nothing/here", headers=ns.headers)
    wrong_method = ns.call("DELETE", "/customer")

    assert missing_type.status_code == 404 and error_of(missing_type)["o:errorCode"] == "NONEXISTENT_ID"
    assert missing_route.status_code == 404 and error_of(missing_route)
    assert wrong_method.status_code == 405 and error_of(wrong_method)


# -- faults


def _faults(ns: NetSuiteRecords, **faults: Any) -> None:
    ns.http.put(ns.url + "/__sandbox/faults", json=faults).raise_for_status()


def test_throttling_answers_429_with_retry_after(ns: NetSuiteRecords) -> None:
    _faults(ns, throttle=True, throttleRetryAfter=7)

    answer = ns.call("GET", "/customer/101")

    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "7"
    assert error_of(answer)["o:errorCode"] == "CONCURRENCY_LIMIT_EXCEEDED"


def test_outage_and_server_errors_answer_in_netsuite_shape(ns: NetSuiteRecords) -> None:
    _faults(ns, outage=True)
    down = ns.call("GET", "/customer/101")
    _faults(ns, errorRate=1.0)
    broken = ns.call("GET", "/customer/101")

    assert down.status_code == 503 and error_of(down)
    assert broken.status_code == 500 and error_of(broken)["o:errorCode"] == "UNEXPECTED_ERROR"
