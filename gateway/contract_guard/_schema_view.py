"""What one schema allows, with ``$ref``s followed and ``allOf``/``oneOf``/``anyOf`` folded in.

``$ref``s are followed into ``components/schemas`` (each once per view, so a recursive schema ends), which
is how a change to a shared schema shows at every place that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gateway.contract_guard.document import Document
from gateway.contract_guard.findings import escape_pointer_token

UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_KEYWORDS = (
    *UPPER_BOUNDS,
    *LOWER_BOUNDS,
    "pattern",
    "format",
    "multipleOf",
    "uniqueItems",
    "enum",
    "const",
    "items",
    "additionalProperties",
)


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

    def at(self, keyword: str) -> str:
        """The pointer of ``keyword`` where this schema says it (where the schema is, if it does not)."""
        return f"{self.sources.get(keyword, self.pointer)}/{keyword}"


def view_of(doc: Document, node: Any, pointer: str) -> SchemaView:
    view = SchemaView(pointer=pointer)
    _absorb(doc, view, node, pointer)
    return view


def describe_types(types: frozenset[str] | None) -> str:
    if types is None:
        return "any type"
    if not types:
        return "nothing"
    return " or ".join(null_last(types))


def null_last(types: frozenset[str]) -> list[str]:
    """The types in the order the reasons name them: ``string or null``."""
    return sorted(types, key=lambda t: (t == "null", t))


def single_key(node: Any, view: SchemaView) -> str:
    """The key a schema without alternatives has as one: the name of its definition if it has one."""
    if (name := _ref_name(node)) is not None:
        return name
    if len(view.refs) == 1:
        return next(iter(view.refs)).rsplit("/", 1)[-1]
    return describe_types(view.types)


def _ref_name(node: Any) -> str | None:
    """``Customer`` for ``{"$ref": "#/components/schemas/Customer"}``."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


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
        _absorb_view(view, subs[0])
        return
    for (branch, branch_pointer), sub in zip(kept, subs, strict=True):
        view.variants[_variant_key(branch, sub, view.variants)] = (branch, branch_pointer)


def _absorb_view(view: SchemaView, sub: SchemaView) -> None:
    """Fold the view of the one non-null alternative into ``view``; its types are already in."""
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


def _variant_key(branch: Any, sub: SchemaView, taken: dict[str, Any]) -> str:
    key = _ref_name(branch)
    if key is None:
        key = describe_types(sub.types)
    while key in taken:
        key += "'"
    return key
