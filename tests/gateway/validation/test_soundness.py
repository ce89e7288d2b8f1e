"""The fast path never accepts a body the schema rejects, and ``check`` answers as it always did.

hypothesis is not among the dev dependencies, so a seeded mutator: valid bodies of every operation
(tests/gateway/validation/_bodies.py), mutated one to three times where it hurts (required members
dropped, unknown ones added, types swapped, strings and arrays stretched past their limits, numbers
past their bounds, a trailing newline, Unicode digits...). For every case: if the msgspec type
accepts, both jsonschema-rs and jsonschema must; and ``BodySchema.check`` must answer as the
validator of record (jsonschema-rs, whose patterns are ECMA-262 as the schema means) does, and
exactly as the path without the msgspec type.
"""

from __future__ import annotations

import copy
import json
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import jsonschema_rs
import msgspec
import pytest
from jsonschema import Draft202012Validator

from gateway._body_types import explain_compile
from gateway.problems import GatewayProblem
from gateway.validation import BodySchema
from tests.gateway.validation._bodies import SEEDS, RequestBody, request_bodies

CASES_PER_OPERATION = 1000
ARABIC_DIGITS = str.maketrans("0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669")
FULLWIDTH_DIGITS = str.maketrans("0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19")

INTERESTING_STRINGS = [
    *(
        "",
        "A",
        "GB",
        "GBR",
        "GBP",
        "gb",
        "GB\n",
        "G B",
        "\u0661\u0662",
        "GB01",
        "GB0\u0661",
        "US01",
        "us01",
        "E14 5AB",
    ),
    *("x" * 80, "x" * 81, "x" * 100, "x" * 101, "x" * 254, "x" * 255, "x" * 256, "é" * 80, "😀" * 81),
    *("ap@acme.example", "ap@acme.example\n", "a@b.c", "a@b", "a b@c.d", "a\u00a0b@c.d", "a@b.c\u2028"),
    *("a@b.c\u3000", "a@@b.c", "a\tb@c.d", "a@b\n.c", "\ufeffa@b.c", "a@b.c\u200a"),
    *("cus_01JD8Z6Q3W9R2N7M4K5H6G7F8E", "cus_01JD8Z6Q3W9R2N7M4K5H6G7F8e", "cus_01JD8Z6Q3W9R2N7M4K5H6G7F8I"),
    *(
        "cus_01JD8Z6Q3W9R2N7M4K5H6G7F8E\n",
        "cus_01JD8Z6Q3W9R2N7M4K5H6G7F8",
        "cus_\u06601JD8Z6Q3W9R2N7M4K5H6G7F8E",
    ),
    *("NET30", "net30", "NET30 ", "DUE_ON_RECEIPT", "VAT", "vat", "GST", "ABN", "EIN"),
    *("RG-PLATFORM", "-RG", "R", "RG", "A" * 40, "A" * 41, "A-S00000001", "A-S00000001\n", "a-s1"),
    *("1250.00", "01.0", "-0", "-0.5", "1.1234567", "1.", ".5", "1" * 16, "1" * 15, "1\u0662.0", "1250.00\n"),
    *(
        "006Hs00000000EWIAY",
        "006Hs00000000EW",
        "006Hs00000000EWI",
        "006Hs00000000EWIAYZ",
        "006Hs0000000\u0660EWIAY",
    ),
    *("2024-01-01", "not-a-date", "😀", "renew", "cancel", "change-quantity", "Renew", "\u2028", "\r\n"),
]
INTERESTING_NUMBERS: list[Any] = [
    0,
    1,
    -1,
    2,
    12,
    15,
    28,
    29,
    60,
    61,
    1000000,
    1000001,
    2**63,
    2**64,
    -(2**63) - 1,
]
OTHER_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    3.0,
    15.0,
    2.5,
    -0.0,
    10**20,
    "",
    "x",
    [],
    {},
    [None],
    {"a": 1},
]
UNKNOWN_NAMES = ["extra", "Name", "name ", "f0", "f1", "_", "", "x-y", "billto", "city", "lines", "type", "ü"]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            found.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found.extend(_paths(v, (*prefix, i)))
    return found


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def _replace(root: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    _get(root, path[:-1])[path[-1]] = new
    return root


def _string_mutation(rng: random.Random, s: str) -> str:
    choices: list[Callable[[], str]] = [
        lambda: s + "\n",
        lambda: "\n" + s,
        lambda: s[:-1],
        lambda: s[1:],
        lambda: s + s[-1:],
        lambda: s * 2,
        lambda: s * 60,
        lambda: s.lower(),
        lambda: s.upper(),
        lambda: s + " ",
        lambda: s.translate(ARABIC_DIGITS),
        lambda: s.translate(FULLWIDTH_DIGITS),
        lambda: s + "\u2028",
        lambda: s.replace(" ", "\u00a0"),
        lambda: s + "😀",
        lambda: s[: len(s) // 2] + "\r" + s[len(s) // 2 :],
        lambda: rng.choice(INTERESTING_STRINGS),
        lambda: rng.choice(INTERESTING_STRINGS),
        lambda: rng.choice(INTERESTING_STRINGS),
    ]
    return rng.choice(choices)()


def _number_mutation(rng: random.Random, n: int | float) -> Any:
    choices: list[Callable[[], Any]] = [
        lambda: n + 1,
        lambda: n - 1,
        lambda: -n,
        lambda: n * 1000,
        lambda: float(n),
        lambda: n + 0.5,
        lambda: str(n),
        lambda: rng.choice(INTERESTING_NUMBERS),
        lambda: rng.choice(INTERESTING_NUMBERS),
    ]
    return rng.choice(choices)()


def _array_mutation(rng: random.Random, items: list[Any]) -> Any:
    choices: list[Callable[[], Any]] = [
        lambda: [],
        lambda: items + items,
        lambda: items * 10,
        lambda: items[:1],
        lambda: items + items[:1],
        lambda: [*items, None],
        lambda: [*items, "x"],
        lambda: [*items, {}],
    ]
    return rng.choice(choices)()


def _seen(seeds: list[Any]) -> dict[Any, list[Any]]:
    """Every value the seeds give each member name (or list index): mostly valid replacements."""
    seen: dict[Any, list[Any]] = {}
    for seed in seeds:
        for path in _paths(seed):
            if path:
                seen.setdefault(path[-1], []).append(_get(seed, path))
    return seen


def mutate(rng: random.Random, body: Any, seen: dict[Any, list[Any]]) -> Any:
    """``body`` (a copy) with one mutation at a random place."""
    body = copy.deepcopy(body)
    path = rng.choice(_paths(body))
    node = _get(body, path)
    roll = rng.random()
    if roll < 0.15 and path and path[-1] in seen:  # a value some seed gives this member: valid, mostly
        return _replace(body, path, copy.deepcopy(rng.choice(seen[path[-1]])))
    if roll < 0.25 and path and isinstance(_get(body, path[:-1]), dict):
        del _get(body, path[:-1])[path[-1]]  # drop a member (a required one, often)
        return body
    if roll < 0.33 and isinstance(node, dict):
        node[rng.choice(UNKNOWN_NAMES)] = rng.choice(OTHER_VALUES)
        return body
    if roll < 0.43:
        return _replace(body, path, rng.choice(OTHER_VALUES))
    if isinstance(node, bool):
        return _replace(body, path, rng.choice([not node, 0, 1, "true", None]))
    if isinstance(node, str):
        return _replace(body, path, _string_mutation(rng, node))
    if isinstance(node, int | float):
        return _replace(body, path, _number_mutation(rng, node))
    if isinstance(node, list) and node:
        return _replace(body, path, _array_mutation(rng, node))
    return _replace(body, path, rng.choice(OTHER_VALUES))


def _outcome(check: Callable[[bytes], None], body: bytes) -> tuple[Any, ...]:
    try:
        check(body)
    except GatewayProblem as problem:
        return ("problem", problem.slug, problem.status, problem.detail, problem.errors)
    except Exception as error:
        return ("raised", type(error), str(error))
    return ("ok",)


def _without_fast_path(body: RequestBody) -> BodySchema:
    schema = BodySchema(body.schema, body.components)
    schema._typed = None  # today's path, as it was before the msgspec type
    schema._plain_too = False
    return schema


@pytest.mark.parametrize("body", request_bodies(), ids=lambda b: b.id)
def test_the_fast_path_never_accepts_what_the_schema_rejects(body: RequestBody) -> None:
    rng = random.Random(f"revgate-{body.id}")  # seeded: every run sees the same cases
    root = {**body.schema, "components": body.components}
    rs = jsonschema_rs.Draft202012Validator(root, offline=True).is_valid
    py = Draft202012Validator(root).is_valid
    typed = msgspec.json.Decoder(type=explain_compile(body.schema, body.components).type).decode
    schema, today = BodySchema(body.schema, body.components), _without_fast_path(body)
    tally: Counter[str] = Counter()
    seeds = SEEDS[body.id]
    seen = _seen(seeds)
    for i in range(CASES_PER_OPERATION):
        case = seeds[i % len(seeds)]
        for _ in range(rng.choice((1, 1, 2, 3))):
            case = mutate(rng, case, seen)
        encoded = json.dumps(case, ensure_ascii=rng.random() < 0.5).encode()
        document = msgspec.json.decode(encoded)
        try:
            typed(encoded)
        except msgspec.DecodeError:
            fast = False
        else:
            fast = True
        valid_rs, valid_py = rs(document), py(document)
        if fast:
            assert valid_rs, f"fast path accepted what jsonschema-rs rejects: {case!r}"
            assert valid_py, f"fast path accepted what jsonschema rejects: {case!r}"
        outcome = _outcome(schema.check, encoded)
        assert (outcome == ("ok",)) == valid_rs, (case, outcome)
        assert outcome == _outcome(today.check, encoded), case
        tally["fast" if fast else "slow"] += 1
        tally["valid" if valid_rs and valid_py else "invalid"] += 1
        if valid_rs and valid_py and not fast:
            tally["valid, not fast"] += 1
    # the mutator must produce plenty of both kinds, and the fast path take most valid bodies
    assert tally["fast"] > CASES_PER_OPERATION * 0.15, tally
    assert tally["invalid"] > CASES_PER_OPERATION * 0.4, tally
    assert tally["valid, not fast"] < tally["valid"] * 0.1, tally


OPEN = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 3},
        "n": {"type": "integer", "maximum": 5},
        "sub": {"type": "object", "properties": {"c": {"type": "string", "pattern": "^[A-Z]{2}$"}}},
    },
    "required": ["name"],
}
CLOSED = {**OPEN, "additionalProperties": False}

