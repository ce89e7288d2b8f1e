"""Run a parsed SOQL query against the store: resolve names (parent paths too, see :mod:`._soql_columns`),
type-check literals, filter, sort, slice."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from services.sandbox.salesforce._errors import SalesforceApiError
from services.sandbox.salesforce._ids import normalize_id
from services.sandbox.salesforce._schema import FieldSpec, FieldType, SObjectSchema
from services.sandbox.salesforce._soql_columns import Column, resolve
from services.sandbox.salesforce._soql_lex import Kind, Text, query_error
from services.sandbox.salesforce._soql_parse import (
    Comparison,
    Condition,
    FieldRef,
    InList,
    Like,
    Literal,
    Not,
    OrderItem,
    Query,
    parse,
)
from services.sandbox.salesforce._store import Record, SObjectStore
from services.sandbox.salesforce._values import parse_datetime

MAX_OFFSET: Final = 2000
Predicate = Callable[[Record], bool]


@dataclass(frozen=True)
class QueryResult:
    schema: SObjectSchema
    columns: tuple[Column, ...] | None
    """The selected fields; None for ``SELECT COUNT()``."""
    records: list[Record]


def run_query(store: SObjectStore, text: str) -> QueryResult:
    """Answer a SOQL query, or raise Salesforce's error for it (MALFORMED_QUERY, INVALID_FIELD, ...)."""
    query = parse(text)
    schema = store.registry.get(query.sobject.name)
    if schema is None:
        raise query_error(
            text,
            query.sobject.pos,
            f"sObject type '{query.sobject.name}' is not supported. If you are attempting to use a custom "
            "object, be sure to append the '__c' after the entity name. Please reference your WSDL or the "
            "describe call for the appropriate names.",
            "INVALID_TYPE",
        )
    compiler = _Compiler(query, schema, store)
    columns = None if query.fields is None else compiler.selected(query.fields)
    predicate = compiler.condition(query.where) if query.where else None
    order = [(compiler.field(item.field), item) for item in query.order_by]
    if query.offset is not None and query.offset > MAX_OFFSET:
        raise SalesforceApiError.one(
            400, "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}"
        )
    rows = [r for r in store.records(schema) if predicate is None or predicate(r)]
    if order:
        rows.sort(key=functools.cmp_to_key(_comparator(store, order)))
    start = query.offset or 0
    end = None if query.limit is None else start + query.limit
    return QueryResult(schema, columns, rows[start:end])


def _key(spec: FieldSpec, value: Any) -> Any:
    """What comparisons and sorting see: text folds case unless the field is case-sensitive."""
    if isinstance(value, str) and spec.type.is_text and not spec.case_sensitive:
        return value.casefold()
    return value


def _comparator(
    store: SObjectStore, order: list[tuple[Column, OrderItem]]
) -> Callable[[Record, Record], int]:
    def compare(a: Record, b: Record) -> int:
        for column, item in order:
            spec = column.spec
            x, y = _key(spec, column.value(store, a)), _key(spec, column.value(store, b))
            if x == y:
                continue
            if x is None:
                return 1 if item.nulls_last else -1
            if y is None:
                return -1 if item.nulls_last else 1
            result = -1 if x < y else 1
            return -result if item.descending else result
        return 0

    return compare


