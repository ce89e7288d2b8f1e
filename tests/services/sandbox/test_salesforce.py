"""The Salesforce sandbox speaks Salesforce: token, sObject rows, upsert, SOQL, errors, limits, faults."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from services.runtime.serve import serve_in_thread
from services.sandbox._kernel import SandboxConfig
from services.sandbox.salesforce import (
    ACCOUNT,
    FieldSpec,
    FieldType,
    SchemaRegistry,
    SObjectSchema,
    case_safe_suffix,
    create_app,
    normalize_id,
)
from tests.fixtures.salesforce import SalesforceSandbox

ID_SHAPE = re.compile(r"^001[0-9A-Za-z]{12}[A-Z0-5]{3}$")
SF_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
REVGATE_ID = re.compile(r"^cus_[0-7][0-9A-HJKMNP-TV-Z]{25}$")


def names(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [r["Name"] for r in answer.json()["records"]]


def error_of(answer: httpx.Response, status: int) -> dict[str, Any]:
    """The single entry of a Salesforce error array, after checking the status and shape."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert isinstance(body, list)
    assert len(body) == 1
    assert {"message", "errorCode"} <= body[0].keys()
    entry: dict[str, Any] = body[0]
    return entry


def account_by_name(sandbox: SalesforceSandbox, name: str) -> dict[str, Any]:
    answer = sandbox.query(f"SELECT Id, Revgate_Id__c, ParentId FROM Account WHERE Name = '{name}'")
    (record,) = answer.json()["records"]
    return dict(record)


# --- OAuth ------------------------------------------------------------------------------------


def test_token_answer_has_salesforce_shape(salesforce_sandbox: SalesforceSandbox) -> None:
    before = int(time.time() * 1000)
    answer = salesforce_sandbox.http.post(
        "/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "revgate",
            "client_secret": "revgate-sandbox-secret",
        },
    )
    assert answer.status_code == 200
    token = answer.json()
    assert token["token_type"] == "Bearer"
    assert token["instance_url"] == salesforce_sandbox.url
    assert token["id"].startswith(f"{salesforce_sandbox.url}/id/00D")
    assert token["access_token"].startswith(token["id"].split("/")[-2][:15] + "!")
    assert isinstance(token["issued_at"], str)
    assert before <= int(token["issued_at"]) <= int(time.time() * 1000)
    assert token["signature"]


@pytest.mark.parametrize(
    ("form", "error"),
    [
        (
            {"grant_type": "client_credentials", "client_id": "revgate", "client_secret": "wrong"},
            "invalid_client",
        ),
        (
            {"grant_type": "client_credentials", "client_id": "someone", "client_secret": "x"},
            "invalid_client",
        ),
        ({"grant_type": "password", "client_id": "revgate", "client_secret": "x"}, "unsupported_grant_type"),
    ],
)
def test_token_refusals(salesforce_sandbox: SalesforceSandbox, form: dict[str, str], error: str) -> None:
    answer = salesforce_sandbox.http.post("/services/oauth2/token", data=form)
    assert answer.status_code == 400
    assert answer.json()["error"] == error
    assert answer.json()["error_description"]


def test_missing_or_expired_token_is_invalid_session(salesforce_sandbox: SalesforceSandbox) -> None:
    anonymous = salesforce_sandbox.http.get("/services/data/v62.0/sobjects/Account/describe")
    assert error_of(anonymous, 401) == {
        "message": "Session expired or invalid",
        "errorCode": "INVALID_SESSION_ID",
        "fields": [],
    }
    token = salesforce_sandbox.token()
    assert salesforce_sandbox.api("GET", "/sobjects/Account/describe").status_code == 200
    salesforce_sandbox.expire_tokens()
    stale = salesforce_sandbox.http.get(
        "/services/data/v62.0/sobjects/Account/describe", headers={"Authorization": f"Bearer {token}"}
    )
    assert error_of(stale, 401)["errorCode"] == "INVALID_SESSION_ID"


# --- Ids ----------------------------------------------------------------------------------------


def test_ids_carry_the_real_case_safe_checksum() -> None:
    assert case_safe_suffix("0015000000Gv7qJ") == "AAR"  # the example in Salesforce's docs
    assert normalize_id("0015000000Gv7qJ") == "0015000000Gv7qJAAR"
    # An 18-character id survives a case-insensitive system: its suffix restores the case.
    assert normalize_id("0015000000gv7qjaar") == "0015000000Gv7qJAAR"
    assert normalize_id("0015000000Gv7qJAA") is None
    assert normalize_id("not-an-id") is None


