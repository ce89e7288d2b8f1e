"""A request body as a record's values: known fields, writable ones, converted, references checked.

Salesforce's complaints on the way in, in its words: INVALID_FIELD, INVALID_FIELD_FOR_INSERT_UPDATE,
JSON_PARSER_ERROR, MALFORMED_ID, INVALID_CROSS_REFERENCE_KEY, STRING_TOO_LONG, REQUIRED_FIELD_MISSING...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from services.sandbox.salesforce._errors import ApiError, SalesforceApiError
from services.sandbox.salesforce._ids import normalize_id
from services.sandbox.salesforce._schema import FieldSpec, FieldType, SObjectSchema
from services.sandbox.salesforce._values import FieldValueError, convert

if TYPE_CHECKING:
    from services.sandbox.salesforce._store import Record, SObjectStore


def coerce(store: SObjectStore, schema: SObjectSchema, body: Mapping[str, Any], *, creating: bool) -> Record:
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
                value = _reference(store, spec, value)
            values[spec.name] = value
        except FieldValueError as exc:
            if exc.error.error_code == "JSON_PARSER_ERROR":
                raise SalesforceApiError(400, [exc.error]) from None
            errors.append(exc.error)
    if errors:
        raise SalesforceApiError(400, errors)
    return values


def _reference(store: SObjectStore, spec: FieldSpec, value: str) -> str:
    canonical = normalize_id(value)
    if canonical is None:
        raise FieldValueError(
            ApiError(f"{spec.label}: id value of incorrect type: {value}", "MALFORMED_ID", [spec.name])
        )
    target = store.registry.get(spec.reference_to or "")
    if target is None or not canonical.startswith(target.key_prefix):
        raise FieldValueError(
            ApiError(
                f"{spec.label}: id value of incorrect type: {value}",
                "FIELD_INTEGRITY_EXCEPTION",
                [spec.name],
            )
        )
    if store.get(target, canonical) is None:
        raise FieldValueError(
            ApiError("invalid cross reference id", "INVALID_CROSS_REFERENCE_KEY", [spec.name])
        )
    return canonical


def required_missing(names: list[str]) -> SalesforceApiError:
    return SalesforceApiError.one(
        400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(names)}]", names
    )
