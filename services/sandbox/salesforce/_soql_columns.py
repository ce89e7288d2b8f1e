"""SOQL field paths: a field of the queried type, or of a parent reached through reference fields.

``SELECT Quantity, Product2.Name, PricebookEntry.Product2.IsActive FROM OpportunityLineItem``
follows each reference by its relationship name (``Product2Id`` -> ``Product2``, ``Owner__c``
-> ``Owner__r``), in SELECT, WHERE and ORDER BY alike. A row renders the parent as a nested
record with its own ``attributes``, holding the parent fields asked for, or as null when the
reference is empty — as Salesforce answers. (Child subqueries ``(SELECT ... FROM Children)``
are not supported: query the children with ``WHERE ParentId = '...'`` instead.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from services.sandbox.salesforce._errors import SalesforceApiError, no_such_column
from services.sandbox.salesforce._schema import FieldSpec, SObjectSchema
from services.sandbox.salesforce._store import Record, SObjectStore, record_url
from services.sandbox.salesforce._values import to_json

Hop = tuple[FieldSpec, SObjectSchema]
"""A reference field, and the type of the record it points at."""


@dataclass(frozen=True)
class Column:
    """A selected or filtered field, with the references that lead to it."""

    hops: tuple[Hop, ...]
    spec: FieldSpec

    @property
    def name(self) -> str:
        """The canonical path: ``Product2.IsActive``."""
        return ".".join([*(ref.relationship_name or ref.name for ref, _ in self.hops), self.spec.name])

    def value(self, store: SObjectStore, record: Record) -> Any:
        """The field's value for a row of the queried type (None when a reference on the way is empty)."""
        current: Record | None = record
        for ref, target in self.hops:
            target_id = current[ref.name] if current is not None else None
            current = store.get(target, target_id) if target_id else None
        return None if current is None else current[self.spec.name]


def resolve(
    store: SObjectStore, schema: SObjectSchema, path: str, fail: Callable[[str, str], SalesforceApiError]
) -> Column:
    """The column a (dotted) field name means, or ``fail(detail, code)``'s error."""
    *relationships, field_name = path.split(".")
    hops: list[Hop] = []
    current = schema
    for relationship in relationships:
        ref = next(
            (
                f
                for f in current
                if (f.relationship_name or "").lower() == relationship.lower() and f.reference_to
            ),
            None,
        )
        target = store.registry.get(ref.reference_to or "") if ref is not None else None
        if ref is None or target is None:
            raise fail(
                f"Didn't understand relationship '{relationship}' in field path. If you are attempting to "
                "use a custom relationship, be sure to append the '__r' after the custom relationship name. "
                "Please reference your WSDL or the describe call for the appropriate names.",
                "INVALID_FIELD",
            )
        hops.append((ref, target))
        current = target
    spec = current.field(field_name)
    if spec is None:
        raise fail(no_such_column(field_name, current.name), "INVALID_FIELD")
    return Column(tuple(hops), spec)


def render_row(
    store: SObjectStore, schema: SObjectSchema, record: Record, version: str, columns: Iterable[Column]
) -> Record:
    """A query row as Salesforce sends it: ``attributes``, then the columns, parents nested."""
    out: Record = {"attributes": {"type": schema.name, "url": record_url(version, schema.name, record["Id"])}}
    for column in columns:
        node, current = out, record
        for ref, target in column.hops:
            relationship = ref.relationship_name or ref.name
            parent = store.get(target, current[ref.name]) if current[ref.name] else None
            if relationship not in node:
                node[relationship] = None if parent is None else _attributes(target, parent, version)
            if parent is None:
                break
            node, current = node[relationship], parent
        else:
            node[column.spec.name] = to_json(current[column.spec.name])
    return out


def _attributes(schema: SObjectSchema, record: Record, version: str) -> Record:
    return {"attributes": {"type": schema.name, "url": record_url(version, schema.name, record["Id"])}}
