"""Which values a schema takes at all: its JSON types and its ``enum``/``const``.

A request schema breaks clients when it stops taking a type or a value it took; a response schema when the
server may send a type or a value it never did (SDKs make enums closed types), or stops promising a value.
"""

from __future__ import annotations

from typing import Any

from gateway.contract_guard._schema_findings import SchemaFindings, show
from gateway.contract_guard._schema_view import SchemaView, describe_types, null_last

_ALL_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})
_AS_VALUES = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


def compare_types(out: SchemaFindings, old: SchemaView, new: SchemaView, path: str) -> None:
    change = f"type changed from {describe_types(old.types)} to {describe_types(new.types)}"
    pointer = new.sources.get("type", new.pointer)
    if out.request and (lost := _missing(old.types, new.types)):
        allowed = _as_values(lost)
        reason = f"clients that send {allowed} here, as the base version allowed, are now refused"
        out.report("type-narrowed", path, change, reason, pointer, "current")
    if not out.request and (gained := _missing(new.types, old.types)):
        reason = (
            f"the server may now send {_as_values(gained)} here; clients written against the base "
            "version don't expect it and can fail to read the answer"
        )
        out.report("type-widened", path, change, reason, pointer, "current")


def compare_enum(out: SchemaFindings, old: SchemaView, new: SchemaView, path: str) -> None:
    before, after = _enum_of(old), _enum_of(new)
    if before is not None and after is not None:
        for value in (v for v in before if v not in after):
            reason = (
                f"clients that send {show(value)} are now refused"
                if out.request
                else f"clients that wait for or act on {show(value)} will never get it again"
            )
            change = f"enum value {show(value)} removed"
            out.report("enum-value-removed", path, change, reason, old.at(_enum_keyword(old)), "base")
        if not out.request:
            for value in (v for v in after if v not in before):
                reason = (
                    "clients written against the base version meet a value they don't know; SDKs "
                    "generated from it make the enum a closed type and fail to read the answer"
                )
                change = f"enum value {show(value)} added"
                out.report("enum-value-added", path, change, reason, new.at(_enum_keyword(new)), "current")
    elif before is None and after is not None and out.request:
        reason = "any other value was accepted and is now refused"
        change = f"values limited to {', '.join(show(v) for v in after)}"
        out.report("enum-added", path, change, reason, new.at(_enum_keyword(new)), "current")
    elif before is not None and after is None and not out.request:
        reason = "the server may now send values clients have no handling for"
        change = f"values no longer limited to {', '.join(show(v) for v in before)}"
        out.report("enum-dropped", path, change, reason, old.at(_enum_keyword(old)), "base")


def _missing(allowed: frozenset[str] | None, now: frozenset[str] | None) -> frozenset[str]:
    """The types ``allowed`` lets through that ``now`` does not."""
    if now is None:
        return frozenset()
    lost = (_ALL_TYPES if allowed is None else allowed) - now
    if "number" in now:
        lost -= {"integer"}
    return frozenset(lost)


def _as_values(types: frozenset[str]) -> str:
    """``{"integer", "null"}`` -> ``an integer or null``, for the reasons."""
    return " or ".join(_AS_VALUES.get(t, t) for t in null_last(types))


def _enum_keyword(view: SchemaView) -> str:
    return "const" if "const" in view.keywords else "enum"


def _enum_of(view: SchemaView) -> list[Any] | None:
    """The values the schema is limited to, or ``None`` when it names none."""
    if "const" in view.keywords:
        return [view.keywords["const"]]
    values = view.keywords.get("enum")
    return list(values) if isinstance(values, list) else None