def test_seeded_accounts_are_realistic(salesforce_sandbox: SalesforceSandbox) -> None:
    records = salesforce_sandbox.query(
        "SELECT Id, Name, BillingCountry, Revgate_Id__c, Revgate_Match_Key__c, ParentId FROM Account"
    ).json()["records"]
    assert len(records) >= 8
    assert {r["BillingCountry"] for r in records} == {"US", "GB", "DE", "AU"}
    for record in records:
        assert ID_SHAPE.match(record["Id"])
        assert normalize_id(record["Id"][:15]) == record["Id"]
    known = [r for r in records if r["Revgate_Id__c"]]
    assert len(known) >= 4
    assert all(REVGATE_ID.match(r["Revgate_Id__c"]) for r in known)
    assert any(r["Revgate_Id__c"] is None for r in records), "CRM-only prospects"
    ids = {r["Id"] for r in records}
    assert any(r["ParentId"] in ids for r in records), "a hierarchy"


def test_fifteen_and_lowercased_eighteen_character_ids_are_accepted(
    salesforce_sandbox: SalesforceSandbox,
) -> None:
    record_id = account_by_name(salesforce_sandbox, "Wattle Health Pty Ltd")["Id"]
    for variant in (record_id[:15], record_id.lower()):
        answer = salesforce_sandbox.api("GET", f"/sobjects/Account/{variant}")
        assert answer.status_code == 200
        assert answer.json()["Id"] == record_id


# --- sObject rows -------------------------------------------------------------------------------


