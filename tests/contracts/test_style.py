"""The API style rules hold for every document revgate publishes (docs/api-style.md).

Spectral (installed by ``make install`` into ``.tools/``) checks the rules of ``.spectral.yaml`` on the
committed documents and on the gateway's ``/openapi.json``. The examples are checked here with
jsonschema: Spectral validates OpenAPI's singular ``example`` and ``default`` only, not the JSON
Schema ``examples`` lists that ``msgspec.Meta(examples=...)`` produces. Every rule is shown to
catch the breach it is there for, on a copy of a real document broken in that one way.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from jsonschema import Draft202012Validator

from gateway.public_document import merged_document
from services.openapi_export import OPENAPI_DIR
from tests.fixtures.stack import RunningStack

ROOT = Path(__file__).resolve().parents[2]
SPECTRAL = ROOT / ".tools" / "node_modules" / ".bin" / "spectral"
RULESET = ROOT / ".spectral.yaml"
COMMITTED = sorted(OPENAPI_DIR.glob("*.json"))
#: Every finding, warnings included, as JSON.
LINT = ("lint", "--ruleset", str(RULESET), "--format", "json", "--quiet", "--fail-severity", "warn")

Document = dict[str, Any]


class Finding(msgspec.Struct):
    """One result of ``spectral lint --format json``."""

    code: str
    message: str
    path: list[str | int]
    source: str

    def __str__(self) -> str:
        return f"{self.code} at {'.'.join(map(str, self.path))}: {self.message}"


def spectral(paths: Sequence[Path]) -> dict[Path, list[Finding]]:
    """Spectral's findings (warnings included) for each of these documents."""
    if not SPECTRAL.exists():
        pytest.fail(f"Spectral is not installed at {SPECTRAL.relative_to(ROOT)}: run `make install`")
    run = subprocess.run([SPECTRAL, *LINT, *paths], capture_output=True, text=True, timeout=120, check=False)
    findings = msgspec.json.decode(run.stdout or "[]", type=list[Finding]) if run.returncode < 2 else []
    if run.returncode not in (0, 1) or (run.returncode == 1 and not findings):
        pytest.fail(f"spectral failed ({run.returncode}): {run.stderr or run.stdout}")
    by_path: dict[Path, list[Finding]] = {path.resolve(): [] for path in paths}
    for finding in findings:
        by_path[Path(finding.source).resolve()].append(finding)
    return by_path


def _is_schema(node: dict[str, Any]) -> bool:
    return any(key in node for key in ("type", "$ref", "oneOf", "anyOf", "allOf", "enum", "const"))


