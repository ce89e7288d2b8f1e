"""Compare two versions of a JSON Schema where one part of an operation uses it.

Which changes break depends on who writes the values. A **request** schema (the consumer writes) must still
accept everything it accepted: a narrower type, a tighter bound, a new required field or a removed one breaks
clients. A **response** schema (the server writes) must still promise everything it promised: a removed
field, a field that may now be missing, a removed enum value, and anything the server may now send that
clients were told they would never get (a new type, a new enum value, a looser bound) break clients.
A tighter response constraint and a new response field pass: consumers ignore fields they don't know.

``$ref``s are followed into ``components/schemas``, so a change to a shared schema is reported at every
place that uses it; a recursive schema is compared once per path through it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from gateway.contract_guard.document import Document
from gateway.contract_guard.findings import Finding, Side, escape_pointer_token

Direction = Literal["request", "response"]

_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_KEYWORDS = (
    *_UPPER_BOUNDS,
    *_LOWER_BOUNDS,
    "pattern",
    "format",
    "multipleOf",
    "uniqueItems",
    "enum",
    "const",
    "items",
    "additionalProperties",
)
_ALL_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})

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


def _outside(keyword: str, bound: Any) -> str:
    """Values outside ``bound``, in words: ``_outside("minLength", 1)`` -> ``shorter than 1 character``."""
    number = _number(bound)
    return _OUTSIDE[keyword].format(number, "" if number == "1" else "s")


# ECMA-262, the dialect of JSON Schema patterns, defines these shorthands as exactly these sets: a pattern
# that spells one out is the same pattern, not a changed one.
_SHORTHANDS = {"d": "0-9", "s": r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"}


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


@dataclass
class SchemaView:
    """What one schema allows, with ``$ref``, ``allOf`` and a nullable ``oneOf``/``anyOf`` folded in."""

    pointer: str
    types: frozenset[str] | None = None
    """The JSON types allowed; ``None`` when any is."""
    keywords: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    """Keyword -> pointer of the schema node that says it, so findings point where the change is written."""
    properties: dict[str, tuple[Any, str]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    variants: dict[str, tuple[Any, str]] = field(default_factory=dict)
    """Alternatives of a ``oneOf``/``anyOf`` with more than one non-null branch, by a stable key."""
    refs: set[str] = field(default_factory=set)


def view_of(doc: Document, node: Any, pointer: str) -> SchemaView:
    view = SchemaView(pointer=pointer)
    _absorb(doc, view, node, pointer)
    return view


def _declared_types(node: dict[str, Any]) -> frozenset[str] | None:
    declared = node.get("type")
    types: set[str] | None = None
    if isinstance(declared, str):
        types = {declared}
    elif isinstance(declared, list):
        types = {str(t) for t in declared}
    if node.get("nullable") is True and types is not None:  # OpenAPI 3.0 spelling
        types.add("null")
    return None if types is None else frozenset(types)


def _intersect(first: frozenset[str] | None, second: frozenset[str] | None) -> frozenset[str] | None:
    if first is None:
        return second
    if second is None:
        return first
    both = set(first & second)
    if ("integer" in first and "number" in second) or ("integer" in second and "number" in first):
        both.add("integer")
    return frozenset(both)


def _is_null(branch: Any) -> bool:
    return isinstance(branch, dict) and branch.get("type") in ("null", ["null"])


def _absorb(doc: Document, view: SchemaView, node: Any, pointer: str) -> None:
    """Fold ``node`` into ``view`` as if by ``allOf``: what both allow."""
    if node is False:
        view.types = frozenset()
        return
    if not isinstance(node, dict):
        return
    for keyword in _KEYWORDS:
        if keyword in node and keyword not in view.keywords:
            view.keywords[keyword] = node[keyword]
            view.sources[keyword] = pointer
    if (types := _declared_types(node)) is not None:
        view.types = _intersect(view.types, types)
        view.sources.setdefault("type", f"{pointer}/type")
    properties = node.get("properties")
    if isinstance(properties, dict):
        view.sources.setdefault("properties", pointer)
        for name, schema in properties.items():
            view.properties.setdefault(name, (schema, f"{pointer}/properties/{escape_pointer_token(name)}"))
    if isinstance(required := node.get("required"), list):
        view.required.update(str(name) for name in required)
        view.sources.setdefault("required", pointer)
    for index, part in enumerate(node.get("allOf") or []):
        _absorb(doc, view, part, f"{pointer}/allOf/{index}")
    for keyword in ("oneOf", "anyOf"):
        if isinstance(branches := node.get(keyword), list):
            _absorb_alternatives(doc, view, branches, f"{pointer}/{keyword}")
    ref = node.get("$ref")
    if isinstance(ref, str) and ref not in view.refs:
        view.refs.add(ref)
        _absorb(doc, view, doc.resolve(ref), ref[1:])


def _absorb_alternatives(doc: Document, view: SchemaView, branches: list[Any], pointer: str) -> None:
    """``X | null`` (how msgspec writes optional values) folds into one view that also allows null;
    more alternatives stay apart as variants, compared branch by branch."""
    nullable = any(_is_null(branch) for branch in branches)
    kept = [(branch, f"{pointer}/{index}") for index, branch in enumerate(branches) if not _is_null(branch)]
    subs = [view_of(doc, branch, branch_pointer) for branch, branch_pointer in kept]
    union: set[str] | None = {"null"} if nullable else set()
    for sub in subs:
        union = None if union is None or sub.types is None else union | sub.types
    view.types = _intersect(view.types, None if union is None else frozenset(union))
    view.sources.setdefault("type", pointer)
    if len(subs) == 1:
        sub = subs[0]
        for keyword, value in sub.keywords.items():
            if keyword not in view.keywords:
                view.keywords[keyword] = value
                view.sources[keyword] = sub.sources[keyword]
        for keyword in ("properties", "required"):
            if keyword in sub.sources:
                view.sources.setdefault(keyword, sub.sources[keyword])
        for name, entry in sub.properties.items():
            view.properties.setdefault(name, entry)
        view.required |= sub.required
        view.variants.update(sub.variants)
        view.refs |= sub.refs
        return
    for (branch, branch_pointer), sub in zip(kept, subs, strict=True):
        view.variants[_variant_key(branch, sub, view.variants)] = (branch, branch_pointer)


def _variant_key(branch: Any, sub: SchemaView, taken: dict[str, Any]) -> str:
    ref = branch.get("$ref") if isinstance(branch, dict) else None
    key = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else _describe_types(sub.types)
    while key in taken:
        key += "'"
    return key


def _describe_types(types: frozenset[str] | None) -> str:
    if types is None:
        return "any type"
    if not types:
        return "nothing"
    return " or ".join(sorted(types, key=lambda t: (t == "null", t)))


def _as_values(types: frozenset[str]) -> str:
    """``{"integer", "null"}`` -> ``an integer or null``, for the reasons."""
    named = {"string": "a string", "number": "a number", "integer": "an integer", "boolean": "a boolean"}
    named |= {"array": "a list", "object": "an object", "null": "null"}
    return " or ".join(named.get(t, t) for t in sorted(types, key=lambda t: (t == "null", t)))


def _missing(allowed: frozenset[str] | None, now: frozenset[str] | None) -> frozenset[str]:
    """The types ``allowed`` lets through that ``now`` does not."""
    if now is None:
        return frozenset()
    lost = (_ALL_TYPES if allowed is None else allowed) - now
    if "number" in now:
        lost -= {"integer"}
    return frozenset(lost)


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


def _enum_of(view: SchemaView) -> list[Any] | None:
    if "const" in view.keywords:
        return [view.keywords["const"]]
    values = view.keywords.get("enum")
    return list(values) if isinstance(values, list) else None


def _show(value: Any) -> str:
    return json.dumps(value)


def _written(old: SchemaView, new: SchemaView, keyword: str, *, in_current: bool) -> tuple[str, Side]:
    """Where ``keyword`` is written: in the current version if it still is, else in the base."""
    if in_current:
        return f"{new.sources[keyword]}/{keyword}", "current"
    return f"{old.sources[keyword]}/{keyword}", "base"


def _join(field_path: str, name: str) -> str:
    return f"{field_path}.{name}" if field_path else name


@dataclass
class SchemaComparison:
    """Compares the schemas of one part of one operation and collects what breaks."""

    before: Document
    after: Document
    direction: Direction
    operation: str
    location: str
    findings: list[Finding] = field(default_factory=list)
    _in_progress: set[tuple[frozenset[str], frozenset[str]]] = field(default_factory=set)

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
                self._types(old, new, path)
                self._enum(old, new, path)
                self._bounds(old, new, path)
                self._text_rules(old, new, path)
                self._multiple_of(old, new, path)
                self._unique_items(old, new, path)
                self._object(old, new, path)
                self._items(old, new, path)
            self._variants(old, new, path, (before, before_pointer), (after, after_pointer))
        finally:
            self._in_progress.discard(pair)

    def _report(self, kind: str, path: str, change: str, reason: str, pointer: str, side: Side) -> None:
        self.findings.append(
            Finding(
                kind=f"{self.direction}-{kind}",
                operation=self.operation,
                location=self.location,
                field=path,
                change=change,
                reason=reason,
                pointer=pointer,
                side=side,
            )
        )

    @property
    def _request(self) -> bool:
        return self.direction == "request"

    def _types(self, old: SchemaView, new: SchemaView, path: str) -> None:
        change = f"type changed from {_describe_types(old.types)} to {_describe_types(new.types)}"
        pointer = new.sources.get("type", new.pointer)
        if self._request and (lost := _missing(old.types, new.types)):
            allowed = _as_values(lost)
            reason = f"clients that send {allowed} here, as the base version allowed, are now refused"
            self._report("type-narrowed", path, change, reason, pointer, "current")
        if not self._request and (gained := _missing(new.types, old.types)):
            reason = (
                f"the server may now send {_as_values(gained)} here; clients written against the base "
                "version don't expect it and can fail to read the answer"
            )
            self._report("type-widened", path, change, reason, pointer, "current")

    def _enum(self, old: SchemaView, new: SchemaView, path: str) -> None:
        before, after = _enum_of(old), _enum_of(new)
        keyword = "const" if "const" in new.keywords else "enum"
        old_keyword = "const" if "const" in old.keywords else "enum"
        if before is not None and after is not None:
            for value in (v for v in before if v not in after):
                pointer = f"{old.sources.get(old_keyword, old.pointer)}/{old_keyword}"
                reason = (
                    f"clients that send {_show(value)} are now refused"
                    if self._request
                    else f"clients that wait for or act on {_show(value)} will never get it again"
                )
                self._report(
                    "enum-value-removed", path, f"enum value {_show(value)} removed", reason, pointer, "base"
                )
            if not self._request:
                for value in (v for v in after if v not in before):
                    reason = (
                        "clients written against the base version meet a value they don't know; SDKs "
                        "generated from it make the enum a closed type and fail to read the answer"
                    )
                    pointer = f"{new.sources.get(keyword, new.pointer)}/{keyword}"
                    self._report(
                        "enum-value-added",
                        path,
                        f"enum value {_show(value)} added",
                        reason,
                        pointer,
                        "current",
                    )
        elif before is None and after is not None and self._request:
            reason = "any other value was accepted and is now refused"
            change = f"values limited to {', '.join(_show(v) for v in after)}"
            pointer = f"{new.sources.get(keyword, new.pointer)}/{keyword}"
            self._report("enum-added", path, change, reason, pointer, "current")
        elif before is not None and after is None and not self._request:
            reason = "the server may now send values clients have no handling for"
            change = f"values no longer limited to {', '.join(_show(v) for v in before)}"
            pointer = f"{old.sources.get(old_keyword, old.pointer)}/{old_keyword}"
            self._report("enum-dropped", path, change, reason, pointer, "base")

    def _bounds(self, old: SchemaView, new: SchemaView, path: str) -> None:
        for keyword in (*_UPPER_BOUNDS, *_LOWER_BOUNDS):
            before, after = old.keywords.get(keyword), new.keywords.get(keyword)
            before = before if _is_bound(before) else None
            after = after if _is_bound(after) else None
            if before == after:
                continue
            upper = keyword in _UPPER_BOUNDS
            if before is None:
                change = f"{keyword} {_number(after)} added"
            elif after is None:
                change = f"{keyword} {_number(before)} removed"
            else:
                moved = "lowered" if after < before else "raised"
                change = f"{keyword} {moved} from {_number(before)} to {_number(after)}"
            tighter = after is not None and (before is None or (after < before if upper else after > before))
            if self._request and tighter:
                reason = f"values {_outside(keyword, after)} were valid and are now refused"
                self._report(
                    "constraint-narrowed",
                    path,
                    change,
                    reason,
                    f"{new.sources[keyword]}/{keyword}",
                    "current",
                )
            if not self._request and not tighter:
                reason = (
                    f"the server may now send values {_outside(keyword, before)}, "
                    "which clients were promised they would never get"
                )
                pointer, side = _written(old, new, keyword, in_current=after is not None)
                self._report("constraint-widened", path, change, reason, pointer, side)

    def _text_rules(self, old: SchemaView, new: SchemaView, path: str) -> None:
        for keyword in ("pattern", "format"):
            before, after = old.keywords.get(keyword), new.keywords.get(keyword)
            if before == after:
                continue
            if (
                isinstance(before, str)
                and isinstance(after, str)
                and spelled_out(before) == spelled_out(after)
            ):
                continue  # format values have no backslashes, so this only ever matches patterns
            if before is not None and after is not None:
                change = f"{keyword} changed from {before!r} to {after!r}"
            elif after is not None:
                change = f"{keyword} {after!r} added"
            else:
                change = f"{keyword} {before!r} removed"
            if self._request and after is not None:
                reason = (
                    f"values that matched {keyword} {before!r} may not match the new one and are then refused"
                    if before is not None
                    else f"values that don't match {after!r} were accepted and are now refused"
                )
                self._report(
                    f"{keyword}-narrowed",
                    path,
                    change,
                    reason,
                    f"{new.sources[keyword]}/{keyword}",
                    "current",
                )
            if not self._request and before is not None:
                reason = (
                    f"the server may now send values that don't match {keyword} {before!r}, "
                    "which clients were promised"
                )
                pointer, side = _written(old, new, keyword, in_current=after is not None)
                self._report(f"{keyword}-widened", path, change, reason, pointer, side)

    def _multiple_of(self, old: SchemaView, new: SchemaView, path: str) -> None:
        before, after = old.keywords.get("multipleOf"), new.keywords.get("multipleOf")
        if before == after:
            return
        change = f"multipleOf changed from {before} to {after}"
        if self._request and after is not None and not _is_multiple(before, after):
            reason = f"values that are not multiples of {after} were accepted and are now refused"
            pointer = f"{new.sources['multipleOf']}/multipleOf"
            self._report("constraint-narrowed", path, change, reason, pointer, "current")
        if not self._request and before is not None and not _is_multiple(after, before):
            reason = f"the server may now send values that are not multiples of {before}"
            pointer = f"{old.sources['multipleOf']}/multipleOf"
            self._report("constraint-widened", path, change, reason, pointer, "base")

    def _unique_items(self, old: SchemaView, new: SchemaView, path: str) -> None:
        before = old.keywords.get("uniqueItems") is True
        after = new.keywords.get("uniqueItems") is True
        if self._request and after and not before:
            reason = "lists with repeated items were accepted and are now refused"
            pointer = f"{new.sources['uniqueItems']}/uniqueItems"
            self._report("constraint-narrowed", path, "uniqueItems added", reason, pointer, "current")
        if not self._request and before and not after:
            reason = (
                "the server may now send lists with repeated items, which clients were promised it would not"
            )
            pointer = f"{old.sources['uniqueItems']}/uniqueItems"
            self._report("constraint-widened", path, "uniqueItems removed", reason, pointer, "base")

    def _object(self, old: SchemaView, new: SchemaView, path: str) -> None:
        closed = new.keywords.get("additionalProperties") is False
        for name, (before, before_pointer) in old.properties.items():
            field_path = _join(path, name)
            if name not in new.properties:
                if self._request:
                    reason = (
                        "clients that send it are now refused (the schema takes no other fields)"
                        if closed
                        else "clients that send it have it silently ignored"
                    )
                else:
                    reason = "clients that read it find it missing"
                self._report("property-removed", field_path, "field removed", reason, before_pointer, "base")
                continue
            after, after_pointer = new.properties[name]
            if not self._request and name in old.required and name not in new.required:
                reason = "clients rely on it always being there; it may now be missing"
                pointer = f"{new.sources.get('required', new.pointer)}/required"
                self._report(
                    "property-became-optional", field_path, "no longer required", reason, pointer, "current"
                )
            self.compare(before, before_pointer, after, after_pointer, field_path)
        if self._request:
            for name in sorted(new.required - old.required):
                field_path = _join(path, name)
                pointer = f"{new.sources.get('required', new.pointer)}/required"
                if name in old.properties and name in new.properties:
                    reason = "requests that leave it out, as the base version allowed, are now refused"
                    self._report(
                        "property-became-required", field_path, "became required", reason, pointer, "current"
                    )
                elif name not in old.properties:
                    reason = "requests made against the base version don't send it and are now refused"
                    self._report(
                        "property-added-required",
                        field_path,
                        "new required field",
                        reason,
                        pointer,
                        "current",
                    )
        self._additional_properties(old, new, path)

    def _additional_properties(self, old: SchemaView, new: SchemaView, path: str) -> None:
        before = old.keywords.get("additionalProperties", True)
        after = new.keywords.get("additionalProperties", True)
        if before == after:
            return
        field_path = _join(path, "*")
        if isinstance(before, dict) and isinstance(after, dict):
            self.compare(
                before,
                f"{old.sources['additionalProperties']}/additionalProperties",
                after,
                f"{new.sources['additionalProperties']}/additionalProperties",
                field_path,
            )
            return
        open_before, open_after = before is True or before == {}, after is True or after == {}
        if self._request and open_before and not open_after:
            change = f"additionalProperties tightened to {_show(after)}"
            reason = "requests with fields beyond the listed ones were accepted and are now refused"
            pointer = f"{new.sources['additionalProperties']}/additionalProperties"
            self._report("additional-properties-tightened", path, change, reason, pointer, "current")
        if self._request and isinstance(before, dict) and after is False:
            reason = "requests with fields beyond the listed ones were accepted and are now refused"
            pointer = f"{new.sources['additionalProperties']}/additionalProperties"
            self._report(
                "additional-properties-tightened",
                path,
                "additionalProperties set to false",
                reason,
                pointer,
                "current",
            )
        if not self._request and isinstance(before, dict) and open_after:
            reason = "the server may now send values of any kind under keys clients read as one kind"
            pointer = f"{old.sources['additionalProperties']}/additionalProperties"
            self._report(
                "additional-properties-widened",
                field_path,
                "schema of extra fields removed",
                reason,
                pointer,
                "base",
            )

    def _items(self, old: SchemaView, new: SchemaView, path: str) -> None:
        before, after = old.keywords.get("items"), new.keywords.get("items")
        if isinstance(before, list) or isinstance(after, list):
            return  # tuple-style items (OpenAPI 3.0 era); our documents have none
        field_path = f"{path}[]"
        if before is not None and after is not None:
            self.compare(
                before, f"{old.sources['items']}/items", after, f"{new.sources['items']}/items", field_path
            )
        elif after is not None and self._request:
            reason = "items of any kind were accepted and are now refused unless they match"
            self._report(
                "items-narrowed",
                field_path,
                "items now constrained",
                reason,
                f"{new.sources['items']}/items",
                "current",
            )
        elif before is not None and not self._request:
            reason = "the server may now send items of any kind"
            self._report(
                "items-widened",
                field_path,
                "items no longer described",
                reason,
                f"{old.sources['items']}/items",
                "base",
            )

    def _variants(
        self, old: SchemaView, new: SchemaView, path: str, before: tuple[Any, str], after: tuple[Any, str]
    ) -> None:
        if not old.variants and not new.variants:
            return
        # One side without alternatives counts as a single alternative, so that a oneOf that lost or
        # gained branches down to one is still compared branch by branch.
        old_variants = old.variants or {_single_key(before[0], old): before}
        new_variants = new.variants or {_single_key(after[0], new): after}
        for key, (before_node, before_pointer) in old_variants.items():
            if key in new_variants:
                after_node, after_pointer = new_variants[key]
                self.compare(before_node, before_pointer, after_node, after_pointer, path)
            elif self._request:
                reason = f"requests in the form {key} were accepted and are now refused"
                self._report(
                    "variant-removed", path, f"alternative {key} removed", reason, before_pointer, "base"
                )
        if not self._request:
            for key, (_, after_pointer) in new_variants.items():
                if key not in old_variants:
                    reason = f"the server may now answer in a form ({key}) clients don't know"
                    self._report(
                        "variant-added", path, f"alternative {key} added", reason, after_pointer, "current"
                    )


def _single_key(node: Any, view: SchemaView) -> str:
    ref = node.get("$ref") if isinstance(node, dict) else None
    if isinstance(ref, str):
        return ref.rsplit("/", 1)[-1]
    if len(view.refs) == 1:
        return next(iter(view.refs)).rsplit("/", 1)[-1]
    return _describe_types(view.types)
