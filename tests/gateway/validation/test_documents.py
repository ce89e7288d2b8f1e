"""Every request body of every committed document gets the fast path, and valid bodies take it."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema_rs
import msgspec
import pytest
from jsonschema import Draft202012Validator

from bench.gateway_vs_nginx import CREATE_BODY
from gateway._body_types import explain_compile, pattern_words, translate_pattern
from gateway.problems import GatewayProblem
from gateway.validation import BodySchema
from tests.gateway.validation._bodies import DOCUMENTS, SEEDS, RequestBody, request_bodies

BODIES = request_bodies()


def _walk(value: Any, key: str) -> list[Any]:
    """Every value of ``key`` anywhere in ``value``."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key:
                found.append(v)
            found.extend(_walk(v, key))
    elif isinstance(value, list):
        for v in value:
            found.extend(_walk(v, key))
    return found


def _documents() -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(DOCUMENTS.glob("*.json"))]


def test_the_documents_have_request_bodies() -> None:
    assert len(BODIES) >= 6
    assert {b.id for b in BODIES} == set(SEEDS), "a new operation with a body: give it seeds in _bodies.py"


@pytest.mark.parametrize("body", BODIES, ids=lambda b: b.id)
def test_every_request_body_compiles_to_a_fast_path(body: RequestBody) -> None:
    # explain_compile says what is unsupported, should a document grow a new construct
    compiled = explain_compile(body.schema, body.components)
    assert not compiled.skips_unknown  # every object of the documents is closed
    assert BodySchema(body.schema, body.components).has_fast_path


@pytest.mark.parametrize("body", BODIES, ids=lambda b: b.id)
def test_valid_bodies_are_accepted_by_the_fast_path_itself(body: RequestBody) -> None:
    schema = BodySchema(body.schema, body.components)
    validator = Draft202012Validator({**body.schema, "components": body.components})
    for seed in SEEDS[body.id]:
        assert validator.is_valid(seed), seed  # the seed itself is valid
        schema.check(json.dumps(seed).encode())
        schema.check(json.dumps(seed, ensure_ascii=False, indent=2).encode())
    assert schema.fallbacks == 0


def test_the_benchmark_body_takes_the_fast_path() -> None:
    (body,) = [b for b in BODIES if b.id == "customer-master.v2.json:POST /v2/customers"]
    schema = BodySchema(body.schema, body.components)
    encoded = json.dumps(CREATE_BODY).encode()
    assert 900 < len(encoded) < 1200
    schema.check(encoded)
    assert schema.fallbacks == 0
    # and the fallback is still there, and counted, for what the fast path refuses
    schema.check(json.dumps({**CREATE_BODY, "billCycleDay": 15.0}).encode())  # valid: 15.0 is an integer
    assert schema.fallbacks == 1


def test_every_pattern_of_the_documents_is_translated() -> None:
    patterns = {p for d in _documents() for p in _walk(d, "pattern")}
    assert len(patterns) >= 8
    for pattern in patterns:
        translated = translate_pattern(pattern)
        assert "$" not in translated
        assert re.compile(translated)


def test_the_country_code_is_checked_as_a_literal() -> None:
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    assert pattern_words("^[A-Z]{2}$") == frozenset(a + b for a in letters for b in letters)
    assert pattern_words("^[A-Z]{2}[0-9]{2}$") is None  # 67 600: more than is worth a Literal


FORMATS = [
    "date",
    "date-time",
    "time",
    "email",
    "uuid",
    "uri",
    "ipv4",
    "ipv6",
    "hostname",
    "regex",
    "duration",
]


@pytest.mark.parametrize("fmt", sorted({*FORMATS, *(f for d in _documents() for f in _walk(d, "format"))}))
def test_neither_validator_asserts_format(fmt: str) -> None:
    # The compiler ignores "format" only because the validators treat it as an annotation
    # (Draft 2020-12's default). Should either start asserting it, the compiler must refuse it.
    schema = {"type": "string", "format": fmt}
    assert jsonschema_rs.Draft202012Validator(schema, offline=True).is_valid("(not a valid anything")
    assert Draft202012Validator(schema).is_valid("(not a valid anything")


def test_the_typed_decoder_and_the_plain_one_read_numbers_alike() -> None:
    # The fast path relies on msgspec reading a number the same way typed or not.
    for text in (b"0.1", b"1e-7", b"123456789.123456789", b"-0.0", b"1.7976931348623157e308", b"5e-324"):
        assert msgspec.json.decode(text, type=float) == msgspec.json.decode(text)


def _create_customer() -> BodySchema:
    (body,) = [b for b in BODIES if b.id == "customer-master.v2.json:POST /v2/customers"]
    return BodySchema(body.schema, body.components)


def test_a_code_with_a_trailing_newline_is_refused_where_it_is() -> None:
    # jsonschema runs patterns with Python's re, whose "$" also matches before a final newline;
    # the schema means ECMA-262, as jsonschema-rs does. The body must not reach the service.
    bad = json.loads(json.dumps(CREATE_BODY))
    bad["billTo"]["country"] = "GB\n"
    with pytest.raises(GatewayProblem) as refused:
        _create_customer().check(json.dumps(bad).encode())
    assert refused.value.slug == "invalid-body"
    assert [param.pointer for param in refused.value.errors or ()] == ["/billTo/country"]


def test_a_body_that_is_not_utf8_is_a_bad_request() -> None:
    with pytest.raises(GatewayProblem) as refused:
        _create_customer().check(b'{"name": "Acme \xff"}')
    assert (refused.value.slug, refused.value.status) == ("invalid-request", 400)
