"""ECMA-262 patterns in Python: refused unless the translation is provably no more permissive."""

from __future__ import annotations

import random
import re

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator

from gateway._body_types import Unsupported, pattern_words, translate_pattern

REFUSED = [
    *("\\d", "\\w", "\\s", "\\b", "\\D", "\\W", "\\S", "\\B", "[\\d]", "[^\\s]", "[\\b]"),
    *("(a)\\1", "\\k<n>", "(?<n>a)", "(?<=a)b", "(?<!a)b", "(?=a)", "(?!a)", "(?i)a", "(?i:a)"),
    *("a$b", "(a$)", "^a$|b", "^a$|^b$", "a$$", "$a"),
    *("a{", "a}", "a{,3}", "a{3,1}", "{1}", "]", "[]", "[^]", "[a", "(a", "a)", "[]a]", "[[a]]"),
    *("a**", "a*+", "a++", "a?+", "a{2}{3}", "^*", "*a", "+", "?"),
    *("[a-\\d]", "[z-a]", "[a-z-0]", "[a--z]"),
    *("\\p{L}", "\\P{L}", "\\cA", "\\0", "\\u{41}", "\\ud800", "\\x4", "\\u00g0", "\\q", "\\a", "\\e"),
    *("😀", "[😀]", "\ud800"),
]


@pytest.mark.parametrize("pattern", REFUSED)
def test_what_cannot_be_proven_is_refused(pattern: str) -> None:
    with pytest.raises(Unsupported):
        translate_pattern(pattern)
    with pytest.raises(Unsupported):
        pattern_words(pattern)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^[A-Z]{2}$", "^[A-Z]{2}\\Z"),
        ("a\\$", "a\\u0024"),  # an escaped $ is a dollar sign
        ("a\\\\$", "a\\u005c\\Z"),  # an escaped backslash, then the end
        ("^a.c$", "^a[^\\n\\r\\u2028\\u2029]c\\Z"),
        ("(a|b)+?", "(?:a|b)+?"),
        ("[-a-c.]", "[\\u002da-c\\u002e]"),
        ("[^@\\t\\u00a0-\\u00ff-]", "[^\\u0040\\u0009\\u00a0-\\u00ff\\u002d]"),
        ("a{0}b{2,}c{1,3}", "a{0}b{2,}c{1,3}"),
        ("a|", "a|"),
        ("^$", "^\\Z"),
    ],
)
def test_translations(pattern: str, expected: str) -> None:
    assert translate_pattern(pattern) == expected


PATTERNS = [
    "^[A-Z]{2}$",
    "^[A-Z]{3}$",
    "^[A-Z]{2}[0-9]{2}$",
    "^cus_[0-9A-HJKMNP-TV-Z]{26}$",
    "^-?(0|[1-9][0-9]{0,14})(\\.[0-9]{1,6})?$",
    "^006[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$",
    "^[A-Z0-9][A-Z0-9-]{1,39}$",
    "^[^@\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]+@"
    "[^@\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]+\\."
    "[^@\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]+$",
    "^a.c$",
    "a.c",
    "^(ab|c)*d?$",
    "x|^y$",
    "[^a-c]+",
    "^\\x41\\u0042[\\-\\]]$",
]
EXAMPLES = [
    *("", "GB", "GB\n", "USD", "US01", "a@b.c", "a@b.c\n", "abc", "a\rc", "a\u2028c", "AB]", "-12.5", "0"),
    *("cus_01JD8Z6Q3W9R2N7M4K5H6G7F8E", "006Hs00000000EWIAY", "006Hs00000000EW", "RG-PLATFORM", "xy", "d"),
]
ALPHABET = [
    *"AZaz09_-.@ $^\\]x",
    *("\n", "\r", "\t", "\v", "\f", "\u00a0", "\u2028", "\u2029", "\u3000", "\ufeff", "\u200a"),
    *("\u0660", "\u0661", "\uff10", "é", "😀", "I", "O", "L", "U", "cus_", "006", "GB", "USD"),
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_translation_never_matches_more_than_either_validator(pattern: str) -> None:
    translated = re.compile(translate_pattern(pattern)).search
    rs = jsonschema_rs.Draft202012Validator({"pattern": pattern}).is_valid
    py = Draft202012Validator({"pattern": pattern}).is_valid
    rng = random.Random(pattern)
    strings = [*EXAMPLES]
    for _ in range(4000):
        strings.append("".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 8))))
        base = rng.choice([s for s in strings[-50:] if translated(s)] or EXAMPLES)
        at = rng.randrange(len(base) + 1)
        if rng.random() < 0.5:  # one character of a string the pattern accepts, changed
            strings.append(base[:at] + rng.choice(ALPHABET) + base[at + 1 :])
        else:  # or one inserted
            strings.append(base[:at] + rng.choice(ALPHABET) + base[at:])
    matched = 0
    for s in strings:
        if translated(s):
            matched += 1
            assert rs(s), (pattern, s)
            assert py(s), (pattern, s)
    assert matched > 0


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("^[A-C]$", {"A", "B", "C"}),
        ("^(ab|c){1,2}$", {"ab", "c", "abab", "abc", "cab", "cc"}),
        ("^a?b$", {"b", "ab"}),
        ("^$", {""}),
        ("^[\\-x]{0}y$", {"y"}),
        ("^[A-Z]{2}$", None),  # above the cap given
        ("^a*$", None),
        ("^a+$", None),
        ("^a{2,}$", None),
        ("a$", None),  # not anchored at the start
        ("^a", None),  # nor at the end
        ("^.$", None),
        ("^[^a]$", None),
        ("^a(^b)$", None),
    ],
)
def test_pattern_words(pattern: str, words: set[str] | None) -> None:
    found = pattern_words(pattern, cap=100)
    assert found == (None if words is None else frozenset(words))
    if found is not None:  # exactly the strings both validators accept, as far as can be seen
        rs = jsonschema_rs.Draft202012Validator({"pattern": pattern}).is_valid
        assert all(rs(w) for w in found)
        assert all(re.compile(translate_pattern(pattern)).search(w) for w in found)
        near = {w + c for w in found for c in "ABCabxy\n"} | {w[:-1] for w in found if w}
        assert all(w in found or not re.compile(translate_pattern(pattern)).search(w) for w in near)


def test_the_words_of_the_country_pattern_are_what_it_matches() -> None:
    words = pattern_words("^[A-Z]{2}$")
    assert words is not None and len(words) == 676
    rs = jsonschema_rs.Draft202012Validator({"pattern": "^[A-Z]{2}$"}).is_valid
    assert all(rs(w) for w in words)
    every_pair = {chr(a) + chr(b) for a in range(32, 383) for b in range(32, 383)}
    assert {w for w in every_pair if rs(w)} == words