def test_create_read_update_delete(salesforce_sandbox: SalesforceSandbox) -> None:
    created = salesforce_sandbox.api(
        "POST",
        "/sobjects/Account/",
        json={"Name": "Fennel Labs", "BillingStreet": "9 Pier Road\nFloor 2", "BillingCountry": "GB"},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["success"] is True
    assert body["errors"] == []
    assert ID_SHAPE.match(body["id"])

    read = salesforce_sandbox.api("GET", f"/sobjects/Account/{body['id']}")
    assert read.status_code == 200
    record = read.json()
    assert record["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v62.0/sobjects/Account/{body['id']}",
    }
    assert record["Name"] == "Fennel Labs"
    assert record["BillingStreet"] == "9 Pier Road\nFloor 2"
    assert record["Industry"] is None
    assert SF_DATETIME.match(record["CreatedDate"])
    assert {"LastModifiedDate", "SystemModstamp", "Revgate_Id__c", "Revgate_Match_Key__c"} <= record.keys()

    updated = salesforce_sandbox.api(
        "PATCH", f"/sobjects/Account/{body['id']}", json={"Industry": "Biotechnology"}
    )
    assert updated.status_code == 204
    assert updated.content == b""
    again = salesforce_sandbox.api("GET", f"/sobjects/Account/{body['id']}").json()
    assert again["Industry"] == "Biotechnology"
    assert again["LastModifiedDate"] >= record["LastModifiedDate"]

    assert salesforce_sandbox.api("DELETE", f"/sobjects/Account/{body['id']}").status_code == 204
    gone = salesforce_sandbox.api("GET", f"/sobjects/Account/{body['id']}")
    assert error_of(gone, 404) == {
        "message": "The requested resource does not exist",
        "errorCode": "NOT_FOUND",
        "fields": [],
    }


def test_fields_parameter_limits_the_record(salesforce_sandbox: SalesforceSandbox) -> None:
    record_id = account_by_name(salesforce_sandbox, "Kestrel Logistik GmbH")["Id"]
    answer = salesforce_sandbox.api(
        "GET", f"/sobjects/Account/{record_id}", params={"fields": "name,BillingCity"}
    )
    assert answer.json() == {
        "attributes": {"type": "Account", "url": f"/services/data/v62.0/sobjects/Account/{record_id}"},
        "Name": "Kestrel Logistik GmbH",
        "BillingCity": "Hamburg",
        "Id": record_id,
    }
    bad = salesforce_sandbox.api("GET", f"/sobjects/Account/{record_id}", params={"fields": "Name,Colour"})
    assert error_of(bad, 400)["errorCode"] == "INVALID_FIELD"


def test_deleting_a_parent_clears_the_childrens_lookup(salesforce_sandbox: SalesforceSandbox) -> None:
    child = account_by_name(salesforce_sandbox, "Northwind Analytics Ltd")
    assert child["ParentId"] is not None
    assert salesforce_sandbox.api("DELETE", f"/sobjects/Account/{child['ParentId']}").status_code == 204
    assert account_by_name(salesforce_sandbox, "Northwind Analytics Ltd")["ParentId"] is None


def test_read_by_external_id(salesforce_sandbox: SalesforceSandbox) -> None:
    answer = salesforce_sandbox.api("GET", "/sobjects/Account/Revgate_Id__c/cus_01HP2T3X002R00K6AGV0VFCXEC")
    assert answer.status_code == 200
    assert answer.json()["Name"] == "Wattle Health Pty Ltd"
    # Revgate_Id__c is case-sensitive: another case is another value.
    lower = salesforce_sandbox.api("GET", "/sobjects/Account/Revgate_Id__c/cus_01hp2t3x002r00k6agv0vfcxec")
    assert error_of(lower, 404)["errorCode"] == "NOT_FOUND"
    not_external = salesforce_sandbox.api("GET", "/sobjects/Account/Name/Wattle")
    assert "Provided external ID field does not exist" in error_of(not_external, 404)["message"]


def test_upsert_creates_then_updates_one_record(salesforce_sandbox: SalesforceSandbox) -> None:
    path = "/sobjects/Account/Revgate_Id__c/cus_01J0000000000000000000000A"
    first = salesforce_sandbox.api(
        "PATCH", path, json={"Name": "Quill & Ink Ltd", "Revgate_Match_Key__c": "GB01|q"}
    )
    assert first.status_code == 201
    assert first.json() == {"id": first.json()["id"], "success": True, "errors": [], "created": True}
    second = salesforce_sandbox.api("PATCH", path, json={"Name": "Quill and Ink Ltd"})
    assert second.status_code == 200
    assert second.json() == {"id": first.json()["id"], "success": True, "errors": [], "created": False}
    found = salesforce_sandbox.query(
        "SELECT Name FROM Account WHERE Revgate_Id__c = 'cus_01J0000000000000000000000A'"
    ).json()
    assert found["totalSize"] == 1
    assert found["records"][0]["Name"] == "Quill and Ink Ltd"


def test_upsert_refuses_another_external_id_in_the_body(salesforce_sandbox: SalesforceSandbox) -> None:
    answer = salesforce_sandbox.api(
        "PATCH",
        "/sobjects/Account/Revgate_Id__c/cus_01J0000000000000000000000A",
        json={"Name": "X", "Revgate_Id__c": "cus_01J0000000000000000000000B"},
    )
    assert error_of(answer, 400)["errorCode"] == "INVALID_FIELD"
    same = salesforce_sandbox.api(
        "PATCH",
        "/sobjects/Account/Revgate_Id__c/cus_01J0000000000000000000000A",
        json={"Name": "X", "Revgate_Id__c": "cus_01J0000000000000000000000A"},
    )
    assert same.status_code == 201


def test_upsert_on_a_non_unique_external_id_with_two_matches_is_300() -> None:
    legacy = FieldSpec("Legacy_Number__c", FieldType.STRING, "Legacy Number", length=20, external_id=True)
    schema = SObjectSchema("Account", "Account", "Accounts", "001", (*ACCOUNT.fields, legacy))
    with (
        serve_in_thread(create_app(SandboxConfig(), SchemaRegistry([schema]))) as url,
        httpx.Client(base_url=url) as http,
    ):
        token = http.post(
            "/services/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "revgate",
                "client_secret": "revgate-sandbox-secret",
            },
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for name in ("Twin One", "Twin Two"):
            http.post(
                "/services/data/v62.0/sobjects/Account",
                json={"Name": name, "Legacy_Number__c": "L-7"},
                headers=headers,
            ).raise_for_status()
        answer = http.patch(
            "/services/data/v62.0/sobjects/Account/Legacy_Number__c/L-7",
            json={"Name": "Twin"},
            headers=headers,
        )
        assert answer.status_code == 300
        urls = answer.json()
        assert len(urls) == 2
        assert all(u.startswith("/services/data/v62.0/sobjects/Account/001") for u in urls)


# --- Write errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "fields"),
    [
        ({"Name": "A", "Colour__c": "blue"}, "INVALID_FIELD", []),
        ({"Industry": "Retail"}, "REQUIRED_FIELD_MISSING", ["Name"]),
        ({"Name": None}, "REQUIRED_FIELD_MISSING", ["Name"]),
        ({"Name": {"first": "A"}}, "JSON_PARSER_ERROR", []),
        (
            {"Name": "A", "CreatedDate": "2024-01-01T00:00:00.000+0000"},
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            ["CreatedDate"],
        ),
        ({"Name": "A", "Id": "001Hs00000B0IjkIAF"}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["Id"]),
        ({"Name": "A", "ParentId": "banana"}, "MALFORMED_ID", ["ParentId"]),
        ({"Name": "A", "ParentId": "001Hs00000Zzzz9"}, "INVALID_CROSS_REFERENCE_KEY", ["ParentId"]),
        ({"Name": "A", "ParentId": "003Hs00000Zzzz9"}, "FIELD_INTEGRITY_EXCEPTION", ["ParentId"]),
        ({"Name": "A" * 256}, "STRING_TOO_LONG", ["Name"]),
        (
            {"Name": "A", "NumberOfEmployees": "many"},
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            ["NumberOfEmployees"],
        ),
        ({"Name": "A", "NumberOfEmployees": 12.5}, "INVALID_TYPE_ON_FIELD_IN_RECORD", ["NumberOfEmployees"]),
        ({"Name": "A", "AnnualRevenue": True}, "JSON_PARSER_ERROR", []),
    ],
)
def test_create_errors(
    salesforce_sandbox: SalesforceSandbox, body: dict[str, Any], code: str, fields: list[str]
) -> None:
    error = error_of(salesforce_sandbox.api("POST", "/sobjects/Account", json=body), 400)
    assert error["errorCode"] == code
    assert error["fields"] == fields