RAW_BODIES = [
    b'{"name": "abc"}',
    b' \n{"name": "abc"}\n ',
    b'{"name": "abc"} x',
    b'{"name": "abc"}{}',
    b'\xef\xbb\xbf{"name": "abc"}',
    b"",
    b"null",
    b"[]",
    b'{"name": "abc", "name": 5}',
    b'{"name": 5, "name": "abc"}',
    b'{"name": "abc", "name": "abcd"}',
    b'{"name": "abcd", "name": "abc"}',
    b'{"n\\u0061me": "abc"}',
    b'{"n\\u0061me": "abcd"}',
    b'{"name": "abc", "n": 5, "\\u006e": 6}',
    b'{"name": "ab\xff"}',
    b'{"name": "abc", "x": "\xff"}',
    b'{"name": "abc", "\xff": 1}',
    b'{"name": "abc", "x": 1e400}',
    b'{"name": "abc", "n": 1e400}',
    b'{"name": "abc", "x": -1e400}',
    b'{"name": "abc", "x": 123456789012345678901234567890}',
    b'{"name": "abc", "x": "\\ud800"}',
    b'{"name": "\\ud800"}',
    b'{"name": "\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00"}',
    b'{"name": "\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00"}',
    b'{"name": "abc", "x": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    b'{"name": "abc", "x": [1, 2,]}',
    b'{"name": "abc", "x": 01}',
    b'{"name": "abc", "x": "\\q"}',
    b'{"name": "abc", "x": "a\tb"}',
    b'{"name": "abc", "n": 5.0}',
    b'{"name": "abc", "n": 1E0}',
    b'{"name": "abc", "n": -0}',
    b'{"name": "abc", "n": 18446744073709551616}',
    b'{"name": "abc", "n": -18446744073709551617}',
    b'{"name": "abc", "n": true}',
    b'{"name": "abc", "sub": {"c": "GB"}}',
    b'{"name": "abc", "sub": {"c": "GB\\n"}}',
    b'{"name": "abc", "sub": {"c": "G\\u0042"}}',
    b'{"name": "abc", "sub": {"c": "GB", "d": "\xff"}}',
    b'{"name": "abc", "sub": {"c": "GB", "d": 1e999}}',
]


@pytest.mark.parametrize("schema", [OPEN, CLOSED], ids=["open", "closed"])
@pytest.mark.parametrize("raw", RAW_BODIES, ids=lambda b: repr(b)[:50])
def test_raw_bodies_are_answered_as_before(schema: dict[str, Any], raw: bytes) -> None:
    body = RequestBody("test", "post", "/", schema, {})
    now = BodySchema(schema, {})
    assert now.has_fast_path
    assert _outcome(now.check, raw) == _outcome(_without_fast_path(body).check, raw)
