"""A generic NetSuite record store: one :class:`RecordType` (a msgspec model plus rules) per record type.

Records are kept as instances of their type's model, with absent fields ``UNSET``, and
references normalised to ``Ref(id=...)``. Adding salesOrder or invoice later means writing
a model, a ``RecordType`` and its rules; the store, the routes and the rendering stay as they are.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from services.sandbox.netsuite._errors import NetSuiteError, invalid_value, user_error

_MSGSPEC_PATH: Final = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
_UNKNOWN_FIELD: Final = re.compile(r"unknown field `(?P<name>[^`]+)`")

T = TypeVar("T")


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
    read_only: frozenset[str] = frozenset({"id", "dateCreated", "lastModifiedDate"})
    unique: tuple[str, ...] = ("externalId",)
    immutable: Mapping[str, str] = field(default_factory=dict)
    """Field -> why it cannot change once the record exists."""
    name_field: str = "name"
    """The field shown as ``refName`` where other records point at this one."""
    rules: tuple[Rule, ...] = ()
    defaults: Callable[[RecordStore, str], Mapping[str, Any]] | None = None
    """Values a new record gets unless the request sets them: ``(store, new_id) -> {python_name: value}``."""
    first_id: int = 1

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def value(record: msgspec.Struct, name: str) -> Any:
    """A field of a record by its JSON name (UNSET when absent)."""
    return getattr(record, _python_names(type(record))[name])


@functools.cache
def _python_names(model: type[msgspec.Struct]) -> dict[str, str]:
    """JSON field name -> attribute name, per model."""
    return {f.encode_name: f.name for f in msgspec.structs.fields(model)}


def _decode_error(exc: msgspec.ValidationError | msgspec.DecodeError) -> NetSuiteError:
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


class RecordStore:
    """Every record of every registered type, in memory."""

    def __init__(self, types: Iterable[RecordType]) -> None:
        self.types = {t.name: t for t in types}
        self._decoders = {t.name: msgspec.json.Decoder(t.model) for t in self.types.values()}
        self._records: dict[str, dict[str, msgspec.Struct]] = {}
        self._next_id: dict[str, int] = {}
        self.clear()

    def clear(self) -> None:
        self._records = {name: {} for name in self.types}
        self._next_id = {name: t.first_id for name, t in self.types.items()}

    # -- reading

    def record_type(self, name: str) -> RecordType:
        try:
            return self.types[name]
        except KeyError:
            raise NetSuiteError(
                404, "NONEXISTENT_ID", f"Record type '{name}' does not exist.", None
            ) from None

    def find(self, type_name: str, key: str) -> tuple[str, msgspec.Struct] | None:
        """By internal id, or by ``eid:<externalId>``."""
        records = self._records[self.record_type(type_name).name]
        if key.startswith("eid:"):
            external_id = key[4:]
            for record_id, record in records.items():
                if value(record, "externalId") == external_id:
                    return record_id, record
            return None
        found = records.get(key)
        return None if found is None else (key, found)

    def get(self, type_name: str, key: str) -> tuple[str, msgspec.Struct]:
        found = self.find(type_name, key)
        if found is None:
            raise NetSuiteError(
                404,
                "NONEXISTENT_ID",
                "The record instance does not exist. Provide a valid record instance ID.",
                None,
            )
        return found

    def ids(self, type_name: str) -> list[str]:
        return list(self._records[self.record_type(type_name).name])

    def all(self, type_name: str) -> Iterator[msgspec.Struct]:
        return iter(self._records[type_name].values())

    def ref_name(self, target: Target, ref_id: str) -> str | None:
        if not isinstance(target, str):
            return target.get(ref_id)
        record = self._records[target].get(ref_id)
        if record is None:
            return None
        name = value(record, self.types[target].name_field)
        return None if name is UNSET else str(name)

    # -- writing

    def decode(self, type_name: str, body: bytes) -> msgspec.Struct:
        try:
            decoded: msgspec.Struct = self._decoders[self.record_type(type_name).name].decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise _decode_error(exc) from None
        return decoded

    def create(self, type_name: str, body: msgspec.Struct, *, external_id: str | None = None) -> str:
        rtype = self.record_type(type_name)
        self._refuse_read_only(rtype, body)
        record_id = str(self._next_id[rtype.name])
        changes = dict(rtype.defaults(self, record_id)) if rtype.defaults else {}
        changes.update(self._changes(rtype, body))
        if external_id is not None:
            changes["external_id"] = external_id
        now = _now()
        changes.update(id=record_id, date_created=now, last_modified_date=now)
        record = msgspec.structs.replace(rtype.model(), **self._existing_fields(rtype, changes))
        self._validate(rtype, record, None, record_id)
        self._records[rtype.name][record_id] = record
        self._next_id[rtype.name] += 1
        return record_id

    def update(
        self, type_name: str, key: str, body: msgspec.Struct, *, replace: frozenset[str] = frozenset()
    ) -> str:
        """PATCH semantics: fields sent are set; sublist lines are added unless the sublist is replaced."""
        rtype = self.record_type(type_name)
        self._refuse_read_only(rtype, body)
        record_id, previous = self.get(type_name, key)
        changes = self._changes(rtype, body)
        names = _python_names(rtype.model)
        for sublist in rtype.sublists:
            attr = names[sublist]
            if attr in changes and sublist not in replace:
                old = getattr(previous, attr)
                old_items = [] if old is UNSET else list(old.items)
                changes[attr] = Sublist(items=old_items + list(changes[attr].items))
        changes["last_modified_date"] = _now()
        record = msgspec.structs.replace(previous, **self._existing_fields(rtype, changes))
        self._validate(rtype, record, previous, record_id)
        self._records[rtype.name][record_id] = record
        return record_id

    def delete(self, type_name: str, key: str) -> None:
        record_id, _ = self.get(type_name, key)
        del self._records[type_name][record_id]

    def seed(self, type_name: str, record: msgspec.Struct) -> str:
        """Insert demo data as if created through the API (validated the same way)."""
        return self.create(type_name, record)

    # -- internals

    @staticmethod
    def _existing_fields(rtype: RecordType, changes: dict[str, Any]) -> dict[str, Any]:
        known = set(_python_names(rtype.model).values())
        return {k: v for k, v in changes.items() if k in known}

    @staticmethod
    def _refuse_read_only(rtype: RecordType, body: msgspec.Struct) -> None:
        for name in rtype.read_only:
            if name in _python_names(rtype.model) and value(body, name) is not UNSET:
                raise NetSuiteError(
                    400,
                    "INVALID_CONTENT",
                    f"Error while accessing a resource. The field {name} is read-only.",
                    name,
                )

    def _changes(self, rtype: RecordType, body: msgspec.Struct) -> dict[str, Any]:
        """The fields the request sets, with references resolved to internal ids."""
        changes: dict[str, Any] = {}
        for info in msgspec.structs.fields(rtype.model):
            sent = getattr(body, info.name)
            if sent is UNSET:
                continue
            name = info.encode_name
            if name in rtype.references:
                sent = self._resolve(rtype.references[name], sent, name, rtype.label(name))
            elif name in rtype.multiselects:
                target = rtype.multiselects[name]
                sent = Sublist(
                    items=[
                        self._resolve(target, ref, f"{name}.items[{i}]", rtype.label(name))
                        for i, ref in enumerate(sent.items)
                    ]
                )
            elif name in rtype.sublists:
                sent = Sublist(
                    items=[self._resolve_line(rtype, name, i, line) for i, line in enumerate(sent.items)]
                )
            changes[info.name] = sent
        return changes

    def _resolve_line(
        self, rtype: RecordType, sublist: str, index: int, line: msgspec.Struct
    ) -> msgspec.Struct:
        refs = rtype.sublists[sublist]
        resolved = {}
        for info in msgspec.structs.fields(type(line)):
            sent = getattr(line, info.name)
            if info.encode_name in refs and sent is not UNSET:
                path = f"{sublist}.items[{index}].{info.encode_name}"
                resolved[info.name] = self._resolve(refs[info.encode_name], sent, path, info.encode_name)
        return msgspec.structs.replace(line, **resolved)

    def _resolve(self, target: Target, ref: Ref, path: str, label: str) -> Ref:
        """A reference as stored, ``Ref(id=...)``; an id or external id that points nowhere is refused."""
        if isinstance(ref.id, int | str) and not isinstance(ref.id, bool):
            ref_id = str(ref.id)
            known = self._records[target] if isinstance(target, str) else target
            if ref_id not in known:
                raise invalid_value(label, ref_id, path)
            return Ref(id=ref_id)
        if isinstance(ref.external_id, str) and isinstance(target, str):
            found = self.find(target, f"eid:{ref.external_id}")
            if found is None:
                raise invalid_value(label, ref.external_id, path)
            return Ref(id=found[0])
        raise NetSuiteError(
            400, "INVALID_CONTENT", f"Error while accessing a resource. Reference {label} needs an id.", path
        )

    def _validate(
        self, rtype: RecordType, record: msgspec.Struct, previous: msgspec.Struct | None, record_id: str
    ) -> None:
        missing = [rtype.label(n) for n in rtype.required if value(record, n) in (UNSET, "")]
        if missing:
            raise user_error(f"Please enter value(s) for: {', '.join(missing)}.")
        for name in rtype.unique:
            mine = value(record, name)
            if mine is UNSET:
                continue
            for other_id, other in self._records[rtype.name].items():
                if other_id != record_id and value(other, name) == mine:
                    raise user_error("This entity already exists.", name)
        if previous is not None:
            for name, why in rtype.immutable.items():
                before, after = value(previous, name), value(record, name)
                if before is not UNSET and before != after:
                    raise user_error(why, name)
        for rule in rtype.rules:
            rule(self, record, previous)