def _examples(node: Any, where: str, *, property_map: bool = False) -> Iterator[tuple[str, Any, Any]]:
    """(location, schema, value) of every example and default in a document."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _examples(item, f"{where}/{index}")
        return
    if not isinstance(node, dict):
        return
    if not property_map and _is_schema(node):
        schema = {key: value for key, value in node.items() if key not in ("examples", "default")}
        for index, value in enumerate(node.get("examples") or []):
            yield f"{where}/examples/{index}", schema, value
        if "default" in node:
            yield f"{where}/default", schema, node["default"]
    if not property_map and isinstance(node.get("schema"), dict):  # a media type, parameter or header
        if "example" in node:
            yield f"{where}/example", node["schema"], node["example"]
        for name, example in (node.get("examples") or {}).items():
            if "value" in example:
                yield f"{where}/examples/{name}", node["schema"], example["value"]
    for key, value in node.items():
        yield from _examples(value, f"{where}/{key}", property_map=key == "properties" and not property_map)


def example_errors(document: Document) -> list[str]:
    """Every example (and default) of the document that its schema refuses, with where it is."""
    errors = []
    for where, schema, value in _examples(document, "#"):
        # The schema's references point into the document: give it the document's components.
        whole = {**schema, "components": document.get("components", {})}
        validator = Draft202012Validator(whole, format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors += [f"{where}: {error.message}" for error in validator.iter_errors(value)]
    return errors


@pytest.fixture(scope="module")
def committed_findings() -> dict[Path, list[Finding]]:
    return spectral(COMMITTED)


@pytest.mark.parametrize("path", COMMITTED, ids=lambda path: path.name)
def test_committed_document_follows_the_style_rules(
    path: Path, committed_findings: dict[Path, list[Finding]]
) -> None:
    findings = committed_findings[path.resolve()]
    assert not findings, "\n".join(map(str, findings))


@pytest.mark.parametrize("path", COMMITTED, ids=lambda path: path.name)
def test_committed_document_examples_fit_their_schemas(path: Path) -> None:
    document = json.loads(path.read_text())
    assert example_errors(document) == []
    assert len(list(_examples(document, "#"))) >= 8  # the ids' and the problem's examples at least


def test_gateway_document_follows_the_style_rules(revgate_stack: RunningStack, tmp_path: Path) -> None:
    answer = httpx.get(f"{revgate_stack.gateway_url}/openapi.json")
    answer.raise_for_status()
    document = answer.json()
    path = tmp_path / "gateway.openapi.json"
    path.write_text(json.dumps(document))
    findings = spectral([path])[path.resolve()]
    assert not findings, "\n".join(map(str, findings))
    assert example_errors(document) == []
    assert len(document["paths"]) >= 8  # every capability is in it, not an empty document that passes


# Breaches of the rules, each on a copy of a committed document: (document, rule expected, change).
Change = Callable[[Document], None]


def _op(document: Document, path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"][path][method]
    return operation


def _get_order(document: Document) -> dict[str, Any]:
    return _op(document, "/v1/orders/{order_id}", "get")


def _submit_order(document: Document) -> dict[str, Any]:
    return _op(document, "/v1/orders", "post")


def _rename_query_parameter(document: Document) -> None:
    for parameter in _op(document, "/v2/customers", "get")["parameters"]:
        if parameter["name"] == "namePrefix":
            parameter["name"] = "name_prefix"


def _idempotency_key(document: Document) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = _submit_order(document)["parameters"]
    [parameter] = [p for p in parameters if p["name"] == "Idempotency-Key"]
    return parameter


def _snake_case_property(document: Document) -> None:
    order = document["components"]["schemas"]["Order"]
    order["properties"]["created_at"] = order["properties"].pop("createdAt")
    order["required"] = ["created_at" if name == "createdAt" else name for name in order["required"]]


def _gateway_document() -> Document:
    """The gateway's merged document of the committed documents, as ``GET /openapi.json`` serves it."""
    documents = {}
    for path in COMMITTED:
        capability, major, _json = path.name.rsplit(".", 2)
        documents[capability, int(major[1:])] = json.loads(path.read_text())
    return merged_document(documents, set(), "http://127.0.0.1/oauth2/token")


