"""A generic NetSuite record store: one :class:`RecordType` (a msgspec model plus rules) per record type.

Records are kept as instances of their type's model, with absent fields ``UNSET``, and
references normalised to ``Ref(id=...)``. Record type names are matched without regard to
case (``salesorder`` is ``salesOrder``), as in NetSuite.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec
from msgspec import UNSET

from services.sandbox.netsuite._errors import NetSuiteError, invalid_value, user_error
from services.sandbox.netsuite._model import (
    RecordType,
    Ref,
    Sublist,
    Target,
    decode_error,
    python_names,
    value,
)

__all__ = ["RecordStore", "RecordType", "Ref", "Sublist", "Target", "value"]


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RecordStore:
    """Every record of every registered type, in memory."""

    def __init__(self, types: Iterable[RecordType]) -> None:
        self.types = {t.name: t for t in types}
        self._by_folded = {name.casefold(): t for name, t in self.types.items()}
        self._decoders = {t.name: msgspec.json.Decoder(t.model) for t in self.types.values()}
        self._records: dict[str, dict[str, msgspec.Struct]] = {}
        self._next_id: dict[str, int] = {}
        self.clear()

    def clear(self) -> None:
        self._records = {name: {} for name in self.types}
        self._next_id = {}
        for t in self.types.values():
            self._next_id.setdefault(t.id_group or t.name, t.first_id)

    # -- reading

    def record_type(self, name: str) -> RecordType:
        found = self.types.get(name) or self._by_folded.get(name.casefold())
        if found is None:
            raise NetSuiteError(404, "NONEXISTENT_ID", f"Record type '{name}' does not exist.", None)
        return found

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
        return iter(self._records[self.record_type(type_name).name].values())

    def items(self, type_name: str) -> Iterator[tuple[str, msgspec.Struct]]:
        return iter(self._records[self.record_type(type_name).name].items())

    def ref_name(self, target: Target, ref_id: str) -> str | None:
        if not isinstance(target, str):
            return target.get(ref_id)
        record = self._records[target].get(ref_id)
        if record is None:
            return None
        rtype = self.types[target]
        name = value(record, rtype.name_field)
        return None if name is UNSET else rtype.name_format.format(name)

    # -- writing

    def decode(self, type_name: str, body: bytes) -> msgspec.Struct:
        try:
            decoded: msgspec.Struct = self._decoders[self.record_type(type_name).name].decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise decode_error(exc) from None
        return decoded

    def create(self, type_name: str, body: msgspec.Struct, *, external_id: str | None = None) -> str:
        rtype = self.record_type(type_name)
        self._refuse_read_only(rtype, body)
        group = rtype.id_group or rtype.name
        record_id = str(self._next_id[group])
        changes = dict(rtype.defaults(self, record_id)) if rtype.defaults else {}
        changes.update(self._changes(rtype, body))
        if external_id is not None:
            changes["external_id"] = external_id
        now = _now()
        changes.update(id=record_id, date_created=now, last_modified_date=now)
        record = msgspec.structs.replace(rtype.model(), **self._existing_fields(rtype, changes))
        self._save(rtype, record, None, record_id)
        self._next_id[group] += 1
        return record_id

    def update(
        self, type_name: str, key: str, body: msgspec.Struct, *, replace: frozenset[str] = frozenset()
    ) -> str:
        """PATCH semantics: fields sent are set; sublist lines are added (or, sent with their line
        key, changed) unless the sublist is replaced."""
        rtype = self.record_type(type_name)
        self._refuse_read_only(rtype, body)
        record_id, previous = self.get(type_name, key)
        changes = self._changes(rtype, body)
        names = python_names(rtype.model)
        for sublist in rtype.sublists:
            attr = names[sublist]
            if attr in changes and sublist not in replace:
                old = getattr(previous, attr)
                old_items = [] if old is UNSET else list(old.items)
                merged = self._merge_lines(rtype, sublist, old_items, list(changes[attr].items))
                changes[attr] = Sublist(items=merged)
        changes["last_modified_date"] = _now()
        record = msgspec.structs.replace(previous, **self._existing_fields(rtype, changes))
        self._save(rtype, record, previous, record_id)
        return record_id

    def delete(self, type_name: str, key: str) -> None:
        rtype = self.record_type(type_name)
        record_id, record = self.get(type_name, key)
        if rtype.deletable is not None:
            rtype.deletable(self, record, None)
        del self._records[rtype.name][record_id]
        self._refresh_links(rtype, record)

    def seed(self, type_name: str, record: msgspec.Struct) -> str:
        """Insert demo data as if created through the API (validated the same way)."""
        return self.create(type_name, record)

    def refresh(self, type_name: str, record_id: str) -> None:
        """Compute a record's derived fields again (a record it depends on changed)."""
        rtype = self.record_type(type_name)
        record = self._records[rtype.name].get(record_id)
        if record is None or rtype.derive is None:
            return
        self._records[rtype.name][record_id] = rtype.derive(self, record, record, record_id)
        self._refresh_links(rtype, record)

    # -- internals

    def _save(
        self, rtype: RecordType, record: msgspec.Struct, previous: msgspec.Struct | None, record_id: str
    ) -> None:
        if rtype.derive is not None:
            record = rtype.derive(self, record, previous, record_id)
        self._validate(rtype, record, previous, record_id)
        self._records[rtype.name][record_id] = record
        if previous is not None:
            self._refresh_links(rtype, previous)
        self._refresh_links(rtype, record)

    def _refresh_links(self, rtype: RecordType, record: msgspec.Struct) -> None:
        if rtype.links is not None:
            for linked_type, linked_id in rtype.links(self, record):
                self.refresh(linked_type, linked_id)

    def _merge_lines(self, rtype: RecordType, sublist: str, old: list[Any], sent: list[Any]) -> list[Any]:
        key = rtype.line_keys.get(sublist)
        if key is None:
            return old + sent
        merged = list(old)
        for index, line in enumerate(sent):
            wanted = value(line, key)
            if wanted is UNSET:
                merged.append(line)
                continue
            at = next((i for i, o in enumerate(merged) if value(o, key) == wanted), None)
            if at is None:
                raise NetSuiteError(
                    400,
                    "INVALID_CONTENT",
                    f"Error while accessing a resource. The {sublist} sublist has no line {wanted}.",
                    f"{sublist}.items[{index}].{key}",
                )
            given = {f.name: getattr(line, f.name) for f in msgspec.structs.fields(line)}
            merged[at] = msgspec.structs.replace(
                merged[at], **{k: v for k, v in given.items() if v is not UNSET}
            )
        return merged

    @staticmethod
    def _existing_fields(rtype: RecordType, changes: dict[str, Any]) -> dict[str, Any]:
        known = set(python_names(rtype.model).values())
        return {k: v for k, v in changes.items() if k in known}

    @staticmethod
    def _refuse_read_only(rtype: RecordType, body: msgspec.Struct) -> None:
        for name in rtype.read_only:
            if name in python_names(rtype.model) and value(body, name) is not UNSET:
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

    def _resolve(self, target: Target, ref: Ref | str, path: str, label: str) -> Ref:
        """A reference as stored, ``Ref(id=...)``; an id or external id that points nowhere is refused."""
        if isinstance(ref, str):  # a select field given by its bare id, where the model allows it
            ref = Ref(id=ref)
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
