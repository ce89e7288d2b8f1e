"""The metadata of the sandbox org: what an sObject type and its fields are.

The org's own types are declared in :mod:`._objects`; a new record type is one more
:class:`SObjectSchema` registered there, and the store, the REST routes and SOQL work from
this metadata alone (plus, for the few types Salesforce itself computes fields of, :mod:`._sales_rules`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final


class FieldType(enum.StrEnum):
    """Salesforce field types (the ``type`` of a field in describe)."""

    ID = "id"
    STRING = "string"
    TEXTAREA = "textarea"
    PICKLIST = "picklist"
    PHONE = "phone"
    URL = "url"
    EMAIL = "email"
    REFERENCE = "reference"
    BOOLEAN = "boolean"
    INT = "int"
    DOUBLE = "double"
    CURRENCY = "currency"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"

    @property
    def is_text(self) -> bool:
        return self in _TEXT_TYPES

    @property
    def is_number(self) -> bool:
        return self in _NUMBER_TYPES


_TEXT_TYPES: Final = frozenset(
    {
        FieldType.STRING,
        FieldType.TEXTAREA,
        FieldType.PICKLIST,
        FieldType.PHONE,
        FieldType.URL,
        FieldType.EMAIL,
    }
)
_NUMBER_TYPES: Final = frozenset({FieldType.INT, FieldType.DOUBLE, FieldType.CURRENCY, FieldType.PERCENT})


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of an sObject type, as describe would tell it."""

    name: str
    type: FieldType
    label: str
    length: int = 0
    """Maximum characters of a text field (0: not a text field)."""
    required: bool = False
    """Must have a value on create and keep one on update (``nillable: false`` without a default)."""
    createable: bool = True
    updateable: bool = True
    unique: bool = False
    external_id: bool = False
    """Usable as the key of an upsert and of ``GET /sobjects/Type/Field/value``."""
    case_sensitive: bool = False
    """Uniqueness and SOQL comparisons tell case apart (otherwise they fold it, like Salesforce)."""
    reference_to: str | None = None
    """The sObject type a reference field points at."""
    cascade_delete: bool = False
    """Deleting the record pointed at deletes this one too (a master-detail relationship)."""
    restricted_delete: bool = False
    """The record pointed at cannot be deleted while this one points at it (DELETE_FAILED)."""
    picklist: tuple[str, ...] = ()
    """The values of a picklist field, in order."""
    restricted: bool = False
    """A restricted picklist: any other value is refused (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST)."""

    @property
    def read_only(self) -> bool:
        return not (self.createable or self.updateable)

    @property
    def relationship_name(self) -> str | None:
        """The name SOQL uses to reach the record a reference points at: ``AccountId`` -> ``Account``,
        ``Owner__c`` -> ``Owner__r``; None for other fields."""
        if self.type is not FieldType.REFERENCE:
            return None
        if self.name.endswith("__c"):
            return self.name[:-3] + "__r"
        return self.name[:-2] if self.name.endswith("Id") else self.name


def text(
    name: str,
    label: str,
    length: int = 255,
    *,
    required: bool = False,
    unique: bool = False,
    external_id: bool = False,
    case_sensitive: bool = False,
) -> FieldSpec:
    """A plain text field."""
    return FieldSpec(
        name,
        FieldType.STRING,
        label,
        length=length,
        required=required,
        unique=unique,
        external_id=external_id,
        case_sensitive=case_sensitive,
    )


def picklist(
    name: str, label: str, values: tuple[str, ...], *, required: bool = False, restricted: bool = True
) -> FieldSpec:
    """A picklist field; restricted (only its values are accepted) unless told otherwise."""
    return FieldSpec(
        name, FieldType.PICKLIST, label, length=255, required=required, picklist=values, restricted=restricted
    )


def reference(
    name: str,
    label: str,
    to: str,
    *,
    required: bool = False,
    updateable: bool = True,
    cascade_delete: bool = False,
    restricted_delete: bool = False,
) -> FieldSpec:
    """A lookup (or, with ``cascade_delete``, master-detail) field pointing at records of ``to``."""
    return FieldSpec(
        name,
        FieldType.REFERENCE,
        label,
        length=18,
        required=required,
        updateable=updateable,
        reference_to=to,
        cascade_delete=cascade_delete,
        restricted_delete=restricted_delete,
    )


def derived(name: str, kind: FieldType, label: str, length: int = 0) -> FieldSpec:
    """A field Salesforce computes itself: read-only through the API."""
    return FieldSpec(name, kind, label, length=length, createable=False, updateable=False)


def system_fields() -> tuple[FieldSpec, ...]:
    """The fields Salesforce puts on every record and fills itself."""
    return (
        FieldSpec("Id", FieldType.ID, "Record ID", length=18, createable=False, updateable=False),
        *(
            FieldSpec(name, FieldType.DATETIME, label, createable=False, updateable=False)
            for name, label in (
                ("CreatedDate", "Created Date"),
                ("LastModifiedDate", "Last Modified Date"),
                ("SystemModstamp", "System Modstamp"),
            )
        ),
    )


@dataclass(frozen=True)
class SObjectSchema:
    """An sObject type: its API name, key prefix (first 3 characters of its ids) and fields."""

    name: str
    label: str
    label_plural: str
    key_prefix: str
    fields: tuple[FieldSpec, ...]
    _by_name: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name.lower(): f for f in self.fields})

    def field(self, name: str) -> FieldSpec | None:
        """The field of that name; API names are case-insensitive, as in Salesforce."""
        return self._by_name.get(name.lower())

    def __iter__(self) -> Iterator[FieldSpec]:
        return iter(self.fields)


class SchemaRegistry:
    """Every sObject type of the org, by name (case-insensitive) and by key prefix."""

    def __init__(self, schemas: Iterable[SObjectSchema] = ()) -> None:
        self._by_name: dict[str, SObjectSchema] = {}
        for schema in schemas:
            self.register(schema)

    def register(self, schema: SObjectSchema) -> None:
        if any(s.key_prefix == schema.key_prefix for s in self._by_name.values()):
            raise ValueError(f"key prefix {schema.key_prefix} already taken")
        self._by_name[schema.name.lower()] = schema

    def get(self, name: str) -> SObjectSchema | None:
        return self._by_name.get(name.lower())

    def by_key_prefix(self, key_prefix: str) -> SObjectSchema | None:
        return next((s for s in self._by_name.values() if s.key_prefix == key_prefix), None)

    def __iter__(self) -> Iterator[SObjectSchema]:
        return iter(self._by_name.values())
