"""A small SOQL tokenizer and recursive-descent parser (the subset revgate and people use).

::

    query     := SELECT (COUNT '(' ')' | field (',' field)*) FROM name
                 [WHERE condition] [ORDER BY order (',' order)*] [LIMIT int] [OFFSET int]
    condition := unary ((AND unary)* | (OR unary)*)      -- mixing AND/OR needs parentheses
    unary     := NOT unary | '(' condition ')' | field op value
               | field [NOT] IN '(' value (',' value)* ')' | field LIKE string
    value     := string | number | date | datetime | TRUE | FALSE | NULL

Nothing is evaluated here; :mod:`._soql` checks the result against the schema and runs it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any, Final

from services.sandbox.salesforce._errors import SalesforceApiError


class Kind(enum.Enum):
    IDENT = "identifier"
    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    OP = "operator"
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    EOF = "<EOF>"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str
    pos: int
    value: Any = None

    def keyword(self, *words: str) -> bool:
        return self.kind is Kind.IDENT and self.text.upper() in words


@dataclass(frozen=True, slots=True)
class Text:
    """A string literal: its value, and the regular expression it means after LIKE."""

    value: str
    like: str


@dataclass(frozen=True, slots=True)
class Literal:
    kind: Kind
    """STRING, NUMBER, DATE, DATETIME, or IDENT for TRUE / FALSE / NULL."""
    value: Any
    pos: int


@dataclass(frozen=True, slots=True)
class FieldRef:
    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Comparison:
    field: FieldRef
    op: str
    value: Literal


@dataclass(frozen=True, slots=True)
class InList:
    field: FieldRef
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class Like:
    field: FieldRef
    pattern: Literal


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition


@dataclass(frozen=True, slots=True)
class Junction:
    op: str
    """AND or OR."""
    operands: tuple[Condition, ...]


Condition = Comparison | InList | Like | Not | Junction


@dataclass(frozen=True, slots=True)
class OrderItem:
    field: FieldRef
    descending: bool
    nulls_last: bool


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    sobject: FieldRef
    fields: tuple[FieldRef, ...] | None
    """None for ``SELECT COUNT()``."""
    where: Condition | None
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None


_ESCAPES: Final = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_DATETIME: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})")
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}(?![\w:])")
_NUMBER: Final = re.compile(r"[+-]?\d+(?:\.\d+)?(?![\w.])")
_IDENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_OPERATORS: Final = ("!=", "<>", "<=", ">=", "=", "<", ">")
_PUNCTUATION: Final = {"(": Kind.LPAREN, ")": Kind.RPAREN, ",": Kind.COMMA}


def query_error(text: str, pos: int, detail: str, code: str = "MALFORMED_QUERY") -> SalesforceApiError:
    """Salesforce's query error: the offending line, a caret under the spot, row, column, and why."""
    row = text.count("\n", 0, pos) + 1
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    column = pos - line_start + 1
    message = f"\n{line}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n{detail}"
    return SalesforceApiError.one(400, code, message)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch.isspace():
            pos += 1
        elif ch == "'":
            token = _string(text, pos)
            tokens.append(token)
            pos += len(token.text)
        elif ch in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[ch], ch, pos))
            pos += 1
        elif (op := next((o for o in _OPERATORS if text.startswith(o, pos)), None)) is not None:
            tokens.append(Token(Kind.OP, "!=" if op == "<>" else op, pos))
            pos += len(op)
        elif match := _DATETIME.match(text, pos):
            tokens.append(Token(Kind.DATETIME, match.group(), pos, match.group()))
            pos = match.end()
        elif match := _DATE.match(text, pos):
            tokens.append(Token(Kind.DATE, match.group(), pos, match.group()))
            pos = match.end()
        elif match := _NUMBER.match(text, pos):
            number = match.group()
            tokens.append(Token(Kind.NUMBER, number, pos, float(number) if "." in number else int(number)))
            pos = match.end()
        elif match := _IDENT.match(text, pos):
            tokens.append(Token(Kind.IDENT, match.group(), pos))
            pos = match.end()
        else:
            raise query_error(text, pos, f"line 1:{pos} no viable alternative at character '{ch}'")
    tokens.append(Token(Kind.EOF, "<EOF>", len(text)))
    return tokens


