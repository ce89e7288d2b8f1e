"""Record collection filtering: ``GET /record/v1/invoice?q=entity ANY_OF [107]``.

Conditions are ``field OPERATOR value`` joined by ``AND`` / ``OR`` with parentheses for
precedence, as NetSuite documents. Values are bare words, ``"quoted text"`` or ``[lists, of, values]``.
The sandbox knows the operators an integration needs: ``EMPTY``, ``IS``, ``CONTAIN``,
``START_WITH``, ``END_WITH``, ``EQUAL``, ``GREATER``, ``GREATER_OR_EQUAL``, ``LESS``,
``LESS_OR_EQUAL``, ``ANY_OF`` and each one's ``_NOT`` form. A reference field compares its
internal id (``entity ANY_OF [107, 108]``); dates compare as ``YYYY-MM-DD`` text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import msgspec
from msgspec import UNSET

from services.sandbox.netsuite._errors import NetSuiteError
from services.sandbox.netsuite._model import RecordType, Ref, python_names

_TOKEN: Final = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\(|\)|[^\s()]+)')
Predicate = Callable[[msgspec.Struct], bool]


def _text(raw: str) -> str:
    return raw[1:-1].replace('\\"', '"') if raw.startswith('"') else raw


def _number(raw: Any) -> float | None:
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def _compare(found: Any, operator: str, args: list[str]) -> bool:
    if operator == "EMPTY":
        return found is None or found == ""
    if found is None:
        return False
    text, wanted = str(found).casefold(), [a.casefold() for a in args]
    if operator == "ANY_OF":
        return text in wanted or any((n := _number(a)) is not None and n == _number(found) for a in args)
    if operator in ("IS", "CONTAIN", "START_WITH", "END_WITH"):
        return {
            "IS": text == wanted[0],
            "CONTAIN": wanted[0] in text,
            "START_WITH": text.startswith(wanted[0]),
            "END_WITH": text.endswith(wanted[0]),
        }[operator]
    left, right = _number(found), _number(args[0])
    if left is None or right is None:
        return False
    return {
        "EQUAL": left == right,
        "GREATER": left > right,
        "GREATER_OR_EQUAL": left >= right,
        "LESS": left < right,
        "LESS_OR_EQUAL": left <= right,
    }[operator]


_OPERATORS: Final = frozenset(
    {"EMPTY", "IS", "CONTAIN", "START_WITH", "END_WITH", "EQUAL", "GREATER", "GREATER_OR_EQUAL"}
    | {"LESS", "LESS_OR_EQUAL", "ANY_OF"}
)


def _invalid(detail: str) -> NetSuiteError:
    return NetSuiteError(
        400,
        "INVALID_PARAMETER",
        f"Invalid search query. Detailed unprocessed description follows. {detail}",
        "q",
    )


class _Parser:
    def __init__(self, rtype: RecordType, query: str) -> None:
        self.rtype = rtype
        self.tokens = _TOKEN.findall(query)
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise _invalid("The query ends too soon.")
        self.at += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.disjunction()
        if self.peek() is not None:
            raise _invalid(f"Unexpected '{self.peek()}'.")
        return predicate

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while (self.peek() or "").upper() == "OR":
            self.take()
            parts.append(self.conjunction())
        return lambda record: any(part(record) for part in parts)

    def conjunction(self) -> Predicate:
        parts = [self.term()]
        while (self.peek() or "").upper() == "AND":
            self.take()
            parts.append(self.term())
        return lambda record: all(part(record) for part in parts)

    def term(self) -> Predicate:
        if self.peek() == "(":
            self.take()
            inner = self.disjunction()
            if self.take() != ")":
                raise _invalid("A parenthesis is not closed.")
            return inner
        return self.condition()

    def condition(self) -> Predicate:
        field = self.take()
        attribute = python_names(self.rtype.model).get(field)
        if attribute is None:
            raise _invalid(
                f"Search error occurred: Field '{field}' for record '{self.rtype.name}' was not found."
            )
        operator = self.take().upper()
        negated = operator.endswith("_NOT")
        base = operator.removesuffix("_NOT").replace("ENDWITH", "END_WITH")
        if base not in _OPERATORS:
            raise _invalid(f"Search error occurred: Unknown operator '{operator}'.")
        args: list[str] = []
        if base != "EMPTY":
            raw = self.take()
            args = [_text(v.strip()) for v in raw[1:-1].split(",")] if raw.startswith("[") else [_text(raw)]

        def matches(record: msgspec.Struct) -> bool:
            found = getattr(record, attribute)
            if isinstance(found, Ref):
                found = found.id
            found = None if found is UNSET else found
            found = str(found).lower() if isinstance(found, bool) else found
            return _compare(found, base, args) != negated

        return matches


def record_filter(rtype: RecordType, query: str) -> Predicate:
    """The records a ``q`` parameter selects; ``INVALID_PARAMETER`` when it cannot be read."""
    return _Parser(rtype, query).parse()
