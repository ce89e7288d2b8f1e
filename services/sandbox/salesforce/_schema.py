"""The metadata of the sandbox org: which sObject types exist and what fields they carry.

A new record type (Opportunity, Order, ...) is one more :class:`SObjectSchema` registered in
:func:`default_registry`; the store, the REST routes and SOQL work from this metadata alone.
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

    @property
    def read_only(self) -> bool:
        return not (self.createable or self.updateable)


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


def _address(kind: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec(f"{kind}Street", FieldType.TEXTAREA, f"{kind} Street", length=255),
        text(f"{kind}City", f"{kind} City", 40),
        text(f"{kind}State", f"{kind} State/Province", 80),
        text(f"{kind}PostalCode", f"{kind} Zip/Postal Code", 20),
        text(f"{kind}Country", f"{kind} Country", 80),
    )


ACCOUNT: Final = SObjectSchema(
    name="Account",
    label="Account",
    label_plural="Accounts",
    key_prefix="001",
    fields=(
        *system_fields(),
        text("Name", "Account Name", required=True),
        FieldSpec("Industry", FieldType.PICKLIST, "Industry", length=255),
        FieldSpec("Type", FieldType.PICKLIST, "Account Type", length=255),
        FieldSpec("ParentId", FieldType.REFERENCE, "Parent Account ID", length=18, reference_to="Account"),
        FieldSpec("Phone", FieldType.PHONE, "Account Phone", length=40),
        FieldSpec("Website", FieldType.URL, "Website", length=255),
        text("AccountNumber", "Account Number", 40),
        FieldSpec("NumberOfEmployees", FieldType.INT, "Employees"),
        FieldSpec("AnnualRevenue", FieldType.CURRENCY, "Annual Revenue"),
        *_address("Billing"),
        *_address("Shipping"),
        # Fields of the revgate managed package (installed without a namespace in the sandbox).
        text("Revgate_Id__c", "Revgate Id", 40, unique=True, external_id=True, case_sensitive=True),
        text("Revgate_Match_Key__c", "Revgate Match Key", 255, unique=True),
    ),
)


def default_registry() -> SchemaRegistry:
    """The sObject types of the sandbox org."""
    return SchemaRegistry([ACCOUNT])
