"""A generic sObject store: records of any registered type, validated the way Salesforce does.

Records are plain dicts keyed by canonical field API names, holding Python values (``datetime``
for datetimes, ``date`` for dates); :func:`render` turns them into the REST JSON shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from services.sandbox.salesforce._errors import ApiError, SalesforceApiError, not_found
from services.sandbox.salesforce._ids import mint_id, normalize_id
from services.sandbox.salesforce._schema import FieldSpec, FieldType, SchemaRegistry, SObjectSchema
from services.sandbox.salesforce._values import FieldValueError, convert, to_json

Record = dict[str, Any]

# Sequence numbers of minted ids start here and step by a prime, so ids look like a real org's
# (``001Hs00000ABcdEIAQ``) rather than a counter, yet the same after every reset.
_FIRST_SEQUENCE: Final = 62**4 * 11 + 48_271
_SEQUENCE_STEP: Final = 7_919
_TIMESTAMP_FIELDS: Final = ("CreatedDate", "LastModifiedDate", "SystemModstamp")


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

    def __init__(self, registry: SchemaRegistry, clock: Callable[[], dt.datetime]) -> None:
        self.registry = registry
        self._clock = clock
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

    def create(self, schema: SObjectSchema, body: Mapping[str, Any], *, at: dt.datetime | None = None) -> str:
        values = self._coerce(schema, body, creating=True)
        missing = [f.name for f in schema if f.required and values.get(f.name) is None]
        if missing:
            raise _required_missing(missing)
        record: Record = {f.name: None for f in schema}
        for spec in schema:
            if spec.type is FieldType.BOOLEAN:
                record[spec.name] = False
        record.update(values)
        record_id = self._mint(schema)
        record["Id"] = record_id
        self._check_unique(schema, record)
        now = at or self._clock()
        for name in _TIMESTAMP_FIELDS:
            record[name] = now
        self._tables[schema.name][record_id] = record
        self._index(schema, record, add=True)
        return record_id

    def update(self, schema: SObjectSchema, record_id: str, body: Mapping[str, Any]) -> None:
        record = self._existing(schema, record_id)
        values = self._coerce(schema, body, creating=False)
        missing = [f.name for f in schema if f.required and f.name in values and values[f.name] is None]
        if missing:
            raise _required_missing(missing)
        updated = {**record, **values}
        self._check_unique(schema, updated)
        now = self._clock()
        updated["LastModifiedDate"] = updated["SystemModstamp"] = now
        self._index(schema, record, add=False)
        record.update(updated)
        self._index(schema, record, add=True)

    def delete(self, schema: SObjectSchema, record_id: str) -> None:
        record = self._existing(schema, record_id)
        del self._tables[schema.name][record["Id"]]
        self._index(schema, record, add=False)
        # Lookup relationships are cleared on the records that pointed at the deleted one.
        for other in self.registry:
            for spec in other:
                if spec.reference_to == schema.name:
                    for row in self._tables[other.name].values():
                        if row[spec.name] == record["Id"]:
                            row[spec.name] = None

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
        count = self._minted.get(schema.key_prefix, 0)
        self._minted[schema.key_prefix] = count + 1
        return mint_id(schema.key_prefix, _FIRST_SEQUENCE + count * _SEQUENCE_STEP)

    def _coerce(self, schema: SObjectSchema, body: Mapping[str, Any], *, creating: bool) -> Record:
        """The body's values as canonical fields and Python values, or the errors Salesforce gives."""
        specs: list[tuple[FieldSpec, Any]] = []
        for key, raw in body.items():
            if key == "attributes":
                continue
            spec = schema.field(key)
            if spec is None:
                raise SalesforceApiError.one(
                    400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {schema.name}"
                )
            specs.append((spec, raw))
        locked = [s.name for s, _ in specs if not (s.createable if creating else s.updateable)]
        if locked:
            names = ", ".join(locked)
            raise SalesforceApiError.one(
                400,
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {names}. Please check the security settings of this field "
                "and verify that it is read/write for your profile or permission set.",
                locked,
            )
        values: Record = {}
        errors: list[ApiError] = []
        for spec, raw in specs:
            try:
                value = convert(spec, raw)
                if spec.type is FieldType.REFERENCE and value is not None:
                    value = self._reference(spec, value)
                values[spec.name] = value
            except FieldValueError as exc:
                if exc.error.error_code == "JSON_PARSER_ERROR":
                    raise SalesforceApiError(400, [exc.error]) from None
                errors.append(exc.error)
        if errors:
            raise SalesforceApiError(400, errors)
        return values

    def _reference(self, spec: FieldSpec, value: str) -> str:
        canonical = normalize_id(value)
        if canonical is None:
            raise FieldValueError(
                ApiError(f"{spec.label}: id value of incorrect type: {value}", "MALFORMED_ID", [spec.name])
            )
        target = self.registry.get(spec.reference_to or "")
        if target is None or not canonical.startswith(target.key_prefix):
            raise FieldValueError(
                ApiError(
                    f"{spec.label}: id value of incorrect type: {value}",
                    "FIELD_INTEGRITY_EXCEPTION",
                    [spec.name],
                )
            )
        if canonical not in self._tables[target.name]:
            raise FieldValueError(
                ApiError("invalid cross reference id", "INVALID_CROSS_REFERENCE_KEY", [spec.name])
            )
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


def _required_missing(names: list[str]) -> SalesforceApiError:
    return SalesforceApiError.one(
        400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(names)}]", names
    )
