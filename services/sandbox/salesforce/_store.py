"""A generic sObject store: records of any registered type, validated the way Salesforce does.

Records are plain dicts keyed by canonical field API names, holding Python values (``datetime``
for datetimes, ``date`` for dates); :func:`render` turns them into the REST JSON shape. A body's
fields are checked in :mod:`._body`; what Salesforce computes itself for some types (derived
fields, roll-ups) comes from their :class:`RecordRules`. Deletes follow the reference fields:
master-detail children go too, restricting lookups refuse, other lookups are cleared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Protocol

from services.sandbox.salesforce._body import coerce, required_missing
from services.sandbox.salesforce._errors import SalesforceApiError, not_found
from services.sandbox.salesforce._ids import mint_id, normalize_id
from services.sandbox.salesforce._schema import FieldSpec, FieldType, SchemaRegistry, SObjectSchema
from services.sandbox.salesforce._values import to_json

Record = dict[str, Any]

# Sequence numbers of minted ids start here and step by a prime, so ids look like a real org's
# (``001Hs00000ABcdEIAQ``) rather than a counter, yet the same after every reset.
_FIRST_SEQUENCE: Final = 62**4 * 11 + 48_271
_SEQUENCE_STEP: Final = 7_919
_TIMESTAMP_FIELDS: Final = ("CreatedDate", "LastModifiedDate", "SystemModstamp")


class RecordRules(Protocol):
    """What Salesforce itself does around a write of one sObject type: derived fields, integrity
    checks, roll-ups into other records (its built-in behaviour, not a customer's triggers)."""

    def before_write(self, store: SObjectStore, current: Record | None, values: Record) -> None:
        """Check a create (``current`` None) or update, and complete ``values`` with derived fields.

        ``values`` holds the request's fields already converted; raise SalesforceApiError to refuse.
        """
        ...

    def after_write(self, store: SObjectStore, record: Record, at: dt.datetime) -> None:
        """Carry the saved record over into the records that depend on it."""
        ...

    def after_delete(self, store: SObjectStore, record: Record, at: dt.datetime) -> None: ...


def record_url(version: str, sobject: str, record_id: str) -> str:
    return f"/services/data/{version}/sobjects/{sobject}/{record_id}"


def render(
    schema: SObjectSchema, record: Record, version: str, fields: Iterable[str] | None = None
) -> Record:
    """The REST JSON of a record: ``attributes`` first, then the fields (all, or those asked for)."""
    out: Record = {"attributes": {"type": schema.name, "url": record_url(version, schema.name, record["Id"])}}
    for name in fields if fields is not None else (f.name for f in schema):
        out[name] = to_json(record[name])
    return out


class SObjectStore:
    """Every record of the sandbox org, with Salesforce's write rules."""

    def __init__(
        self,
        registry: SchemaRegistry,
        clock: Callable[[], dt.datetime],
        rules: Mapping[str, RecordRules] | None = None,
    ) -> None:
        self.registry = registry
        self._clock = clock
        self._rules = dict(rules or {})
        self._tables: dict[str, dict[str, Record]] = {}
        self._minted: dict[str, int] = {}
        # Unique fields, (type, field) -> folded value -> record id: the database's unique index.
        self._unique: dict[tuple[str, str], dict[Any, str]] = {}
        self.clear()

    def clear(self) -> None:
        self._tables = {schema.name: {} for schema in self.registry}
        self._minted = {}
        self._unique = {(schema.name, f.name): {} for schema in self.registry for f in schema if f.unique}

    def snapshot(self) -> object:
        """The data as it is now, for :meth:`restore` (records are flat, so one copy level suffices)."""
        tables = {name: {k: dict(v) for k, v in rows.items()} for name, rows in self._tables.items()}
        return tables, dict(self._minted), {key: dict(index) for key, index in self._unique.items()}

    def restore(self, snapshot: object) -> None:
        self._tables, self._minted, self._unique = snapshot  # type: ignore[misc]

    def schema(self, sobject: str) -> SObjectSchema:
        """The type named in a URL or query; 404 NOT_FOUND for an unknown one, as Salesforce answers."""
        schema = self.registry.get(sobject)
        if schema is None:
            raise not_found()
        return schema

    def records(self, schema: SObjectSchema) -> list[Record]:
        """All records of the type, oldest first."""
        return list(self._tables[schema.name].values())

    def get(self, schema: SObjectSchema, record_id: str) -> Record | None:
        canonical = normalize_id(record_id)
        return None if canonical is None else self._tables[schema.name].get(canonical)

    def find(self, schema: SObjectSchema, spec: FieldSpec, value: str) -> list[Record]:
        """Records whose field equals ``value`` (folding case unless the field is case-sensitive)."""
        if spec.type is FieldType.ID:
            found = self.get(schema, value)
            return [found] if found else []
        wanted = _fold(spec, value)
        if spec.unique:
            found_id = self._unique[schema.name, spec.name].get(wanted)
            return [] if found_id is None else [self._tables[schema.name][found_id]]
        return [r for r in self._tables[schema.name].values() if _fold(spec, r[spec.name]) == wanted]

    def create(
        self,
        schema: SObjectSchema,
        body: Mapping[str, Any],
        *,
        at: dt.datetime | None = None,
        record_id: str | None = None,
    ) -> str:
        """Insert a record; ``record_id`` gives it a known id instead of a minted one (seed data only)."""
        values = coerce(self, schema, body, creating=True)
        missing = [f.name for f in schema if f.required and values.get(f.name) is None]
        if missing:
            raise required_missing(missing)
        rules = self._rules.get(schema.name)
        if rules is not None:
            rules.before_write(self, None, values)
        record: Record = {f.name: None for f in schema}
        for spec in schema:
            if spec.type is FieldType.BOOLEAN:
                record[spec.name] = False
        record.update(values)
        record["Id"] = self._mint(schema) if record_id is None else self._reserved(schema, record_id)
        self._check_unique(schema, record)
        now = at or self._clock()
        for name in _TIMESTAMP_FIELDS:
            record[name] = now
        self._tables[schema.name][record["Id"]] = record
        self._index(schema, record, add=True)
        if rules is not None:
            rules.after_write(self, record, now)
        return str(record["Id"])

    def update(self, schema: SObjectSchema, record_id: str, body: Mapping[str, Any]) -> None:
        record = self._existing(schema, record_id)
        values = coerce(self, schema, body, creating=False)
        missing = [f.name for f in schema if f.required and f.name in values and values[f.name] is None]
        if missing:
            raise required_missing(missing)
        rules = self._rules.get(schema.name)
        if rules is not None:
            rules.before_write(self, record, values)
        updated = {**record, **values}
        self._check_unique(schema, updated)
        now = self._clock()
        updated["LastModifiedDate"] = updated["SystemModstamp"] = now
        self._index(schema, record, add=False)
        record.update(updated)
        self._index(schema, record, add=True)
        if rules is not None:
            rules.after_write(self, record, now)

    def system_update(self, schema: SObjectSchema, record: Record, values: Record, at: dt.datetime) -> None:
        """A change Salesforce makes itself (a roll-up, a derived field): no field security, no rules."""
        self._index(schema, record, add=False)
        record.update(values)
        record["LastModifiedDate"] = record["SystemModstamp"] = at
        self._index(schema, record, add=True)

    def delete(self, schema: SObjectSchema, record_id: str) -> None:
        """Delete the record and its master-detail children; DELETE_FAILED while a restricting lookup
        points at any of them; lookups of other records to them are cleared."""
        record = self._existing(schema, record_id)
        doomed = self._with_children(schema, record)
        doomed_ids = {row["Id"] for _, row in doomed}
        for other, spec, row in self._referrers(doomed_ids):
            if spec.restricted_delete and row["Id"] not in doomed_ids:
                raise SalesforceApiError.one(
                    400,
                    "DELETE_FAILED",
                    f"Your attempt to delete {record.get('Name') or record['Id']} could not be completed "
                    f"because it is associated with the following {other.label_plural.lower()}.: {row['Id']}",
                )
        for kind, row in doomed:
            del self._tables[kind.name][row["Id"]]
            self._index(kind, row, add=False)
        for _, spec, row in self._referrers(doomed_ids):
            row[spec.name] = None
        now = self._clock()
        for kind, row in doomed:
            if (rules := self._rules.get(kind.name)) is not None:
                rules.after_delete(self, row, now)

    def _with_children(self, schema: SObjectSchema, record: Record) -> list[tuple[SObjectSchema, Record]]:
        """The record, then every record that a cascading (master-detail) reference ties to it."""
        found: list[tuple[SObjectSchema, Record]] = [(schema, record)]
        for kind, row in found:  # grows while walked: breadth first
            for other in self.registry:
                for spec in other:
                    if spec.cascade_delete and spec.reference_to == kind.name:
                        found += [
                            (other, r) for r in self._tables[other.name].values() if r[spec.name] == row["Id"]
                        ]
        return found

    def _referrers(self, ids: set[str]) -> list[tuple[SObjectSchema, FieldSpec, Record]]:
        """Every (type, reference field, record) whose reference points at one of ``ids``."""
        return [
            (other, spec, row)
            for other in self.registry
            for spec in other
            if spec.reference_to is not None
            for row in self._tables[other.name].values()
            if row[spec.name] in ids
        ]

    def upsert(
        self, schema: SObjectSchema, spec: FieldSpec, value: str, body: Mapping[str, Any]
    ) -> tuple[str, bool]:
        """Update the one record whose external id is ``value``, or create it; answer (id, created)."""
        sent = next((v for k, v in body.items() if k.lower() == spec.name.lower()), None)
        if sent is not None and _fold(spec, sent) != _fold(spec, value):
            raise SalesforceApiError.one(
                400,
                "INVALID_FIELD",
                f"The value of the external ID field {spec.name} in the request body ({sent}) "
                f"doesn't match the value in the URL ({value}).",
                [spec.name],
            )
        matches = self.find(schema, spec, value)
        if len(matches) > 1:
            raise MultipleMatches([m["Id"] for m in matches])
        if matches:
            self.update(schema, matches[0]["Id"], body)
            return matches[0]["Id"], False
        if spec.type is FieldType.ID:
            raise not_found()
        return self.create(schema, {**body, spec.name: value}), True

    def _existing(self, schema: SObjectSchema, record_id: str) -> Record:
        canonical = normalize_id(record_id)
        if canonical is None or not canonical.startswith(schema.key_prefix):
            raise SalesforceApiError.one(
                400, "MALFORMED_ID", f"{schema.label} ID: id value of incorrect type: {record_id}", ["Id"]
            )
        record = self._tables[schema.name].get(canonical)
        if record is None:
            raise not_found()
        return record

    def _mint(self, schema: SObjectSchema) -> str:
        while True:
            count = self._minted.get(schema.key_prefix, 0)
            self._minted[schema.key_prefix] = count + 1
            record_id = mint_id(schema.key_prefix, _FIRST_SEQUENCE + count * _SEQUENCE_STEP)
            if record_id not in self._tables[schema.name]:  # never one given to seed data
                return record_id

    def _reserved(self, schema: SObjectSchema, record_id: str) -> str:
        canonical = normalize_id(record_id)
        if canonical is None or not canonical.startswith(schema.key_prefix):
            raise ValueError(f"{record_id} is not an id of {schema.name}")
        if canonical in self._tables[schema.name]:
            raise ValueError(f"{record_id} is taken")
        return canonical

    def _index(self, schema: SObjectSchema, record: Record, *, add: bool) -> None:
        for spec in schema:
            if spec.unique and record[spec.name] is not None:
                index = self._unique[schema.name, spec.name]
                if add:
                    index[_fold(spec, record[spec.name])] = record["Id"]
                else:
                    index.pop(_fold(spec, record[spec.name]), None)

    def _check_unique(self, schema: SObjectSchema, record: Record) -> None:
        for spec in schema:
            if not spec.unique or record[spec.name] is None:
                continue
            holder = self._unique[schema.name, spec.name].get(_fold(spec, record[spec.name]))
            if holder is not None and holder != record["Id"]:
                message = f"duplicate value found: {spec.name} duplicates value on record with id: {holder}"
                raise SalesforceApiError.one(400, "DUPLICATE_VALUE", message)


class MultipleMatches(Exception):
    """More than one record has the external id: Salesforce answers 300 with their URLs."""

    def __init__(self, record_ids: list[str]) -> None:
        super().__init__(f"{len(record_ids)} records match")
        self.record_ids = record_ids


def _fold(spec: FieldSpec, value: Any) -> Any:
    if isinstance(value, str) and not spec.case_sensitive and spec.type is not FieldType.ID:
        return value.casefold()
    return value
