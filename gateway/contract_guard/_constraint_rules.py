"""Constraints on a value of a given type: bounds, ``pattern``/``format``, ``multipleOf``, ``uniqueItems``.

A request constraint may only loosen (clients' values must still pass); a response constraint may only
tighten (the server must keep its promises).
"""

from __future__ import annotations

import math
from typing import Any

from gateway.contract_guard._schema_findings import SchemaFindings
from gateway.contract_guard._schema_view import LOWER_BOUNDS, UPPER_BOUNDS, SchemaView
from gateway.contract_guard.findings import Side

# How a value outside a bound looks, for the reasons: "longer than 80 characters".
_OUTSIDE = {
    "maxLength": "longer than {} character{}",
    "minLength": "shorter than {} character{}",
    "maximum": "above {}",
    "minimum": "below {}",
    "exclusiveMaximum": "of {} or above",
    "exclusiveMinimum": "of {} or below",
    "maxItems": "with more than {} item{}",
    "minItems": "with fewer than {} item{}",
    "maxProperties": "with more than {} field{}",
    "minProperties": "with fewer than {} field{}",
}

# ECMA-262, the dialect of JSON Schema patterns, defines these shorthands as exactly these sets: a pattern
# that spells one out is the same pattern, not a changed one.
_SHORTHANDS = {"d": "0-9", "s": r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"}


def compare_bounds(out: SchemaFindings, old: SchemaView, new: SchemaView, path: str) -> None:
    for keyword in (*UPPER_BOUNDS, *LOWER_BOUNDS):
        before, after = old.keywords.get(keyword), new.keywords.get(keyword)
        before = before if _is_bound(before) else None
        after = after if _is_bound(after) else None
        if before == after:
            continue
        upper = keyword in UPPER_BOUNDS
        if before is None:
            change = f"{keyword} {_number(after)} added"
        elif after is None:
            change = f"{keyword} {_number(before)} removed"
        else:
            moved = "lowered" if after < before else "raised"
            change = f"{keyword} {moved} from {_number(before)} to {_number(after)}"
        tighter = after is not None and (before is None or (after < before if upper else after > before))
        if out.request and tighter:
            reason = f"values {_outside(keyword, after)} were valid and are now refused"
            out.report("constraint-narrowed", path, change, reason, new.at(keyword), "current")
        if not out.request and not tighter:
            reason = (
                f"the server may now send values {_outside(keyword, before)}, "
                "which clients were promised they would never get"
            )
            pointer, side = _written(old, new, keyword, in_current=after is not None)
            out.report("constraint-widened", path, change, reason, pointer, side)


def compare_text_rules(out: SchemaFindings, old: SchemaView, new: SchemaView, path: str) -> None:
    for keyword in ("pattern", "format"):
        before, after = old.keywords.get(keyword), new.keywords.get(keyword)
        if before == after:
            continue
        if isinstance(before, str) and isinstance(after, str) and spelled_out(before) == spelled_out(after):
            continue  # format values have no backslashes, so this only ever matches patterns
        if before is not None and after is not None:
            change = f"{keyword} changed from {before!r} to {after!r}"
        elif after is not None:
            change = f"{keyword} {after!r} added"
        else:
            change = f"{keyword} {before!r} removed"
        if out.request and after is not None:
            reason = (
                f"values that matched {keyword} {before!r} may not match the new one and are then refused"
                if before is not None
                else f"values that don't match {after!r} were accepted and are now refused"
            )
            out.report(f"{keyword}-narrowed", path, change, reason, new.at(keyword), "current")
        if not out.request and before is not None:
            reason = (
                f"the server may now send values that don't match {keyword} {before!r}, "
                "which clients were promised"
            )
            pointer, side = _written(old, new, keyword, in_current=after is not None)
            out.report(f"{keyword}-widened", path, change, reason, pointer, side)


def compare_multiple_of(out: SchemaFindings, old: SchemaView, new: SchemaView, path: str) -> None:
    before, after = old.keywords.get("multipleOf"), new.keywords.get("multipleOf")
    if before == after:
        return
    change = f"multipleOf changed from {before} to {after}"
    if out.request and after is not None and not _is_multiple(before, after):
        reason = f"values that are not multiples of {after} were accepted and are now refused"
        out.report("constraint-narrowed", path, change, reason, new.at("multipleOf"), "current")
    if not out.request and before is not None and not _is_multiple(after, before):
        reason = f"the server may now send values that are not multiples of {before}"
        out.report("constraint-widened", path, change, reason, old.at("multipleOf"), "base")


def compare_unique_items(out: SchemaFindings, old: SchemaView, new: SchemaView, path: str) -> None:
    before = old.keywords.get("uniqueItems") is True
    after = new.keywords.get("uniqueItems") is True
    if out.request and after and not before:
        reason = "lists with repeated items were accepted and are now refused"
        out.report("constraint-narrowed", path, "uniqueItems added", reason, new.at("uniqueItems"), "current")
    if not out.request and before and not after:
        reason = "the server may now send lists with repeated items, which clients were promised it would not"
        out.report("constraint-widened", path, "uniqueItems removed", reason, old.at("uniqueItems"), "base")


def spelled_out(pattern: str) -> str:
    r"""``pattern`` with ``\d`` and ``\s`` written as the sets they stand for."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            pair = pattern[index : index + 2]
            index += 2
            expansion = _SHORTHANDS.get(pair[1])
            out.append(pair if expansion is None else expansion if in_class else f"[{expansion}]")
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


def _written(old: SchemaView, new: SchemaView, keyword: str, *, in_current: bool) -> tuple[str, Side]:
    """Where ``keyword`` is written: in the current version if it still is, else in the base."""
    if in_current:
        return new.at(keyword), "current"
    return old.at(keyword), "base"


def _outside(keyword: str, bound: Any) -> str:
    """Values outside ``bound``, in words: ``_outside("minLength", 1)`` -> ``shorter than 1 character``."""
    number = _number(bound)
    return _OUTSIDE[keyword].format(number, "" if number == "1" else "s")


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_bound(value: Any) -> bool:
    # OpenAPI 3.0 wrote exclusiveMaximum/exclusiveMinimum as booleans; only numbers are bounds.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_multiple(value: Any, of: Any) -> bool:
    if not (_is_bound(value) and _is_bound(of)) or of == 0:
        return False
    quotient = value / of
    return math.isclose(quotient, round(quotient))
