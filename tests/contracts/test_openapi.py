"""The committed OpenAPI documents are what the service apps generate, and say what they enforce."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contracts.problem import PROBLEM_MEDIA_TYPE
from services.openapi_export import OPENAPI_DIR, generated

DOCUMENTS = generated()


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_committed_document_matches_the_code(name: str) -> None:
    committed = OPENAPI_DIR / name
    assert committed.exists(), f"{name} is not committed; run `make openapi`"
    assert committed.read_text() == DOCUMENTS[name], f"{name} drifted from the code; run `make openapi`"


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in doc["paths"].items() for method, op in item.items()]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_error_response_is_a_problem(name: str) -> None:
    doc = json.loads(DOCUMENTS[name])
    for path, method, op in _operations(doc):
        errors = {code: r for code, r in op["responses"].items() if int(code) >= 400}
        assert errors, f"{method} {path} documents no error"
        for code, response in errors.items():
            assert list(response["content"]) == [PROBLEM_MEDIA_TYPE], f"{method} {path} {code}"


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_operation_names_its_scope(name: str) -> None:
    doc = json.loads(DOCUMENTS[name])
    for path, method, op in _operations(doc):
        scopes = [s for requirement in op["security"] for s in requirement["oauth2"]]
        assert scopes, f"{method} {path} has no scope"
        declared = doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["scopes"]
        assert set(scopes) <= set(declared)


def test_request_schemas_refuse_unknown_fields_and_keep_strict_types() -> None:
    doc = json.loads(DOCUMENTS["customer-master.v2.json"])
    schemas = doc["components"]["schemas"]
    for name in ("CustomerCreate", "CustomerUpdate", "Address", "TaxRegistration", "Contact"):
        assert schemas[name]["additionalProperties"] is False, name
    assert schemas["CustomerCreate"]["properties"]["billCycleDay"]["type"] == "integer"
    # RFC 9457 asks consumers to accept problem members they do not know.
    assert "additionalProperties" not in schemas["Problem"]


def test_v2_is_a_breaking_evolution_of_v1() -> None:
    v1 = json.loads(DOCUMENTS["customer-master.v1.json"])["components"]["schemas"]["CustomerCreate"]
    v2 = json.loads(DOCUMENTS["customer-master.v2.json"])["components"]["schemas"]["CustomerCreate"]
    assert {"billingStreet", "taxId"} <= set(v1["properties"])
    assert not {"billingStreet", "taxId"} & set(v2["properties"])
    assert "billTo" in v2["required"]
