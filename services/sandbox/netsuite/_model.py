"""What the record store knows of a record type: references, sublists, rules and hooks.

Records are msgspec Structs with absent fields ``UNSET``; references are normalised to
``Ref(id=...)`` on the way in. A record type is described once, as a :class:`RecordType`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from services.sandbox.netsuite._errors import NetSuiteError

if TYPE_CHECKING:
    from services.sandbox.netsuite._store import RecordStore

_MSGSPEC_PATH: Final = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
_UNKNOWN_FIELD: Final = re.compile(r"unknown field `(?P<name>[^`]+)`")

T = TypeVar("T")
S = TypeVar("S", bound=msgspec.Struct)


class Ref(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    """A reference to another record: ``{"id": ...}`` or ``{"externalId": ...}`` on the way in."""

    id: str | int | UnsetType = UNSET
    external_id: str | UnsetType = UNSET
    ref_name: str | UnsetType = UNSET
    """Sent back by clients that echo a record; ignored, as NetSuite does."""


class Sublist(msgspec.Struct, Generic[T], forbid_unknown_fields=True):
    """A sublist (or multi-select) on the way in: ``{"items": [...]}``."""

    items: list[T] = []


#: A reference target: a record type name, or a fixed list of choices (id -> display name).
Target = str | Mapping[str, str]
Rule = Callable[["RecordStore", Any, Any], None]
"""Business validation: ``(store, merged_record, previous_record_or_None)``; raises ``NetSuiteError``."""
Derive = Callable[["RecordStore", Any, Any, str], Any]
"""Computed fields: ``(store, record, previous_or_None, record_id) -> record`` with them filled in."""


@dataclass(frozen=True)
class RecordType:
    """What the store needs to know about one record type."""

    name: str
    model: type[msgspec.Struct]
    labels: Mapping[str, str] = field(default_factory=dict)
    """Field (JSON name) -> label, as NetSuite names fields in messages."""
    required: tuple[str, ...] = ()
    references: Mapping[str, Target] = field(default_factory=dict)
    multiselects: Mapping[str, Target] = field(default_factory=dict)
    sublists: Mapping[str, Mapping[str, Target]] = field(default_factory=dict)
    """Sublist name -> the references inside its lines."""
    line_keys: Mapping[str, str] = field(default_factory=dict)
    """Sublist -> the line field that keys its lines: a PATCH line with that key updates the line."""
    read_only: frozenset[str] = frozenset({"id", "dateCreated", "lastModifiedDate"})
    unique: tuple[str, ...] = ("externalId",)
    immutable: Mapping[str, str] = field(default_factory=dict)
    """Field -> why it cannot change once the record exists."""
    name_field: str = "name"
    """The field shown as ``refName`` where other records point at this one."""
    name_format: str = "{}"
    """How that field is shown, e.g. ``Invoice #{}``."""
    rules: tuple[Rule, ...] = ()
    defaults: Callable[[RecordStore, str], Mapping[str, Any]] | None = None
    """Values a new record gets unless the request sets them: ``(store, new_id) -> {python_name: value}``."""
    derive: Derive | None = None
    """Run before validation on every save, and again when a linked record changes."""
    links: Callable[[RecordStore, Any], Iterable[tuple[str, str]]] | None = None
    """Records whose computed fields depend on this one: ``(type, id)`` re-derived after it changes."""
    deletable: Rule | None = None
    """``(store, record, None)``: raises when the record may not be deleted."""
    first_id: int = 1
    id_group: str | None = None
    """Types of one group share one internal id sequence, as NetSuite transactions do."""

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


def value(record: msgspec.Struct, name: str) -> Any:
    """A field of a record by its JSON name (UNSET when absent)."""
    return getattr(record, python_names(type(record))[name])


def set_fields(record: S, **json_fields: Any) -> S:
    """A copy of the record with fields replaced, named by their JSON names."""
    names = python_names(type(record))
    return msgspec.structs.replace(record, **{names[k]: v for k, v in json_fields.items()})


def fill_from(record: S, source: msgspec.Struct, fields: Iterable[str]) -> S:
    """A copy of the record with the fields it lacks (JSON names) taken from ``source``, where set."""
    for name in fields:
        if value(record, name) is UNSET and value(source, name) is not UNSET:
            record = set_fields(record, **{name: value(source, name)})
    return record


@functools.cache
def python_names(model: type[msgspec.Struct]) -> dict[str, str]:
    """JSON field name -> attribute name, per model."""
    return {f.encode_name: f.name for f in msgspec.structs.fields(model)}


def decode_error(exc: msgspec.ValidationError | msgspec.DecodeError) -> NetSuiteError:
    message = str(exc)
    if isinstance(exc, msgspec.DecodeError) and not isinstance(exc, msgspec.ValidationError):
        return NetSuiteError(400, "INVALID_CONTENT", f"Invalid JSON in the request body: {message}")
    match = _MSGSPEC_PATH.search(message)
    path = match.group("path") if match else None
    reason = _MSGSPEC_PATH.sub("", message)
    if unknown := _UNKNOWN_FIELD.search(reason):
        name = unknown.group("name")
        path = f"{path}.{name}" if path else name
        return NetSuiteError(
            400, "INVALID_CONTENT", f"Error while accessing a resource. Invalid field name: '{name}'.", path
        )
    return NetSuiteError(400, "INVALID_FLD_VALUE", f"Invalid value for field {path}: {reason}.", path or None)