def test_unknown_field_message_is_salesforces(salesforce_sandbox: SalesforceSandbox) -> None:
    error = error_of(
        salesforce_sandbox.api("POST", "/sobjects/Account", json={"Name": "A", "Colour__c": "x"}), 400
    )
    assert error["message"] == "No such column 'Colour__c' on sobject of type Account"


@pytest.mark.parametrize("content", [b"{not json", b"", b"[1, 2]"])
def test_unreadable_bodies_are_json_parser_errors(
    salesforce_sandbox: SalesforceSandbox, content: bytes
) -> None:
    answer = salesforce_sandbox.api(
        "POST", "/sobjects/Account", content=content, headers={"Content-Type": "application/json"}
    )
    assert error_of(answer, 400)["errorCode"] == "JSON_PARSER_ERROR"


def test_duplicate_match_key_names_the_holder(salesforce_sandbox: SalesforceSandbox) -> None:
    holder = account_by_name(salesforce_sandbox, "Kestrel Logistik GmbH")["Id"]
    # Unique fields fold case unless they are marked case-sensitive.
    answer = salesforce_sandbox.api(
        "POST",
        "/sobjects/Account",
        json={"Name": "Kestrel", "Revgate_Match_Key__c": "de01|KESTREL logistik gmbh"},
    )
    message = "duplicate value found: Revgate_Match_Key__c duplicates value on record with id: "
    assert error_of(answer, 400) == {
        "message": message + holder,
        "errorCode": "DUPLICATE_VALUE",
        "fields": [],
    }


def test_revgate_id_uniqueness_is_case_sensitive(salesforce_sandbox: SalesforceSandbox) -> None:
    taken = salesforce_sandbox.api(
        "POST", "/sobjects/Account", json={"Name": "Dup", "Revgate_Id__c": "cus_01HP2T3X002R00K6AGV0VFCXEC"}
    )
    assert error_of(taken, 400)["errorCode"] == "DUPLICATE_VALUE"
    other_case = salesforce_sandbox.api(
        "POST", "/sobjects/Account", json={"Name": "Dup", "Revgate_Id__c": "cus_01hp2t3x002r00k6agv0vfcxec"}
    )
    assert other_case.status_code == 201


def test_update_with_malformed_or_unknown_id(salesforce_sandbox: SalesforceSandbox) -> None:
    malformed = salesforce_sandbox.api("PATCH", "/sobjects/Account/001Hs00000B0IjkIZZ", json={"Name": "A"})
    assert error_of(malformed, 400)["errorCode"] == "MALFORMED_ID"
    unknown = salesforce_sandbox.api("PATCH", "/sobjects/Account/001Hs00000Zzzz9", json={"Name": "A"})
    assert error_of(unknown, 404)["errorCode"] == "NOT_FOUND"


