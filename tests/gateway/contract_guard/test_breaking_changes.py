"""Each kind of breaking change, made to a copy of a committed document, is found where consumers meet it;
additive changes pass."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from gateway.contract_guard import Finding, breaking_changes
from tests.gateway.contract_guard._documents import OPENAPI_DIR, committed, operation, parameter, schema

Change = Callable[[dict[str, Any]], object]

CUSTOMERS = "/v2/customers"
CUSTOMER = "/v2/customers/{customer_id}"
JSON_BODY = "request body (application/json)"


@dataclass(frozen=True)
class Breaking:
    name: str
    change: Change
    kinds: frozenset[str]
    where: tuple[str, str, str]
    """(operation, location, field) of one finding that must be there."""
    pointer: str | None = None
    document: str = "customer-master.v2.json"
    start: Change | None = None
    """Applied to both versions first, to start from a variant of the committed document."""


def _add_property(name: str, property_schema: dict[str, Any], *, required: bool) -> Change:
    def change(document: dict[str, Any]) -> None:
        target = schema(document, name)
        target["properties"]["website"] = property_schema
        if required:
            target["required"].append("website")

    return change


def _add_query_parameter(*, required: bool) -> Change:
    def change(document: dict[str, Any]) -> None:
        operation(document, CUSTOMERS, "get")["parameters"].append(
            {"in": "query", "name": "tenant", "required": required, "schema": {"type": "string"}}
        )

    return change


def _rename_media_type(document: dict[str, Any]) -> None:
    content = operation(document, CUSTOMERS, "post")["requestBody"]["content"]
    content["application/vnd.revgate+json"] = content.pop("application/json")


def _rename_response_media_type(document: dict[str, Any]) -> None:
    content = operation(document, CUSTOMER, "get")["responses"]["200"]["content"]
    content["application/hal+json"] = content.pop("application/json")


def _make_recursive(document: dict[str, Any]) -> None:
    # a customer's parent is a customer: a cycle the comparison must not follow forever
    schema(document, "Customer")["properties"]["parent"] = {
        "oneOf": [{"$ref": "#/components/schemas/Customer"}, {"type": "null"}]
    }


BREAKING = [
    Breaking(
        "path removed",
        lambda d: d["paths"].pop(CUSTOMER),
        frozenset({"path-removed"}),
        (f"PATCH {CUSTOMER}", "", ""),
        pointer="/paths/~1v2~1customers~1{customer_id}",
    ),
    Breaking(
        "path renamed",
        lambda d: d["paths"].update({"/v2/clients": d["paths"].pop(CUSTOMERS)}),
        frozenset({"path-removed"}),
        (f"POST {CUSTOMERS}", "", ""),
    ),
    Breaking(
        "operation removed",
        lambda d: d["paths"][CUSTOMER].pop("patch"),
        frozenset({"operation-removed"}),
        (f"PATCH {CUSTOMER}", "", ""),
    ),
    Breaking(
        "operation renamed",
        lambda d: operation(d, CUSTOMER, "get").update(operationId="fetchCustomer"),
        frozenset({"operation-id-changed"}),
        (f"GET {CUSTOMER}", "", ""),
    ),
    Breaking(
        "response field removed",
        lambda d: (
            schema(d, "Customer")["properties"].pop("currency"),
            schema(d, "Customer")["required"].remove("currency"),
        ),
        frozenset({"response-property-removed"}),
        (f"GET {CUSTOMER}", "response 200 (application/json)", "currency"),
        pointer="/components/schemas/Customer/properties/currency",
    ),
    Breaking(
        "field removed from a shared schema, found in every request and response that uses it",
        lambda d: schema(d, "Address")["properties"].pop("region"),
        frozenset({"response-property-removed", "request-property-removed"}),
        (f"PATCH {CUSTOMER}", JSON_BODY, "soldTo.region"),
        pointer="/components/schemas/Address/properties/region",
    ),
    Breaking(
        "response enum value removed",
        lambda d: schema(d, "ExternalId")["properties"]["kind"]["enum"].remove("customer"),
        frozenset({"response-enum-value-removed"}),
        (f"GET {CUSTOMERS}", "response 200 (application/json)", "items[].externalIds[].kind"),
    ),
    Breaking(
        "response enum value added",
        lambda d: schema(d, "ExternalId")["properties"]["system"]["enum"].append("stripe"),
        frozenset({"response-enum-value-added"}),
        (f"GET {CUSTOMER}", "response 200 (application/json)", "externalIds[].system"),
    ),
    Breaking(
        "response field may now be missing",
        lambda d: schema(d, "Customer")["required"].remove("name"),
        frozenset({"response-property-became-optional"}),
        (f"POST {CUSTOMERS}", "response 201 (application/json)", "name"),
    ),
    Breaking(
        "response field may now be null",
        lambda d: schema(d, "Customer")["properties"].update(
            legalEntity={"oneOf": [{"type": "string"}, {"type": "null"}]}
        ),
        frozenset({"response-type-widened"}),
        (f"GET {CUSTOMER}", "response 200 (application/json)", "legalEntity"),
    ),
    Breaking(
        "response type changed",
        lambda d: schema(d, "Order")["properties"]["termMonths"].update(type="string"),
        frozenset({"response-type-widened"}),
        ("GET /v1/orders/{order_id}", "response 200 (application/json)", "termMonths"),
        pointer="/components/schemas/Order/properties/termMonths/type",
        document="order-submission.v1.json",
    ),
    Breaking(
        "response constraint loosened",
        lambda d: schema(d, "Order")["properties"]["termMonths"].update(maximum=120),
        frozenset({"response-constraint-widened"}),
        ("GET /v1/orders/{order_id}", "response 200 (application/json)", "termMonths"),
        pointer="/components/schemas/Order/properties/termMonths/maximum",
        document="order-submission.v1.json",
    ),
    Breaking(
        "response pattern dropped",
        lambda d: schema(d, "Customer")["properties"]["id"].pop("pattern"),
        frozenset({"response-pattern-widened"}),
        (f"GET {CUSTOMER}", "response 200 (application/json)", "id"),
    ),
    Breaking(
        "response gains an alternative shape",
        lambda d: schema(d, "Customer")["properties"]["billingContact"]["oneOf"].insert(
            1, {"$ref": "#/components/schemas/Address"}
        ),
        frozenset({"response-variant-added"}),
        (f"GET {CUSTOMER}", "response 200 (application/json)", "billingContact"),
    ),
    Breaking(
        "request field removed",
        lambda d: schema(d, "CustomerCreate")["properties"].pop("industry"),
        frozenset({"request-property-removed"}),
        (f"POST {CUSTOMERS}", JSON_BODY, "industry"),
        pointer="/components/schemas/CustomerCreate/properties/industry",
    ),
    Breaking(
        "request enum value removed",
        lambda d: schema(d, "CustomerCreate")["properties"]["paymentTerms"]["enum"].remove("NET60"),
        frozenset({"request-enum-value-removed"}),
        (f"POST {CUSTOMERS}", JSON_BODY, "paymentTerms"),
    ),
    Breaking(
        "new required request field",
        _add_property("CustomerCreate", {"type": "string"}, required=True),
        frozenset({"request-property-added-required"}),
        (f"POST {CUSTOMERS}", JSON_BODY, "website"),
    ),
    Breaking(
        "request field became required",
        lambda d: schema(d, "CustomerCreate")["required"].append("industry"),
        frozenset({"request-property-became-required"}),
        (f"POST {CUSTOMERS}", JSON_BODY, "industry"),
        pointer="/components/schemas/CustomerCreate/required",
    ),
    Breaking(
        "new required parameter",
        _add_query_parameter(required=True),
        frozenset({"parameter-added-required"}),
        (f"GET {CUSTOMERS}", "query parameter tenant", ""),
    ),
    Breaking(
        "parameter became required",
        lambda d: parameter(d, CUSTOMERS, "get", "namePrefix").update(required=True),
        frozenset({"parameter-became-required"}),
        (f"GET {CUSTOMERS}", "query parameter namePrefix", ""),
    ),
    Breaking(
        "parameter removed",
        lambda d: operation(d, CUSTOMERS, "get")["parameters"].remove(
            parameter(d, CUSTOMERS, "get", "salesforceId")
        ),
        frozenset({"parameter-removed"}),
        (f"GET {CUSTOMERS}", "query parameter salesforceId", ""),
    ),
    Breaking(
        "header parameter narrowed",
        lambda d: parameter(d, "/v1/orders", "post", "Idempotency-Key")["schema"].update(maxLength=64),
        frozenset({"request-constraint-narrowed"}),
        ("POST /v1/orders", "header parameter Idempotency-Key", ""),
        document="order-submission.v1.json",
    ),
    Breaking(
        "request type narrowed",
        lambda d: schema(d, "CustomerCreate")["properties"]["billCycleDay"].update(type="string"),
        frozenset({"request-type-narrowed"}),
        (f"POST {CUSTOMERS}", JSON_BODY, "billCycleDay"),
    ),
    Breaking(
        "request no longer takes null",
        lambda d: schema(d, "CustomerCreate")["properties"].update(industry={"type": "string"}),
        frozenset({"request-type-narrowed"}),
        (f"POST {CUSTOMERS}", JSON_BODY, "industry"),
    ),
    Breaking(
        "maxLength lowered",
        lambda d: schema(d, "CustomerCreate")["properties"]["name"].update(maxLength=100),
        frozenset({"request-constraint-narrowed"}),
        (f"POST {CUSTOMERS}", JSON_BODY, "name"),
        pointer="/components/schemas/CustomerCreate/properties/name/maxLength",
    ),
    Breaking(
        "minLength raised in a shared schema",
        lambda d: schema(d, "Address")["properties"]["city"].update(minLength=3),
        frozenset({"request-constraint-narrowed"}),  # tighter in responses: the server promises more
        (f"POST {CUSTOMERS}", JSON_BODY, "billTo.city"),
    ),
    Breaking(
        "minimum raised",
        lambda d: parameter(d, CUSTOMERS, "get", "limit")["schema"].update(minimum=5),
        frozenset({"request-constraint-narrowed"}),
        (f"GET {CUSTOMERS}", "query parameter limit", ""),
    ),
    Breaking(
        "maximum lowered",
        lambda d: schema(d, "CustomerCreate")["properties"]["billCycleDay"].update(maximum=27),
        frozenset({"request-constraint-narrowed"}),
        (f"POST {CUSTOMERS}", JSON_BODY, "billCycleDay"),
    ),
    Breaking(
        "pattern changed",
        lambda d: schema(d, "CustomerCreate")["properties"]["currency"].update(pattern="^(USD|EUR)$"),
        frozenset({"request-pattern-narrowed"}),
        (f"POST {CUSTOMERS}", JSON_BODY, "currency"),
    ),
    Breaking(
        "additionalProperties tightened",
        lambda d: schema(d, "CustomerCreate").update(additionalProperties=False),
        frozenset({"request-additional-properties-tightened"}),
        (f"POST {CUSTOMERS}", JSON_BODY, ""),
        start=lambda d: schema(d, "CustomerCreate").pop("additionalProperties"),
    ),
    Breaking(
        "scope added to an operation",
        lambda d: operation(d, CUSTOMERS, "get")["security"][0]["oauth2"].append("customers:write"),
        frozenset({"scope-added"}),
        (f"GET {CUSTOMERS}", "security", ""),
    ),
    Breaking(
        "scope removed from an operation",
        lambda d: operation(d, CUSTOMERS, "post")["security"][0]["oauth2"].remove("customers:write"),
        frozenset({"scope-removed"}),
        (f"POST {CUSTOMERS}", "security", ""),
    ),
    Breaking(
        "operation that took no token now takes one",
        lambda d: operation(d, CUSTOMERS, "get").update(security=[{"oauth2": ["customers:read"]}]),
        frozenset({"authentication-added", "scope-added"}),
        (f"GET {CUSTOMERS}", "security", ""),
        start=lambda d: operation(d, CUSTOMERS, "get").update(security=[]),
    ),
    Breaking(
        "scope removed from the security scheme",
        lambda d: d["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["scopes"].pop(
            "customers:write"
        ),
        frozenset({"security-scope-removed"}),
        ("", "security scheme oauth2 (clientCredentials flow)", ""),
    ),
    Breaking(
        "documented status code removed",
        lambda d: operation(d, CUSTOMERS, "post")["responses"].pop("409"),
        frozenset({"response-status-removed"}),
        (f"POST {CUSTOMERS}", "response 409", ""),
    ),
    Breaking(
        "success status changed",
        lambda d: operation(d, "/v1/orders", "post")["responses"].update(
            {"201": operation(d, "/v1/orders", "post")["responses"].pop("202")}
        ),
        frozenset({"response-status-removed"}),
        ("POST /v1/orders", "response 202", ""),
        document="order-submission.v1.json",
    ),
    Breaking(
        "request media type changed",
        _rename_media_type,
        frozenset({"request-media-type-removed"}),
        (f"POST {CUSTOMERS}", "request body", ""),
    ),
    Breaking(
        "response media type changed",
        _rename_response_media_type,
        frozenset({"response-media-type-removed"}),
        (f"GET {CUSTOMER}", "response 200", ""),
    ),
    Breaking(
        "response header removed",
        lambda d: operation(d, CUSTOMERS, "post")["responses"]["201"]["headers"].pop("Location"),
        frozenset({"response-header-removed"}),
        (f"POST {CUSTOMERS}", "response 201 header Location", ""),
    ),
    Breaking(
        "request body removed",
        lambda d: operation(d, CUSTOMER, "patch").pop("requestBody"),
        frozenset({"request-body-removed"}),
        (f"PATCH {CUSTOMER}", "request body", ""),
    ),
    Breaking(
        "field removed from a recursive schema",
        lambda d: (
            schema(d, "Customer")["properties"].pop("currency"),
            schema(d, "Customer")["required"].remove("currency"),
        ),
        frozenset({"response-property-removed"}),
        (f"GET {CUSTOMER}", "response 200 (application/json)", "currency"),
        start=_make_recursive,
    ),
]


def _findings(case: Breaking) -> list[Finding]:
    before = committed(case.document)
    if case.start is not None:
        case.start(before)
    after = copy.deepcopy(before)
    case.change(after)
    return breaking_changes(before, after)


@pytest.mark.parametrize("case", BREAKING, ids=[case.name for case in BREAKING])
def test_breaking_change_is_found_where_consumers_meet_it(case: Breaking) -> None:
    findings = _findings(case)
    assert {finding.kind for finding in findings} == case.kinds, findings
    places = [(finding.operation, finding.location, finding.field) for finding in findings]
    assert case.where in places, places
    if case.pointer is not None:
        assert case.pointer in {finding.pointer for finding in findings}
    for finding in findings:
        assert finding.change
        assert finding.reason


def test_a_shared_schema_change_is_reported_at_every_use() -> None:
    (case,) = [case for case in BREAKING if case.name.startswith("field removed from a shared schema")]
    places = {(f.operation, f.location, f.field) for f in _findings(case)}
    assert places >= {
        (f"POST {CUSTOMERS}", JSON_BODY, "billTo.region"),
        (f"POST {CUSTOMERS}", JSON_BODY, "soldTo.region"),
        (f"POST {CUSTOMERS}", "response 201 (application/json)", "billTo.region"),
        (f"GET {CUSTOMER}", "response 200 (application/json)", "soldTo.region"),
        (f"PATCH {CUSTOMER}", JSON_BODY, "billTo.region"),
    }


def test_a_recursive_schema_is_compared_once_per_path_through_it() -> None:
    (case,) = [case for case in BREAKING if case.name == "field removed from a recursive schema"]
    fields = {f.field for f in _findings(case) if f.operation == f"GET {CUSTOMER}"}
    assert fields == {"currency"}


def test_a_removed_request_field_says_whether_it_is_refused_or_ignored() -> None:
    (case,) = [case for case in BREAKING if case.name == "request field removed"]
    (finding,) = _findings(case)
    assert "refused" in finding.reason  # CustomerCreate takes no other fields


ADDITIVE: dict[str, Change] = {
    "new path": lambda d: d["paths"].update(
        {"/v2/customers/{customer_id}/notes": {"get": copy.deepcopy(operation(d, CUSTOMER, "get"))}}
    ),
    "new operation": lambda d: d["paths"][CUSTOMER].update(
        delete=copy.deepcopy(operation(d, CUSTOMER, "get"))
    ),
    "new optional request field": _add_property("CustomerCreate", {"type": "string"}, required=False),
    "new response field": _add_property("Customer", {"type": "string"}, required=True),
    "new optional parameter": _add_query_parameter(required=False),
    "new enum value in a request": lambda d: schema(d, "CustomerCreate")["properties"]["paymentTerms"][
        "enum"
    ].append("NET90"),
    "request maxLength raised": lambda d: schema(d, "CustomerCreate")["properties"]["name"].update(
        maxLength=500
    ),
    "request maximum raised": lambda d: parameter(d, CUSTOMERS, "get", "limit")["schema"].update(maximum=200),
    "request field may be null": lambda d: schema(d, "CustomerCreate")["properties"]["currency"].update(
        type=["string", "null"]
    ),
    "request field became optional": lambda d: schema(d, "CustomerCreate")["required"].remove("legalEntity"),
    "request pattern dropped": lambda d: schema(d, "CustomerCreate")["properties"]["currency"].pop("pattern"),
    "response constraint tightened": lambda d: schema(d, "Customer")["properties"]["billCycleDay"].update(
        minimum=1, maximum=28
    ),
    "new status code": lambda d: operation(d, CUSTOMERS, "post")["responses"].update(
        {"429": copy.deepcopy(operation(d, CUSTOMERS, "post")["responses"]["409"])}
    ),
    "new request media type": lambda d: operation(d, CUSTOMER, "patch")["requestBody"]["content"].update(
        {"application/merge-patch+json": {"schema": {"$ref": "#/components/schemas/CustomerUpdate"}}}
    ),
    "new scope in the security scheme": lambda d: d["components"]["securitySchemes"]["oauth2"]["flows"][
        "clientCredentials"
    ]["scopes"].update({"customers:admin": "Administer customers"}),
    "words only": lambda d: (
        operation(d, CUSTOMERS, "get").update(summary="List customers"),
        schema(d, "Customer").update(description="A customer."),
    ),
}


@pytest.mark.parametrize("name", sorted(ADDITIVE))
def test_additive_change_passes(name: str) -> None:
    before = committed()
    after = copy.deepcopy(before)
    ADDITIVE[name](after)
    assert after != before
    assert breaking_changes(before, after) == []


@pytest.mark.parametrize("name", sorted(path.name for path in OPENAPI_DIR.glob("*.json")))
def test_a_document_does_not_break_itself(name: str) -> None:
    assert breaking_changes(committed(name), committed(name)) == []


def test_a_pattern_that_spells_out_an_ecma_262_shorthand_is_unchanged() -> None:
    before = committed()
    schema(before, "Contact")["properties"]["email"]["pattern"] = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    spelled = copy.deepcopy(before)
    space = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
    schema(spelled, "Contact")["properties"]["email"]["pattern"] = (
        f"^[^@{space}]+@[^@{space}]+\\.[^@{space}]+$"
    )
    assert breaking_changes(before, spelled) == []
    changed = copy.deepcopy(before)
    schema(changed, "Contact")["properties"]["email"]["pattern"] = r"^[^@\s]+@[^@\s]+$"
    kinds = {finding.kind for finding in breaking_changes(before, changed)}
    assert kinds == {"request-pattern-narrowed", "response-pattern-widened"}
