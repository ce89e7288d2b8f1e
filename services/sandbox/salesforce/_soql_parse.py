"""A small SOQL recursive-descent parser (the subset revgate and people use).

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

from dataclasses import dataclass
from typing import Any, Final

from services.sandbox.salesforce._errors import SalesforceApiError
from services.sandbox.salesforce._soql_lex import Kind, Token, query_error, tokenize


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