def test_wrong_method_unknown_route_and_unknown_object(salesforce_sandbox: SalesforceSandbox) -> None:
    record_id = account_by_name(salesforce_sandbox, "Kestrel Logistik GmbH")["Id"]
    wrong = salesforce_sandbox.api("PUT", f"/sobjects/Account/{record_id}", json={"Name": "A"})
    error = error_of(wrong, 405)
    assert error["errorCode"] == "METHOD_NOT_ALLOWED"
    assert "PATCH" in error["message"]
    assert "PATCH" in wrong.headers["allow"]
    assert error_of(salesforce_sandbox.api("GET", "/nothing/here"), 404)["errorCode"] == "NOT_FOUND"
    assert (
        error_of(salesforce_sandbox.api("POST", "/sobjects/Widget__c", json={}), 404)["errorCode"]
        == "NOT_FOUND"
    )
    other_version = salesforce_sandbox.http.get(
        "/services/data/v58.0/sobjects/Account/describe",
        headers={"Authorization": f"Bearer {salesforce_sandbox.token()}"},
    )
    assert other_version.status_code == 200
    assert (
        salesforce_sandbox.http.get(
            "/services/data/latest/sobjects",
            headers={"Authorization": f"Bearer {salesforce_sandbox.token()}"},
        ).status_code
        == 404
    )


# --- SOQL -------------------------------------------------------------------------------------


def test_query_answer_shape(salesforce_sandbox: SalesforceSandbox) -> None:
    answer = salesforce_sandbox.query(
        "SELECT Name, BillingCity FROM Account WHERE BillingCountry = 'AU' ORDER BY Name"
    )
    assert answer.headers["sforce-limit-info"].startswith("api-usage=")
    body = answer.json()
    assert body["totalSize"] == 2
    assert body["done"] is True
    assert "nextRecordsUrl" not in body
    first = body["records"][0]
    assert list(first) == ["attributes", "Name", "BillingCity"]
    assert first["attributes"]["type"] == "Account"
    assert re.match(r"^/services/data/v62\.0/sobjects/Account/001\w{15}$", first["attributes"]["url"])
    assert [r["Name"] for r in body["records"]] == [
        "Ironbark Mining Services Pty Ltd",
        "Wattle Health Pty Ltd",
    ]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (
            "BillingCountry IN ('DE', 'AU') AND Revgate_Id__c != null",
            ["Kestrel Logistik GmbH", "Northwind Analytics GmbH", "Wattle Health Pty Ltd"],
        ),
        (
            "BillingCountry NOT IN ('US', 'GB', 'DE')",
            ["Ironbark Mining Services Pty Ltd", "Wattle Health Pty Ltd"],
        ),
        ("Revgate_Id__c = null", ["Cobalt Ridge Energy LLC", "Ironbark Mining Services Pty Ltd"]),
        (
            "name like 'northwind%'",
            ["Northwind Analytics GmbH", "Northwind Analytics Inc.", "Northwind Analytics Ltd"],
        ),
        (
            "Name LIKE '%Ltd'",
            ["Ironbark Mining Services Pty Ltd", "Northwind Analytics Ltd", "Wattle Health Pty Ltd"],
        ),
        ("Name LIKE 'Northwind Analytics ___'", ["Northwind Analytics Ltd"]),
        (
            "(BillingCountry = 'GB' OR BillingCountry = 'AU') AND NOT Type = 'Prospect'",
            ["Bramble & Finch Retail plc", "Northwind Analytics Ltd", "Wattle Health Pty Ltd"],
        ),
        (
            "BillingCountry = 'DE' OR (Industry = 'Energy' AND BillingState = 'TX')",
            ["Cobalt Ridge Energy LLC", "Kestrel Logistik GmbH", "Northwind Analytics GmbH"],
        ),
        (
            "Industry != 'Technology' AND Revgate_Id__c > 'cus_01HM'",
            ["Kestrel Logistik GmbH", "Wattle Health Pty Ltd"],
        ),
        (
            "CreatedDate > 2024-01-01T00:00:00Z",
            ["Cobalt Ridge Energy LLC", "Ironbark Mining Services Pty Ltd"],
        ),
        ("NumberOfEmployees >= 1900 AND AnnualRevenue < 1000000000", ["Northwind Analytics Inc."]),
        ("AnnualRevenue = null AND NumberOfEmployees != null", ["Cobalt Ridge Energy LLC"]),
        (
            "BillingState = null AND BillingCountry = 'GB'",
            ["Bramble & Finch Retail plc", "Northwind Analytics Ltd"],
        ),
    ],
)
def test_where_clauses(salesforce_sandbox: SalesforceSandbox, where: str, expected: list[str]) -> None:
    assert (
        names(salesforce_sandbox.query(f"SELECT Name FROM Account WHERE {where} ORDER BY Name")) == expected
    )


