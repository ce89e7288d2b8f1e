"""The schema -> msgspec type compiler: what it refuses, and that what it accepts it enforces."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import msgspec
import pytest
from jsonschema import Draft202012Validator

from gateway._body_types import compile_body, compile_body_type, explain_compile

COMPONENTS: dict[str, Any] = {
    "schemas": {
        "Short": {"type": "string", "maxLength": 1},
        "Code": {"type": "string", "pattern": "^a"},
        "Obj": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
        "Node": {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}}},
        "Ping": {"type": "object", "properties": {"pong": {"$ref": "#/components/schemas/Pong"}}},
        "Pong": {"type": "array", "items": {"$ref": "#/components/schemas/Ping"}},
    }
}


def _encodings(instance: Any) -> list[bytes]:
    return [json.dumps(instance).encode(), json.dumps(instance, ensure_ascii=False).encode()]


def _fast_accepts(schema: Any, instance: Any) -> bool:
    decode = msgspec.json.Decoder(type=explain_compile(schema, COMPONENTS).type).decode
    verdicts = set()
    for body in _encodings(instance):
        try:
            decode(body)
        except msgspec.DecodeError:
            verdicts.add(False)
        else:
            verdicts.add(True)
    assert len(verdicts) == 1
    return verdicts.pop()


def _schema_accepts(schema: Any, instance: Any) -> bool:
    root = {**schema, "components": COMPONENTS} if isinstance(schema, dict) else schema
    rs = jsonschema_rs.Draft202012Validator(root, offline=True).is_valid(instance)
    py = Draft202012Validator(root).is_valid(instance)
    return bool(rs and py)


UNSUPPORTED: list[Any] = [
    {"anyOf": [{"type": "string"}, {"type": "null"}]},
    {"allOf": [{"type": "string"}]},
    {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    {"oneOf": [{"type": "string"}, {"type": "null"}, {"type": "integer"}]},
    {"oneOf": [{"type": ["string", "null"]}, {"type": "null"}]},  # null would match both branches
    {"oneOf": [{"type": "null"}, {"type": "null"}]},
    {"oneOf": [{"type": "string"}, {"type": ["null"]}]},
    {"oneOf": [{"type": "string"}, {"type": "null", "maxLength": 1}]},
    {"not": {"type": "string"}},
    {"type": "array", "uniqueItems": True},
    {"type": "integer", "multipleOf": 2},
    {"type": "object", "patternProperties": {"^a": {"type": "string"}}},
    {"type": "object", "propertyNames": {"maxLength": 3}},
    {"type": "object", "dependentRequired": {"a": ["b"]}},
    {"type": "object", "dependentSchemas": {"a": {"required": ["b"]}}},
    {"if": {"type": "string"}, "then": {"minLength": 1}},
    {"type": "object", "minProperties": 1},
    {"type": "object", "maxProperties": 1},
    {"type": "array", "prefixItems": [{"type": "string"}]},
    {"type": "array", "contains": {"type": "string"}},
    {"type": "array", "minContains": 1},
    {"type": "object", "unevaluatedProperties": False},
    {"type": "array", "unevaluatedItems": False},
    {"$defs": {"A": {"type": "string"}}},
    {"$id": "https://example.com/a", "type": "string"},
    {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "string"},
    {"$anchor": "a", "type": "string"},
    {"$dynamicRef": "#a"},
    {"$comment": "no", "type": "string"},
    {"type": "string", "nullable": True},
    {"type": "string", "x-extension": 1},
    {"type": "string", "contentEncoding": "base64"},
    {"enum": ["a", 1]},
    {"enum": [True, False]},
    {"enum": [None]},
    {"enum": [1.5]},
    {"enum": []},
    {"enum": "a"},
    {"const": None},
    {"const": {"a": 1}},
    {"const": 1.0},
    {"$ref": "#/components/schemas/Missing"},
    {"$ref": "other.json#/components/schemas/Short"},
    {"$ref": "#/$defs/Short"},
    {"$ref": "#/components/schemas/Sh~1ort"},
    {"$ref": "#/components/schemas/Node"},  # recursive
    {"$ref": "#/components/schemas/Ping"},  # recursive, through another
    {"type": "object", "properties": {"a": {}}, "additionalProperties": {"type": "string"}},
    {"type": "object", "properties": {}, "additionalProperties": {"type": "string"}},
    {"type": "object", "required": ["a"]},  # required, not among the properties
    {"type": "object", "properties": {"a": {}}, "required": ["a", "a"]},
    {"type": "object", "additionalProperties": {"type": "string"}, "required": ["a"]},
    {"type": "object", "properties": {"a": False}},
    False,
    {"type": "string", "pattern": "^\\d+$"},
    {"type": "string", "pattern": "^[a-z]+$|^\\w$"},
    {"type": "number", "maximum": 2**53},
    {"type": "number", "minimum": -(2**53)},
    {"type": "number", "exclusiveMaximum": 1e300},
    {"type": "string", "minLength": 1.0},
    {"type": "string", "maxLength": -1},
    {"type": "array", "maxItems": True},
    {"type": "integer", "minimum": "1"},
    {"type": "integer", "maximum": True},
    {"type": "foo"},
    {"type": []},
    {"type": ["string", 1]},
    {"$ref": "#/components/schemas/Code", "pattern": "^b"},  # two patterns
    {"$ref": "#/components/schemas/Obj", "properties": {"b": {"type": "string"}}},  # two objects
    {"type": "integer", "enum": ["a"]},  # nothing is valid
    {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Obj"}, "properties": {}},
]


@pytest.mark.parametrize("schema", UNSUPPORTED, ids=lambda s: json.dumps(s)[:70])
def test_anything_else_is_unsupported(schema: Any) -> None:
    assert compile_body_type(schema, COMPONENTS) is None


# (schema, instances the fast path accepts, instances it refuses)
ENFORCED: list[tuple[Any, list[Any], list[Any]]] = [
    ({}, ["a", 1, None, [1], {"a": 1}], []),
    ({"type": "string"}, ["a", "", "😀"], [1, None, True, [], {}]),
    ({"type": "integer"}, [0, -5, 10**20], [3.5, True, "1", None, [], 3.0]),  # 3.0: stricter than the schema
    ({"type": "number"}, [3, 3.5, -0.0, 10**20], [True, "3", None, []]),
    ({"type": "boolean"}, [True, False], [0, 1, "true", None]),
    ({"type": "null"}, [None], [0, "", False, []]),
    ({"type": ["string", "null"]}, ["a", None], [1, True]),
    ({"type": ["integer", "number"]}, [1, 1.5], ["1"]),
    (
        {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 2},
        [[1], [1, 2]],
        [[], [1, 2, 3], ["a"], [True], {}],
    ),
    ({"type": "array"}, [[], [1, "a", None, {"b": []}]], [{}, "a"]),
    (
        {
            "type": "object",
            "properties": {"a": {"type": "string"}},
            "required": ["a"],
            "additionalProperties": False,
        },
        [{"a": "x"}],
        [{}, {"a": "x", "b": 1}, {"a": 1}, {"a": None}, [], "a"],
    ),
    (
        {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
        [{"a": "x", "b": [1, {"c": None}]}],
        [{"b": 1}, {"a": 1, "b": 1}],
    ),
    (
        {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": True},
        [{"b": 1}],
        [{"a": 1}],
    ),
    (
        {"type": "object", "additionalProperties": {"type": "integer"}},
        [{}, {"x": 1, "y": 2}],
        [{"x": "1"}, {"x": True}, []],
    ),
    ({"type": "object", "additionalProperties": False}, [{}], [{"a": 1}]),
    ({"type": "object"}, [{}, {"a": [1]}], [[], "a"]),
    ({"type": "object", "properties": {"a": {"type": "integer"}}}, [{}, {"a": 1}], [{"a": None}, {"a": "1"}]),
    (
        {
            "type": "object",
            "properties": {
                "x-y": {"type": "integer"},
                "class": {"type": "string"},
                "_p": {"type": "boolean"},
                "with space": {"type": "null"},
                "ü": {"type": "integer"},
                "0": {"type": "integer"},
            },
            "required": ["x-y", "class", "_p", "with space", "ü", "0"],
            "additionalProperties": False,
        },
        [{"x-y": 1, "class": "c", "_p": True, "with space": None, "ü": 2, "0": 3}],
        [
            {"x-y": 1, "class": "c", "_p": True, "with space": None, "ü": 2},
            {"x-y": "1", "class": "c", "_p": True, "with space": None, "ü": 2, "0": 3},
            {"x_y": 1, "class": "c", "_p": True, "with space": None, "ü": 2, "0": 3},
            {"x-y": 1, "class": "c", "_p": True, "with space": None, "u": 2, "0": 3},
        ],
    ),
    (  # a JSON member named like a Python attribute of another member
        {
            "type": "object",
            "properties": {"a": {"type": "string"}, "f0": {"type": "integer"}},
            "additionalProperties": False,
        },
        [{"a": "x", "f0": 1}, {"f0": 1}],
        [{"a": "x", "f0": "y"}, {"f1": 1}],
    ),
    (
        {"type": "string", "minLength": 2, "maxLength": 3},
        ["ab", "abc", "😀😀", "éé"],
        ["a", "abcd", "😀", ""],
    ),
    (
        {"type": "string", "pattern": "^[A-Z]{3}$"},
        ["GBP"],
        ["GBP\n", "gbp", "GB", "GBPX", "\uff27\uff22\uff30", "\nGBP"],
    ),
    ({"type": "string", "pattern": "^[0-9]+$"}, ["123"], ["\u0661\u0662", "12\n", "", "12a", "\uff11\uff12"]),
    ({"type": "string", "pattern": "^[A-Z]{2}$"}, ["GB"], ["GB\n", "gb", "G", "GBR"]),
    ({"type": "string", "pattern": "b"}, ["abc", "b"], ["ac", ""]),
    (
        {"type": "string", "pattern": "^a.c$"},
        ["abc", "a c", "a\tc"],
        ["a\nc", "a\rc", "a\u2028c", "a\u2029c", "ac"],
    ),
    ({"type": "string", "pattern": "^(ab|cd)*$"}, ["", "ab", "abcd"], ["a", "abc", "ab\n"]),
    ({"type": "string", "pattern": "^[^@ ]+@[^@ ]+$"}, ["a@b", "a\n@b"], ["a@b@c", "a b@c", "@b"]),
    ({"type": "string", "pattern": "^\\$\\.\\\\$"}, ["$.\\"], ["$.", "$.\\\n"]),
    ({"type": "integer", "minimum": 1.0, "maximum": 28.0}, [1, 28], [0, 29, 1.0]),
    ({"type": "integer", "exclusiveMinimum": 1, "exclusiveMaximum": 3}, [2], [1, 3]),
    ({"type": "integer", "minimum": 1.5, "maximum": 3.5}, [2, 3], [1, 4]),
    ({"type": "integer", "exclusiveMinimum": 1.5, "exclusiveMaximum": 3.5}, [2, 3], [1, 4]),
    ({"type": "integer", "minimum": 1, "exclusiveMinimum": 1}, [2], [1]),
    ({"type": "number", "minimum": 0.5, "exclusiveMaximum": 1}, [0.5, 0.75], [0.49, 1, 1.0, 2]),
    ({"type": "number", "maximum": 2**53 - 1}, [2**53 - 1, -(2**60)], [2**53 + 1, 2**53, 2**60]),
    ({"type": "number", "minimum": -(2**53 - 1)}, [-(2**53 - 1), 2**60], [-(2**53) - 1, -(2**60)]),
    ({"enum": ["a", "b"]}, ["a", "b"], ["c", "A", None, 1]),
    ({"enum": [1, 2]}, [1, 2], [3, True, "1", 1.0]),
    ({"const": "x"}, ["x"], ["y", None]),
    ({"const": 7}, [7], [8, 7.5]),
    ({"oneOf": [{"type": "null"}, {"type": "integer", "minimum": 1}]}, [None, 1], [0, "a"]),
    (
        {"oneOf": [{"$ref": "#/components/schemas/Obj"}, {"type": "null", "description": "none"}]},
        [None, {"a": "x"}],
        [{"b": 1}, "a"],
    ),
    (
        {"minLength": 1, "maxLength": 2, "oneOf": [{"type": "string"}, {"type": "null"}]},
        ["a", None],
        ["", "abc", 1],
    ),
    ({"minimum": 1, "oneOf": [{"type": "integer"}, {"type": "null"}]}, [1, None], [0, "1"]),
    ({"type": "array", "items": {"$ref": "#/components/schemas/Short"}}, [["a"], []], [["ab"], [1]]),
    ({"$ref": "#/components/schemas/Short", "minLength": 1}, ["a"], ["", "ab"]),
    ({"minLength": 2}, ["ab", 1, None, [], {}, True], ["a"]),
    ({"properties": {"a": {"type": "integer"}}}, [1, "x", {"a": 1}, {}], [{"a": "x"}]),
    (
        {
            "type": "string",
            **dict.fromkeys(("description", "title", "example", "default"), "x"),
            "examples": ["x"],
            "format": "date",
            "deprecated": True,
            "readOnly": True,
            "writeOnly": False,
        },
        ["not a date"],
        [1],
    ),
    ({"type": "object", "properties": {"a": True}}, [{"a": [1]}, {}], [[]]),
    ({"type": "integer", "enum": [1, 5, 10], "maximum": 5}, [1, 5], [10, 2]),
    ({"enum": ["ab", "cd"], "pattern": "^a"}, ["ab"], ["cd"]),
    ({"enum": ["ab", "abcd"], "maxLength": 3}, ["ab"], ["abcd"]),
]


@pytest.mark.parametrize(
    ("schema", "good", "bad"), ENFORCED, ids=lambda x: json.dumps(x)[:70] if isinstance(x, dict) else ""
)
def test_what_is_supported_is_enforced(schema: Any, good: list[Any], bad: list[Any]) -> None:
    for instance in good:
        assert _schema_accepts(schema, instance), f"the test is wrong: {instance!r} is invalid"
        assert _fast_accepts(schema, instance), instance
    for instance in bad:
        assert not _fast_accepts(schema, instance), instance


def test_optional_members_default_to_unset_not_to_the_schema_default() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer", "default": 5}}}
    tp = explain_compile(schema, {}).type
    value = msgspec.json.decode(b"{}", type=tp)
    assert value.f0 is msgspec.UNSET


def test_open_objects_are_flagged_as_skipping_unknown_members() -> None:
    closed = {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False}
    assert not explain_compile(closed, {}).skips_unknown
    assert not explain_compile(
        {"type": "object", "additionalProperties": {"type": "integer"}}, {}
    ).skips_unknown
    nested_open = {
        **closed,
        "properties": {"a": {"type": "object", "properties": {"b": {"type": "integer"}}}},
    }
    assert explain_compile(nested_open, {}).skips_unknown
    assert explain_compile(
        {"type": "object", "properties": {"a": {}}, "additionalProperties": True}, {}
    ).skips_unknown


def test_compile_body_returns_none_rather_than_raising() -> None:
    assert compile_body({"type": "object", "minProperties": 1}, {}) is None
    assert compile_body({"$ref": "#/components/schemas/X"}, {"schemas": "not a dict"}) is None
    assert compile_body({"$ref": "#/components/schemas/X"}, {}) is None