def _string(text: str, start: int) -> Token:
    """A quoted literal with SOQL escapes; ``\\%`` and ``\\_`` stay literal inside a LIKE pattern."""
    value: list[str] = []
    like: list[str] = []
    pos = start + 1
    while pos < len(text):
        ch = text[pos]
        if ch == "'":
            raw = text[start : pos + 1]
            return Token(Kind.STRING, raw, start, Text("".join(value), "".join(like)))
        if ch == "\\":
            code = text[pos + 1 : pos + 2]
            if code and code.lower() in _ESCAPES:
                decoded = _ESCAPES[code.lower()]
                pos += 2
            elif code in ("%", "_"):
                decoded = code
                pos += 2
            elif code == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", text[pos + 2 : pos + 6]):
                decoded = chr(int(text[pos + 2 : pos + 6], 16))
                pos += 6
            else:
                literal = text[start : pos + 2]
                raise query_error(
                    text,
                    start,
                    f"Invalid string literal '{literal}'. Illegal character sequence "
                    f"'\\{code}' in string literal.",
                )
            value.append(decoded)
            like.append(re.escape(decoded))
            continue
        value.append(ch)
        like.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        pos += 1
    raise query_error(text, start, f"line 1:{start} mismatched character '<EOF>' expecting '''")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not Kind.EOF:
            self.index += 1
        return token

    def unexpected(self, token: Token | None = None) -> SalesforceApiError:
        token = token or self.current
        return query_error(self.text, token.pos, f"unexpected token: {token.text}")

    def expect_keyword(self, word: str) -> Token:
        if not self.current.keyword(word):
            raise self.unexpected()
        return self.advance()

    def expect(self, kind: Kind) -> Token:
        if self.current.kind is not kind:
            raise self.unexpected()
        return self.advance()

    def name(self) -> FieldRef:
        token = self.current
        if token.kind is not Kind.IDENT or token.keyword(*_RESERVED):
            raise self.unexpected()
        self.advance()
        return FieldRef(token.text, token.pos)

    def query(self) -> Query:
        self.expect_keyword("SELECT")
        fields: tuple[FieldRef, ...] | None
        if self.current.keyword("COUNT") and self.tokens[self.index + 1].kind is Kind.LPAREN:
            self.advance()
            self.advance()
            self.expect(Kind.RPAREN)
            fields = None
        else:
            names = [self.name()]
            while self.current.kind is Kind.COMMA:
                self.advance()
                names.append(self.name())
            fields = tuple(names)
        self.expect_keyword("FROM")
        sobject = self.name()
        where = None
        if self.current.keyword("WHERE"):
            self.advance()
            where = self.condition()
        order: list[OrderItem] = []
        if self.current.keyword("ORDER"):
            self.advance()
            self.expect_keyword("BY")
            order.append(self.order_item())
            while self.current.kind is Kind.COMMA:
                self.advance()
                order.append(self.order_item())
        limit = self.count_clause("LIMIT")
        offset = self.count_clause("OFFSET")
        if self.current.kind is not Kind.EOF:
            raise self.unexpected()
        return Query(self.text, sobject, fields, where, tuple(order), limit, offset)

    def count_clause(self, word: str) -> int | None:
        if not self.current.keyword(word):
            return None
        self.advance()
        token = self.expect(Kind.NUMBER)
        if not isinstance(token.value, int) or token.value < 0:
            raise self.unexpected(token)
        return token.value

    def order_item(self) -> OrderItem:
        field = self.name()
        descending = False
        if self.current.keyword("ASC", "DESC"):
            descending = self.advance().text.upper() == "DESC"
        nulls_last = descending  # Salesforce's default: NULLS FIRST ascending, NULLS LAST descending.
        if self.current.keyword("NULLS"):
            self.advance()
            if not self.current.keyword("FIRST", "LAST"):
                raise self.unexpected()
            nulls_last = self.advance().text.upper() == "LAST"
        return OrderItem(field, descending, nulls_last)

    def condition(self) -> Condition:
        operands = [self.unary()]
        junction: str | None = None
        while self.current.keyword("AND", "OR"):
            word = self.current.text.upper()
            if junction is not None and word != junction:
                raise self.unexpected()
            junction = word
            self.advance()
            operands.append(self.unary())
        return operands[0] if junction is None else Junction(junction, tuple(operands))

    def unary(self) -> Condition:
        if self.current.keyword("NOT"):
            self.advance()
            return Not(self.unary())
        if self.current.kind is Kind.LPAREN:
            self.advance()
            inner = self.condition()
            self.expect(Kind.RPAREN)
            return inner
        field = self.name()
        token = self.current
        if token.kind is Kind.OP:
            self.advance()
            return Comparison(field, token.text, self.value())
        if token.keyword("LIKE"):
            self.advance()
            return Like(field, self.value())
        negated = token.keyword("NOT")
        if negated:
            self.advance()
        self.expect_keyword("IN")
        self.expect(Kind.LPAREN)
        values = [self.value()]
        while self.current.kind is Kind.COMMA:
            self.advance()
            values.append(self.value())
        self.expect(Kind.RPAREN)
        return InList(field, tuple(values), negated)

    def value(self) -> Literal:
        token = self.current
        if token.kind in (Kind.STRING, Kind.NUMBER, Kind.DATE, Kind.DATETIME):
            self.advance()
            return Literal(token.kind, token.value, token.pos)
        if token.keyword("TRUE", "FALSE", "NULL"):
            self.advance()
            word = token.text.upper()
            return Literal(Kind.IDENT, None if word == "NULL" else word == "TRUE", token.pos)
        raise self.unexpected()


_RESERVED: Final = frozenset(
    {"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "LIMIT", "OFFSET"}
    | {"ASC", "DESC", "NULLS", "NULL", "TRUE", "FALSE", "GROUP", "HAVING", "WITH", "FOR"}
)


def parse(text: str) -> Query:
    """The query's syntax tree; 400 MALFORMED_QUERY with Salesforce's caret message when it is not SOQL."""
    return _Parser(text).query()
