"""ECMA-262 patterns of the documents, in a Python form proven no more permissive, or as the few
strings they match."""

from __future__ import annotations

import re
import warnings
from typing import Any


class Unsupported(Exception):
    """The schema uses something the compiler does not translate (the message says what)."""


# -- ECMA-262 regex -> Python regex ---------------------------------------------------------------------

_SYNTAX = frozenset("^$\\.*+?()[]{}|")
_IDENTITY = frozenset("^$\\.*+?()[]{}|/-")  # escaped, these stand for themselves in both dialects
_CONTROL = {"t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r"}
_HEX = frozenset("0123456789abcdefABCDEF")
_LINE_TERMINATORS = "[^\\n\\r\\u2028\\u2029]"  # ECMA's "." (Python's also matches \r, \u2028, \u2029)
_QUANTIFIER = re.compile(r"\{([0-9]{1,4})(?:(,)([0-9]{1,4})?)?\}")
#: A pattern matching at most this many strings becomes a ``Literal`` (see :func:`pattern_words`).
WORDS_CAP = 1024

# The syntax tree of a pattern, as tuples:
#   ("char", c) | ("set", negated, ((low, high), ...)) | ("dot",) | ("begin",)
#   | ("group", alternatives) | ("repeat", node, least, most or None, lazy)
# where alternatives is a tuple of sequences and a sequence a tuple of nodes.
_Tree = tuple[Any, ...]
_Alternatives = tuple[tuple[_Tree, ...], ...]


def translate_pattern(pattern: str) -> str:
    """A Python regex (for ``re.search``) matching no more strings than the ECMA-262 ``pattern``.

    Only a small subset is translated, each piece to something provably equivalent in Python:
    literal characters (of the Basic Multilingual Plane, no surrogates), escaped syntax
    characters, ``\\t \\n \\v \\f \\r \\xHH \\uXXXX``, classes of those and of ranges (``-``
    first, last or between two characters), ``.`` (as ECMA's: not a line terminator), groups
    ``( )`` and ``(?: )``, ``|``, ``^``, the quantifiers ``* + ? {n} {n,} {n,m}`` (lazy or not),
    and ``$`` only at the very end, as ``\\Z`` (Python's ``$`` also matches before a final
    newline). Everything else raises :class:`Unsupported`: ``\\d \\w \\s \\b`` and their
    negations (Unicode-aware in Python, ASCII in ECMA), backreferences, lookarounds, named
    groups, flags, ``$`` elsewhere, a stray ``{ } ]``. Every character of the output is written
    in a form with one meaning (``\\uXXXX`` unless a letter, a digit or ``_``), so no Python
    peculiarity (nested-set warnings in classes, say) can creep in.

    The pattern is the same one jsonschema (Python ``re``) and jsonschema-rs (ECMA-like) run, and
    the translation is no more permissive than either (both count code points, as Python does).
    """
    alternatives, anchored_end = _parse(pattern)
    out = "|".join("".join(_emit(node) for node in seq) for seq in alternatives)
    out += "\\Z" if anchored_end else ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            re.compile(out)
    except (re.error, Warning) as error:  # pragma: no cover - the output is built to compile
        raise Unsupported(f"pattern {pattern!r}: {error}") from None
    return out


def pattern_words(pattern: str, cap: int = WORDS_CAP) -> frozenset[str] | None:
    """Every string the ECMA-262 ``pattern`` matches, when they are at most ``cap``; else None.

    Only for a pattern anchored at both ends (``^...$``, no top-level ``|``) of characters,
    classes that are not negated, groups, ``|`` and bounded quantifiers: ``^[A-Z]{2}$`` is the
    676 strings ``AA`` to ``ZZ``. msgspec checks a ``Literal`` with one dict look-up, a
    ``pattern`` by calling back into Python's ``re`` (~0.25 µs a string here). Raises
    :class:`Unsupported` where :func:`translate_pattern` would.
    """
    alternatives, anchored_end = _parse(pattern)
    if not anchored_end or len(alternatives) != 1 or not alternatives[0] or alternatives[0][0] != ("begin",):
        return None
    try:
        return frozenset(_words_of_sequence(alternatives[0][1:], cap))
    except _Infinite:
        return None