class _Compiler:
    def __init__(self, query: Query, schema: SObjectSchema, store: SObjectStore) -> None:
        self.query = query
        self.schema = schema
        self.store = store

    def error(self, pos: int, detail: str, code: str = "MALFORMED_QUERY") -> SalesforceApiError:
        return query_error(self.query.text, pos, detail, code)

    def field(self, ref: FieldRef) -> Column:
        return resolve(
            self.store, self.schema, ref.name, lambda detail, code: self.error(ref.pos, detail, code)
        )

    def getter(self, column: Column) -> Callable[[Record], Any]:
        store = self.store
        if not column.hops:
            name = column.spec.name
            return lambda r: r[name]
        return lambda r: column.value(store, r)

    def selected(self, refs: tuple[FieldRef, ...]) -> tuple[Column, ...]:
        columns: list[Column] = []
        for ref in refs:
            column = self.field(ref)
            if any(c.name == column.name for c in columns):
                raise self.error(ref.pos, f"duplicate field selected: {column.name}")
            columns.append(column)
        return tuple(columns)

    def condition(self, node: Condition) -> Predicate:
        if isinstance(node, Not):
            inner = self.condition(node.operand)
            return lambda r: not inner(r)
        if isinstance(node, Comparison):
            return self.comparison(node)
        if isinstance(node, InList):
            return self.in_list(node)
        if isinstance(node, Like):
            return self.like(node)
        parts = [self.condition(op) for op in node.operands]
        if node.op == "AND":
            return lambda r: all(p(r) for p in parts)
        return lambda r: any(p(r) for p in parts)

    def comparison(self, node: Comparison) -> Predicate:
        column = self.field(node.field)
        spec, value = column.spec, self.getter(column)
        wanted = self.literal(spec, node.value)
        op = node.op
        if op in ("=", "!="):
            equal = op == "="
            return lambda r: (_key(spec, value(r)) == wanted) is equal
        if spec.type in (FieldType.BOOLEAN, FieldType.PICKLIST) or wanted is None:
            raise self.error(
                node.field.pos,
                f"invalid operator on {spec.type.value} field",
                "INVALID_QUERY_FILTER_OPERATOR",
            )
        compare = _ORDERING[op]
        return lambda r: (v := value(r)) is not None and compare(_key(spec, v), wanted)

    def in_list(self, node: InList) -> Predicate:
        column = self.field(node.field)
        spec, value = column.spec, self.getter(column)
        wanted = {self.literal(spec, literal) for literal in node.values}
        negated = node.negated
        return lambda r: (_key(spec, value(r)) in wanted) is not negated

    def like(self, node: Like) -> Predicate:
        column = self.field(node.field)
        spec, value = column.spec, self.getter(column)
        if not (spec.type.is_text or spec.type in (FieldType.ID, FieldType.REFERENCE)):
            raise self.error(
                node.field.pos,
                f"invalid operator on {spec.type.value} field",
                "INVALID_QUERY_FILTER_OPERATOR",
            )
        if node.pattern.kind is not Kind.STRING:
            raise self.error(node.pattern.pos, self.type_message(spec))
        pattern = re.compile(node.pattern.value.like, re.IGNORECASE | re.DOTALL)
        return lambda r: (v := value(r)) is not None and pattern.fullmatch(v) is not None

    def literal(self, spec: FieldSpec, literal: Literal) -> Any:
        """The literal as a value comparable with the field's values, or Salesforce's complaint."""
        if literal.kind is Kind.IDENT and literal.value is None:
            return None
        kind = spec.type
        if kind.is_text or kind in (FieldType.ID, FieldType.REFERENCE):
            if literal.kind is not Kind.STRING:
                raise self.error(literal.pos, self.type_message(spec))
            text: Text = literal.value
            if kind in (FieldType.ID, FieldType.REFERENCE):
                canonical = normalize_id(text.value)
                if canonical is None:
                    raise self.error(
                        literal.pos, f"invalid ID field: {text.value}", "INVALID_QUERY_FILTER_OPERATOR"
                    )
                return canonical
            return _key(spec, text.value)
        expected = {
            FieldType.BOOLEAN: Kind.IDENT,
            FieldType.DATE: Kind.DATE,
            FieldType.DATETIME: Kind.DATETIME,
        }.get(kind, Kind.NUMBER)
        if literal.kind is not expected:
            raise self.error(literal.pos, self.type_message(spec))
        if kind is FieldType.DATE:
            return dt.date.fromisoformat(literal.value)
        if kind is FieldType.DATETIME:
            return parse_datetime(literal.value)
        return literal.value

    @staticmethod
    def type_message(spec: FieldSpec) -> str:
        if spec.type.is_text or spec.type in (FieldType.ID, FieldType.REFERENCE):
            return (
                f"value of filter criterion for field '{spec.name}' must be of type {spec.type.value} "
                "and should be enclosed in quotes"
            )
        kind = "dateTime" if spec.type is FieldType.DATETIME else spec.type.value
        return (
            f"value of filter criterion for field '{spec.name}' must be of type {kind} "
            "and should not be enclosed in quotes"
        )


_ORDERING: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}