def test_order_by_nulls_limit_offset(salesforce_sandbox: SalesforceSandbox) -> None:
    soql = (
        "SELECT Name, Website FROM Account WHERE BillingCountry IN ('US', 'GB') "
        "ORDER BY Website DESC NULLS LAST, Name"
    )
    assert names(salesforce_sandbox.query(soql)) == [
        "Northwind Analytics Inc.",
        "Initech Software Inc.",
        "Bramble & Finch Retail plc",
        "Cobalt Ridge Energy LLC",
        "Northwind Analytics Ltd",
    ]
    first_null = "SELECT Name FROM Account WHERE BillingCountry = 'US' ORDER BY Website NULLS FIRST LIMIT 1"
    assert names(salesforce_sandbox.query(first_null)) == ["Cobalt Ridge Energy LLC"]
    page = "SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 3"
    assert names(salesforce_sandbox.query(page)) == [
        "Ironbark Mining Services Pty Ltd",
        "Kestrel Logistik GmbH",
    ]
    too_far = salesforce_sandbox.query("SELECT Name FROM Account OFFSET 2001")
    assert error_of(too_far, 400)["errorCode"] == "NUMBER_OUTSIDE_VALID_RANGE"


def test_count_and_id_filters(salesforce_sandbox: SalesforceSandbox) -> None:
    count = salesforce_sandbox.query("SELECT COUNT() FROM Account WHERE Revgate_Id__c != null").json()
    assert count == {"totalSize": 7, "done": True, "records": []}
    record_id = account_by_name(salesforce_sandbox, "Wattle Health Pty Ltd")["Id"]
    by_short_id = salesforce_sandbox.query(f"SELECT Name FROM Account WHERE Id = '{record_id[:15]}'")
    assert names(by_short_id) == ["Wattle Health Pty Ltd"]
    bad_id = salesforce_sandbox.query("SELECT Name FROM Account WHERE Id = 'nope'")
    assert error_of(bad_id, 400)["errorCode"] == "INVALID_QUERY_FILTER_OPERATOR"


def test_string_literal_escapes(salesforce_sandbox: SalesforceSandbox) -> None:
    salesforce_sandbox.api("POST", "/sobjects/Account", json={"Name": "O'Brien \\ Sons\nHoldings"})
    salesforce_sandbox.api("POST", "/sobjects/Account", json={"Name": "50% Off Ltd"})
    salesforce_sandbox.api("POST", "/sobjects/Account", json={"Name": "500 Widgets"})
    exact = "SELECT Name FROM Account WHERE Name = 'O\\'Brien \\\\ Sons\\nHoldings'"
    assert names(salesforce_sandbox.query(exact)) == ["O'Brien \\ Sons\nHoldings"]
    literal_percent = "SELECT Name FROM Account WHERE Name LIKE '50\\%%' ORDER BY Name"
    assert names(salesforce_sandbox.query(literal_percent)) == ["50% Off Ltd"]
    wildcard = "SELECT Name FROM Account WHERE Name LIKE '50%' ORDER BY Name"
    assert names(salesforce_sandbox.query(wildcard)) == ["50% Off Ltd", "500 Widgets"]
    unicode_escape = "SELECT Name FROM Account WHERE Name = 'Bramble \\u0026 Finch Retail plc'"
    assert names(salesforce_sandbox.query(unicode_escape)) == ["Bramble & Finch Retail plc"]
    illegal = salesforce_sandbox.query("SELECT Name FROM Account WHERE Name = 'a\\qb'")
    assert "Illegal character sequence" in error_of(illegal, 400)["message"]