class _Infinite(Exception):
    """More strings than the cap (or infinitely many)."""


def _words_of_sequence(seq: tuple[_Tree, ...], cap: int) -> set[str]:
    words = {""}
    for node in seq:
        words = _product(words, _words(node, cap), cap)
    return words


def _product(a: set[str], b: set[str], cap: int) -> set[str]:
    if len(a) * len(b) > cap:
        raise _Infinite
    return {x + y for x in a for y in b}


def _words(node: _Tree, cap: int) -> set[str]:
    kind = node[0]
    if kind == "char":
        return {node[1]}
    if kind == "set" and not node[1]:
        if sum(ord(high) - ord(low) + 1 for low, high in node[2]) > cap:
            raise _Infinite
        return {chr(c) for low, high in node[2] for c in range(ord(low), ord(high) + 1)}
    if kind == "group":
        words: set[str] = set()
        for seq in node[1]:
            words |= _words_of_sequence(seq, cap)
            if len(words) > cap:
                raise _Infinite
        return words
    if kind == "repeat" and node[3] is not None:
        inner = _words(node[1], cap)
        found: set[str] = set()
        power = {""}
        for count in range(node[3] + 1):
            if count >= node[2]:
                found |= power
                if len(found) > cap:
                    raise _Infinite
            if count < node[3]:
                power = _product(power, inner, cap)
        return found
    raise _Infinite  # "." and negated classes (most of Unicode), ^ past the start, unbounded repeats


def _parse(pattern: str) -> tuple[_Alternatives, bool]:
    """The syntax tree of ``pattern``, and whether it ends with an unescaped ``$``."""
    # a final $ with an even number of backslashes before it (so not escaped)
    anchored_end = pattern.endswith("$") and (len(pattern) - 1 - len(pattern[:-1].rstrip("\\"))) % 2 == 0
    return _Reader(pattern[:-1] if anchored_end else pattern).read(), anchored_end


def _emit(node: _Tree) -> str:
    kind = node[0]
    if kind == "char":
        return _char(node[1])
    if kind == "set":
        items = "".join(_char(low) if low == high else f"{_char(low)}-{_char(high)}" for low, high in node[2])
        return f"[{'^' if node[1] else ''}{items}]"
    if kind == "dot":
        return _LINE_TERMINATORS
    if kind == "begin":
        return "^"
    if kind == "group":
        return "(?:" + "|".join("".join(_emit(n) for n in seq) for seq in node[1]) + ")"
    _, inner, least, most, lazy = node
    if (least, most) == (0, None):
        quantifier = "*"
    elif (least, most) == (1, None):
        quantifier = "+"
    elif (least, most) == (0, 1):
        quantifier = "?"
    elif least == most:
        quantifier = f"{{{least}}}"
    else:
        quantifier = f"{{{least},{'' if most is None else most}}}"
    return _emit(inner) + quantifier + ("?" if lazy else "")


def _char(c: str) -> str:
    """One character as a Python regex atom with a single meaning, in or out of a class."""
    if c.isascii() and (c.isalnum() or c == "_"):
        return c
    return f"\\u{ord(c):04x}"


