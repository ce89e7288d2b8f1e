"""Compare two versions of a JSON Schema where one part of an operation uses it.

Which changes break depends on who writes the values. A **request** schema (the consumer writes) must still
accept everything it accepted: a narrower type, a tighter bound, a new required field or a removed one breaks
clients. A **response** schema (the server writes) must still promise everything it promised: a removed
field, a field that may now be missing, a removed enum value, and anything the server may now send that
clients were told they would never get (a new type, a new enum value, a looser bound) break clients.
A tighter response constraint and a new response field pass: consumers ignore fields they don't know.

This module walks the two schemas side by side (fields, list items, extra fields, alternatives); the rules
for one schema node are in ``_type_rules`` and ``_constraint_rules``. ``$ref``s are followed into
``components/schemas``, so a change to a shared schema is reported at every place that uses it; a recursive
schema is compared once per path through it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.contract_guard._constraint_rules import (
    compare_bounds,
    compare_multiple_of,
    compare_text_rules,
    compare_unique_items,
)
from gateway.contract_guard._schema_findings import SchemaFindings, show
from gateway.contract_guard._schema_view import SchemaView, single_key, view_of
from gateway.contract_guard._type_rules import compare_enum, compare_types
from gateway.contract_guard.document import Document
from gateway.contract_guard.findings import Direction

_NodeRule = Callable[[SchemaFindings, SchemaView, SchemaView, str], None]
# In this order, so that the findings for one field read from what it is to how it is bounded.
_NODE_RULES: tuple[_NodeRule, ...] = (
    compare_types,
    compare_enum,
    compare_bounds,
    compare_text_rules,
    compare_multiple_of,
    compare_unique_items,
)


class SchemaComparison(SchemaFindings):
    """Compares the schemas of one part of one operation and collects what breaks."""

    def __init__(
        self, before: Document, after: Document, direction: Direction, operation: str, location: str
    ) -> None:
        super().__init__(direction, operation, location)
        self.before = before
        self.after = after
        self._in_progress: set[tuple[frozenset[str], frozenset[str]]] = set()

    def compare(
        self, before: Any, before_pointer: str, after: Any, after_pointer: str, path: str = ""
    ) -> None:
        old = view_of(self.before, before, before_pointer)
        new = view_of(self.after, after, after_pointer)
        pair = (frozenset(old.refs), frozenset(new.refs))
        if old.refs or new.refs:
            if pair in self._in_progress:
                return  # a recursive schema: this pair of definitions is being compared further up
            self._in_progress.add(pair)
        try:
            # When only one side has alternatives, the other side's folded-in branch is compared with
            # them one by one (in _variants), not with the outer schema.
            if bool(old.variants) == bool(new.variants):
                for rule in _NODE_RULES:
                    rule(self, old, new, path)
                self._object(old, new, path)
                self._items(old, new, path)
            self._variants(old, new, path, (before, before_pointer), (after, after_pointer))
        finally:
            self._in_progress.discard(pair)

    def _compare_keyword(self, old: SchemaView, new: SchemaView, keyword: str, path: str) -> None:
        """Compare the subschemas both versions give under ``keyword`` (``items``, ...)."""
        self.compare(old.keywords[keyword], old.at(keyword), new.keywords[keyword], new.at(keyword), path)

    def _object(self, old: SchemaView, new: SchemaView, path: str) -> None:
        closed = new.keywords.get("additionalProperties") is False
        for name, (before, before_pointer) in old.properties.items():
            field_path = _join(path, name)
            if name not in new.properties:
                if self.request:
                    reason = (
                        "clients that send it are now refused (the schema takes no other fields)"
                        if closed
                        else "clients that send it have it silently ignored"
                    )
                else:
                    reason = "clients that read it find it missing"
                self.report("property-removed", field_path, "field removed", reason, before_pointer, "base")
                continue
            after, after_pointer = new.properties[name]
            if not self.request and name in old.required and name not in new.required:
                reason = "clients rely on it always being there; it may now be missing"
                change = "no longer required"
                self.report(
                    "property-became-optional", field_path, change, reason, new.at("required"), "current"
                )
            self.compare(before, before_pointer, after, after_pointer, field_path)
        if self.request:
            for name in sorted(new.required - old.required):
                field_path = _join(path, name)
                if name in old.properties and name in new.properties:
                    kind, change = "property-became-required", "became required"
                    reason = "requests that leave it out, as the base version allowed, are now refused"
                elif name not in old.properties:
                    kind, change = "property-added-required", "new required field"
                    reason = "requests made against the base version don't send it and are now refused"
                else:
                    continue
                self.report(kind, field_path, change, reason, new.at("required"), "current")
        self._additional_properties(old, new, path)

    def _additional_properties(self, old: SchemaView, new: SchemaView, path: str) -> None:
        keyword = "additionalProperties"
        before, after = old.keywords.get(keyword, True), new.keywords.get(keyword, True)
        if before == after:
            return
        field_path = _join(path, "*")
        if isinstance(before, dict) and isinstance(after, dict):
            self._compare_keyword(old, new, keyword, field_path)
            return
        open_before, open_after = before is True or before == {}, after is True or after == {}
        tightened: list[str] = []
        if self.request and open_before and not open_after:
            tightened.append(f"additionalProperties tightened to {show(after)}")
        if self.request and isinstance(before, dict) and after is False:
            tightened.append("additionalProperties set to false")  # from {} that is both of these changes
        for change in tightened:
            reason = "requests with fields beyond the listed ones were accepted and are now refused"
            self.report("additional-properties-tightened", path, change, reason, new.at(keyword), "current")
        if not self.request and isinstance(before, dict) and open_after:
            reason = "the server may now send values of any kind under keys clients read as one kind"
            change = "schema of extra fields removed"
            self.report("additional-properties-widened", field_path, change, reason, old.at(keyword), "base")

    def _items(self, old: SchemaView, new: SchemaView, path: str) -> None:
        before, after = old.keywords.get("items"), new.keywords.get("items")
        if isinstance(before, list) or isinstance(after, list):
            return  # tuple-style items (OpenAPI 3.0 era); our documents have none
        field_path = f"{path}[]"
        if before is not None and after is not None:
            self._compare_keyword(old, new, "items", field_path)
        elif after is not None and self.request:
            reason = "items of any kind were accepted and are now refused unless they match"
            self.report(
                "items-narrowed", field_path, "items now constrained", reason, new.at("items"), "current"
            )
        elif before is not None and not self.request:
            reason = "the server may now send items of any kind"
            self.report(
                "items-widened", field_path, "items no longer described", reason, old.at("items"), "base"
            )

    def _variants(
        self, old: SchemaView, new: SchemaView, path: str, before: tuple[Any, str], after: tuple[Any, str]
    ) -> None:
        if not old.variants and not new.variants:
            return
        # One side without alternatives counts as a single alternative, so that a oneOf that lost or
        # gained branches down to one is still compared branch by branch.
        old_variants = old.variants or {single_key(before[0], old): before}
        new_variants = new.variants or {single_key(after[0], new): after}
        for key, (before_node, before_pointer) in old_variants.items():
            if key in new_variants:
                after_node, after_pointer = new_variants[key]
                self.compare(before_node, before_pointer, after_node, after_pointer, path)
            elif self.request:
                reason = f"requests in the form {key} were accepted and are now refused"
                change = f"alternative {key} removed"
                self.report("variant-removed", path, change, reason, before_pointer, "base")
        if not self.request:
            for key, (_, after_pointer) in new_variants.items():
                if key not in old_variants:
                    reason = f"the server may now answer in a form ({key}) clients don't know"
                    change = f"alternative {key} added"
                    self.report("variant-added", path, change, reason, after_pointer, "current")


def _join(field_path: str, name: str) -> str:
    return f"{field_path}.{name}" if field_path else name