@pytest.mark.parametrize(
    "injected",
    [
        "O'Brien",  # a lone quote ends the literal early
        "x' OR Name LIKE '%'",  # would widen the match, but leaves a dangling quote
        "x' OR 1=1 --",  # SQL habits: no comments, no literal-only conditions in SOQL
        "x') OR (Name LIKE '%",
    ],
)
def test_unescaped_quote_is_malformed_never_a_wider_match(
    salesforce_sandbox: SalesforceSandbox, injected: str
) -> None:
    answer = salesforce_sandbox.query(f"SELECT Name FROM Account WHERE Name = '{injected}'")
    assert error_of(answer, 400)["errorCode"] == "MALFORMED_QUERY"


def test_escaped_injection_is_just_text(salesforce_sandbox: SalesforceSandbox) -> None:
    escaped = "x\\' OR Name != \\'"
    assert names(salesforce_sandbox.query(f"SELECT Name FROM Account WHERE Name = '{escaped}'")) == []


@pytest.mark.parametrize(
    ("soql", "code", "detail"),
    [
        ("SELECT Name FROM Account WHERE", "MALFORMED_QUERY", "unexpected token: <EOF>"),
        (
            "SELECT Name FROM Account WHERE Name = 'a' AND Industry = 'b' OR Type = 'c'",
            "MALFORMED_QUERY",
            "unexpected token: OR",
        ),
        ("SELECT Name, FROM Account", "MALFORMED_QUERY", "unexpected token: FROM"),
        ("SELECT Name FROM Account LIMIT many", "MALFORMED_QUERY", "unexpected token: many"),
        (
            "SELECT Name FROM Account WHERE Name = :name",
            "MALFORMED_QUERY",
            "no viable alternative at character ':'",
        ),
        ("SELECT Name, Name FROM Account", "MALFORMED_QUERY", "duplicate field selected: Name"),
        ("SELECT Name FROM Account WHERE Name = 5", "MALFORMED_QUERY", "must be of type string"),
        (
            "SELECT Name FROM Account WHERE CreatedDate > '2024-01-01'",
            "MALFORMED_QUERY",
            "must be of type dateTime",
        ),
        ("SELECT Name, Colour FROM Account", "INVALID_FIELD", "No such column 'Colour' on entity 'Account'"),
        (
            "SELECT Name FROM Account ORDER BY Size",
            "INVALID_FIELD",
            "No such column 'Size' on entity 'Account'",
        ),
        ("SELECT Name FROM Widget__c", "INVALID_TYPE", "sObject type 'Widget__c' is not supported"),
    ],
)
def test_query_errors(salesforce_sandbox: SalesforceSandbox, soql: str, code: str, detail: str) -> None:
    error = error_of(salesforce_sandbox.query(soql), 400)
    assert error["errorCode"] == code
    assert detail in error["message"]


def test_query_error_points_at_the_column(salesforce_sandbox: SalesforceSandbox) -> None:
    error = error_of(salesforce_sandbox.query("SELECT Name, Colour FROM Account"), 400)
    assert error["message"] == (
        "\nSELECT Name, Colour FROM Account\n             ^\nERROR at Row:1:Column:14\n"
        "No such column 'Colour' on entity 'Account'. If you are attempting to use a custom field, be sure "
        "to append the '__c' after the custom field name. Please reference your WSDL or the describe call "
        "for the appropriate names."
    )


def create_accounts(sandbox: SalesforceSandbox, names: list[str]) -> None:
    """Through sObject Collections, 200 a call."""
    for start in range(0, len(names), 200):
        records = [{"attributes": {"type": "Account"}, "Name": name} for name in names[start : start + 200]]
        answer = sandbox.api("POST", "/composite/sobjects", json={"allOrNone": True, "records": records})
        assert answer.status_code == 200
        assert all(r["success"] for r in answer.json())