class _Reader:
    """A recursive-descent reader of the supported ECMA-262 subset (see :func:`translate_pattern`)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.at = 0
        for c in source:
            if ord(c) > 0xFFFF or 0xD800 <= ord(c) <= 0xDFFF:
                raise Unsupported(f"pattern {source!r}: a character outside the BMP, or a surrogate")

    def fail(self, what: str) -> Unsupported:
        return Unsupported(f"pattern {self.source!r}: {what} at {self.at}")

    def peek(self, n: int = 0) -> str:
        i = self.at + n
        return self.source[i] if i < len(self.source) else ""

    def read(self) -> _Alternatives:
        out = self.alternatives()
        if self.at != len(self.source):
            raise self.fail(f"unexpected {self.peek()!r}")
        return out

    def alternatives(self) -> _Alternatives:
        seqs = [self.sequence()]
        while self.peek() == "|":
            self.at += 1
            seqs.append(self.sequence())
        return tuple(seqs)

    def sequence(self) -> tuple[_Tree, ...]:
        out: list[_Tree] = []
        while (c := self.peek()) and c not in "|)":
            if c == "^":
                self.at += 1
                out.append(("begin",))
                if self.peek() and self.peek() in "*+?{":
                    raise self.fail("a quantified ^")
                continue
            out.append(self.quantified(self.atom()))
        return tuple(out)

    def atom(self) -> _Tree:
        c = self.peek()
        if c == "(":
            self.at += 1
            if self.peek() == "?":
                if self.peek(1) != ":":
                    raise self.fail("a lookaround, named group or flag group")
                self.at += 2
            inner = self.alternatives()
            if self.peek() != ")":
                raise self.fail("an unclosed group")
            self.at += 1
            return ("group", inner)
        if c == "[":
            return self.char_class()
        if c == ".":
            self.at += 1
            return ("dot",)
        if c == "\\":
            return ("char", self.escape(in_class=False))
        if c in _SYNTAX:  # $ (not at the end), * + ? { } ] with nothing to act on
            raise self.fail(f"{c!r} here")
        self.at += 1
        return ("char", c)

    def quantified(self, atom: _Tree) -> _Tree:
        c = self.peek()
        most: int | None
        if c in ("*", "+", "?"):
            self.at += 1
            least, most = {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
        elif c == "{":
            match = _QUANTIFIER.match(self.source, self.at)
            if match is None:
                raise self.fail("a brace that is not a quantifier")
            least, comma, high = int(match.group(1)), match.group(2), match.group(3)
            most = least if comma is None else None if high is None else int(high)
            if most is not None and most < least:
                raise self.fail("a quantifier {n,m} with m < n")
            self.at = match.end()
        else:
            return atom
        lazy = self.peek() == "?"  # lazy: the same strings match
        if lazy:
            self.at += 1
        if self.peek() and self.peek() in "*+?{":
            raise self.fail("a quantifier after a quantifier")
        return ("repeat", atom, least, most, lazy)

    def escape(self, *, in_class: bool) -> str:
        """The character an escape stands for (the reader is on the backslash)."""
        c = self.peek(1)
        if c and c in _IDENTITY:
            self.at += 2
            return c
        if c in _CONTROL:
            self.at += 2
            return _CONTROL[c]
        if c in ("x", "u"):
            digits = 2 if c == "x" else 4
            hexa = self.source[self.at + 2 : self.at + 2 + digits]
            if len(hexa) == digits and all(h in _HEX for h in hexa):
                code = int(hexa, 16)
                if 0xD800 <= code <= 0xDFFF:
                    raise self.fail("a surrogate escape")
                self.at += 2 + digits
                return chr(code)
        raise self.fail(f"the escape \\{c}" + (" in a class" if in_class else ""))

    def class_char(self) -> str:
        c = self.peek()
        if c == "\\":
            return self.escape(in_class=True)
        if not c:
            raise self.fail("an unclosed class")
        if c in "[]":
            raise self.fail(f"{c!r} in a class")
        self.at += 1
        return c

    def char_class(self) -> _Tree:
        self.at += 1  # [
        negated = self.peek() == "^"
        if negated:
            self.at += 1
        if self.peek() == "]":
            raise self.fail("an empty class, or ] first in a class")
        items: list[tuple[str, str]] = []
        while self.peek() != "]":
            if self.peek() == "-" and items and self.peek(1) != "]":
                raise self.fail("a - that is neither first, last nor a range")
            low = self.class_char()
            high = low
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.at += 1
                high = self.class_char()
                if ord(high) < ord(low):
                    raise self.fail("a range out of order")
            items.append((low, high))
        self.at += 1  # ]
        return ("set", negated, tuple(items))