ORDERS = "order-submission.v1.json"
GATEWAY = "the gateway's merged document"
BREACHES: dict[str, tuple[str, str, Change]] = {
    "operationId missing": (ORDERS, "operation-operationId", lambda d: _get_order(d).pop("operationId")),
    "operationId not verb first": (
        ORDERS,
        "revgate-operation-id-verb",
        lambda d: _get_order(d).update(operationId="orderGet"),
    ),
    "operationId snake_case": (
        ORDERS,
        "revgate-operation-id-verb",
        lambda d: _get_order(d).update(operationId="get_order"),
    ),
    "operationId twice": (
        ORDERS,
        "operation-operationId-unique",
        lambda d: _op(d, "/v1/orders/{order_id}/resume", "post").update(operationId="getOrder"),
    ),
    "no tags": (ORDERS, "operation-tags", lambda d: _get_order(d).pop("tags")),
    "undeclared tag": (ORDERS, "operation-tag-defined", lambda d: _get_order(d).update(tags=["widgets"])),
    "no summary": (ORDERS, "revgate-operation-summary", lambda d: _get_order(d).pop("summary")),
    "snake_case property": (ORDERS, "revgate-property-camel-case", _snake_case_property),
    "snake_case query parameter": (
        "customer-master.v2.json",
        "revgate-query-parameter-camel-case",
        _rename_query_parameter,
    ),
    "snake_case schema name": (
        ORDERS,
        "revgate-schema-name-pascal-case",
        lambda d: d["components"]["schemas"].update(order_view={"type": "object"}),
    ),
    "schema with a title": (
        ORDERS,
        "revgate-schema-no-title",
        lambda d: d["components"]["schemas"]["Order"].update(title="Order"),
    ),
    "error as plain JSON": (
        ORDERS,
        "revgate-errors-are-problems",
        lambda d: _get_order(d)["responses"]["404"].update(
            content={"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        ),
    ),
    "error not a Problem": (
        ORDERS,
        "revgate-errors-are-problems",
        lambda d: _get_order(d)["responses"]["500"]["content"]["application/problem+json"].update(
            schema={"$ref": "#/components/schemas/Order"}
        ),
    ),
    "no 4xx answer": (
        ORDERS,
        "revgate-errors-documented",
        lambda d: _get_order(d).update(
            responses={k: v for k, v in _get_order(d)["responses"].items() if not k.startswith("4")}
        ),
    ),
    "no security": (ORDERS, "revgate-operation-scopes", lambda d: _get_order(d).pop("security")),
    "no scope": (
        ORDERS,
        "revgate-operation-scopes",
        lambda d: _get_order(d).update(security=[{"oauth2": []}]),
    ),
    "undeclared scope": (
        ORDERS,
        "oas3-operation-security-defined",
        lambda d: _get_order(d).update(security=[{"oauth2": ["orders:admin"]}]),
    ),
    "Idempotency-Key missing": (
        ORDERS,
        "revgate-idempotency-key-documented",
        lambda d: _submit_order(d).update(parameters=[]),
    ),
    "Idempotency-Key and no other parameter missing": (
        ORDERS,
        "revgate-idempotency-key-documented",
        lambda d: _submit_order(d).pop("parameters"),
    ),
    "Idempotency-Key missing in the gateway's document": (
        GATEWAY,
        "revgate-idempotency-key-documented",
        lambda d: _op(d, "/order-submission/v1/orders", "post").update(parameters=[]),
    ),
    "Idempotency-Key optional": (
        ORDERS,
        "revgate-idempotency-key-required",
        lambda d: _idempotency_key(d).update(required=False),
    ),
    "media example off its schema": (
        ORDERS,
        "oas3-valid-media-example",
        lambda d: _get_order(d)["responses"]["200"]["content"]["application/json"].update(
            examples={"wrong": {"value": {"id": 5}}}
        ),
    ),
}


@pytest.fixture(scope="module")
def breach_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    folder = tmp_path_factory.mktemp("breaches")
    paths = {}
    for index, (name, (source, _rule, change)) in enumerate(BREACHES.items()):
        document = (
            _gateway_document() if source == GATEWAY else json.loads((OPENAPI_DIR / source).read_text())
        )
        change(document)
        paths[name] = folder / f"breach-{index}.json"
        paths[name].write_text(json.dumps(document))
    findings = spectral(list(paths.values()))
    return {name: findings[path.resolve()] for name, path in paths.items()}


@pytest.mark.parametrize("breach", BREACHES)
def test_the_rules_catch_each_breach(breach: str, breach_findings: dict[str, list[Finding]]) -> None:
    rule = BREACHES[breach][1]
    assert rule in {finding.code for finding in breach_findings[breach]}, breach_findings[breach]


def test_an_example_off_its_schema_is_caught() -> None:
    document = json.loads((OPENAPI_DIR / ORDERS).read_text())
    schemas = document["components"]["schemas"]
    schemas["Order"]["properties"]["id"]["examples"] = ["order-1"]
    schemas["OrderLine"]["properties"]["quantity"]["examples"] = [0]
    _idempotency_key(document)["example"] = ""
    assert [error.split(":")[0] for error in example_errors(document)] == [
        "#/components/schemas/Order/properties/id/examples/0",
        "#/components/schemas/OrderLine/properties/quantity/examples/0",
        "#/paths//v1/orders/post/parameters/0/example",
    ]