def test_collections_create_with_per_record_results(salesforce_sandbox: SalesforceSandbox) -> None:
    records: list[dict[str, Any]] = [
        {"attributes": {"type": "Account"}, "Name": "Good One"},
        {"attributes": {"type": "Account"}},
    ]
    partial = salesforce_sandbox.api(
        "POST", "/composite/sobjects", json={"allOrNone": False, "records": records}
    )
    good, bad = partial.json()
    assert good["success"] is True
    assert ID_SHAPE.match(good["id"])
    assert bad == {
        "success": False,
        "errors": [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [Name]",
                "fields": ["Name"],
            }
        ],
    }
    records[0]["Name"] = "Good Two"
    atomic = salesforce_sandbox.api(
        "POST", "/composite/sobjects", json={"allOrNone": True, "records": records}
    )
    assert atomic.json()[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert names(salesforce_sandbox.query("SELECT Name FROM Account WHERE Name LIKE 'Good%'")) == ["Good One"]


def test_large_results_come_in_batches(salesforce_sandbox: SalesforceSandbox) -> None:
    create_accounts(salesforce_sandbox, [f"Batch {n:03d}" for n in range(250)])
    soql = "SELECT Name FROM Account WHERE Name LIKE 'Batch%' ORDER BY Name"
    first = salesforce_sandbox.query(soql, headers={"Sforce-Query-Options": "batchSize=200"}).json()
    assert first["totalSize"] == 250
    assert first["done"] is False
    assert len(first["records"]) == 200
    assert re.match(r"^/services/data/v62\.0/query/01g\w{15}-200$", first["nextRecordsUrl"])
    rest = salesforce_sandbox.http.get(
        first["nextRecordsUrl"], headers={"Authorization": f"Bearer {salesforce_sandbox.token()}"}
    ).json()
    assert rest["done"] is True
    assert "nextRecordsUrl" not in rest
    assert [r["Name"] for r in first["records"] + rest["records"]] == [f"Batch {n:03d}" for n in range(250)]
    unknown = salesforce_sandbox.api("GET", "/query/01gHs00000Zzzz9AAA-200")
    assert error_of(unknown, 400)["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_default_batch_is_2000_records(salesforce_sandbox: SalesforceSandbox) -> None:
    seeded = salesforce_sandbox.query("SELECT COUNT() FROM Account").json()["totalSize"]
    create_accounts(salesforce_sandbox, [f"Bulk {n}" for n in range(2001 - seeded)])
    first = salesforce_sandbox.query("SELECT Id FROM Account").json()
    assert (first["totalSize"], len(first["records"]), first["done"]) == (2001, 2000, False)
    assert first["nextRecordsUrl"].endswith("-2000")
    rest = salesforce_sandbox.http.get(
        first["nextRecordsUrl"], headers={"Authorization": f"Bearer {salesforce_sandbox.token()}"}
    ).json()
    assert (len(rest["records"]), rest["done"]) == (1, True)


# --- Limits header ------------------------------------------------------------------------------


def test_every_answer_reports_api_usage(salesforce_sandbox: SalesforceSandbox) -> None:
    first = salesforce_sandbox.api("GET", "/sobjects/Account/describe")
    second = salesforce_sandbox.api("GET", "/sobjects/Account/Revgate_Id__c/nobody")
    assert first.headers["sforce-limit-info"] == "api-usage=1/15000"
    assert second.status_code == 404
    assert second.headers["sforce-limit-info"] == "api-usage=2/15000"
    salesforce_sandbox.reset()
    assert salesforce_sandbox.api("GET", "/limits").headers["sforce-limit-info"] == "api-usage=1/15000"


def test_reset_restores_the_seed(salesforce_sandbox: SalesforceSandbox) -> None:
    before = salesforce_sandbox.query("SELECT Id, Name FROM Account").json()["records"]
    salesforce_sandbox.api("POST", "/sobjects/Account", json={"Name": "Transient Ltd"})
    salesforce_sandbox.api("DELETE", f"/sobjects/Account/{before[0]['Id']}")
    salesforce_sandbox.reset()
    assert salesforce_sandbox.query("SELECT Id, Name FROM Account").json()["records"] == before


# --- Faults ------------------------------------------------------------------------------------


def test_fault_shapes(salesforce_sandbox: SalesforceSandbox) -> None:
    salesforce_sandbox.token()
    salesforce_sandbox.set_faults(throttle=True, throttleRetryAfter=7)
    throttled = salesforce_sandbox.api("GET", "/sobjects/Account/describe")
    assert throttled.status_code == 403
    assert throttled.json() == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert throttled.headers["retry-after"] == "7"
    assert "sforce-limit-info" in throttled.headers

    salesforce_sandbox.set_faults(outage=True)
    down = salesforce_sandbox.api("GET", "/sobjects/Account/describe")
    assert down.status_code == 503
    assert down.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"

    salesforce_sandbox.set_faults(errorRate=1.0)
    broken = salesforce_sandbox.api("GET", "/sobjects/Account/describe")
    assert broken.status_code == 500
    assert broken.json()[0]["errorCode"] == "UNKNOWN_EXCEPTION"

    salesforce_sandbox.set_faults()
    assert salesforce_sandbox.api("GET", "/sobjects/Account/describe").status_code == 200
