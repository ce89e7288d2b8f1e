"""JSON Schema to msgspec types (the package docstring says what is supported, and why soundness
matters)."""

from __future__ import annotations

import functools
import math
import operator
import re
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal, NamedTuple

import msgspec

from gateway._body_types._patterns import Unsupported, pattern_words, translate_pattern

_ANNOTATIONS = frozenset(
    (
        "description",
        "title",
        "examples",
        "example",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "format",
    )
)
_STRING = ("minLength", "maxLength", "pattern")
_NUMBER = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_ARRAY = ("items", "minItems", "maxItems")
_OBJECT = ("properties", "required", "additionalProperties")
_KNOWN = frozenset({"$ref", "type", "enum", "const", "oneOf", *_STRING, *_NUMBER, *_ARRAY, *_OBJECT})
_REF = "#/components/schemas/"
#: Integers of at most this magnitude are exact as floats; a ``number`` bound must be below it.
_EXACT = 2**53


class CompiledBody(NamedTuple):
    """A body schema as a msgspec type.

    ``skips_unknown`` is true when some object lets unknown members through: msgspec skips their
    values without building them, and so without checking their UTF-8 or the range of their
    numbers, which a plain decode does; a caller must then also decode the body plainly.
    """

    type: Any
    skips_unknown: bool


def compile_body_type(schema: Any, components: dict[str, Any]) -> Any | None:
    """The msgspec type for ``schema``, or None when it uses anything outside the supported subset."""
    compiled = compile_body(schema, components)
    return None if compiled is None else compiled.type


def compile_body(schema: Any, components: dict[str, Any]) -> CompiledBody | None:
    """Like :func:`compile_body_type`, with what the caller must know besides (see the module)."""
    try:
        return explain_compile(schema, components)
    except Unsupported:
        return None


def explain_compile(schema: Any, components: dict[str, Any]) -> CompiledBody:
    """Like :func:`compile_body`, but raise :class:`Unsupported` saying why instead of None."""
    node = _Compiler(components).node(schema, ())
    emitter = _Emitter()
    try:
        tp = emitter.type(node, "Body")
        msgspec.json.Decoder(type=tp)  # msgspec checks the type (unions, above all) here
    except (TypeError, ValueError) as error:  # msgspec (or typing) refuses what was built
        raise Unsupported(f"msgspec cannot decode the type: {error}") from None
    return CompiledBody(tp, emitter.skips_unknown)


# -- the constraints of a schema, per JSON type ------------------------------------------------------

_Bound = tuple[int | float, bool]  # (value, exclusive)


@dataclass(frozen=True)
class _Num:
    integer: bool = False  # only numbers with no fraction (msgspec ``int``)
    low: _Bound | None = None
    high: _Bound | None = None
    values: frozenset[int] | None = None  # enum/const of integers

    def __and__(self, other: _Num) -> _Num:
        return _Num(
            self.integer or other.integer,
            _tighter(self.low, other.low, lower=True),
            _tighter(self.high, other.high, lower=False),
            _both(self.values, other.values),
        )


@dataclass(frozen=True)
class _Str:
    min_length: int = 0
    max_length: int | None = None
    pattern: str | None = None  # the Python translation
    values: frozenset[str] | None = None

    def __and__(self, other: _Str) -> _Str:
        if self.pattern is not None and other.pattern is not None and self.pattern != other.pattern:
            raise Unsupported("two patterns for one string")
        return _Str(
            max(self.min_length, other.min_length),
            _least(self.max_length, other.max_length),
            self.pattern if self.pattern is not None else other.pattern,
            _both(self.values, other.values),
        )


@dataclass(frozen=True)
class _Arr:
    items: _Node | None = None  # None: anything
    min_items: int = 0
    max_items: int | None = None

    def __and__(self, other: _Arr) -> _Arr:
        if self.items is None or other.items is None:
            items = self.items if other.items is None else other.items
        else:
            items = self.items & other.items
        return _Arr(items, max(self.min_items, other.min_items), _least(self.max_items, other.max_items))


@dataclass(frozen=True)
class _Obj:
    properties: tuple[tuple[str, _Node], ...] = ()
    required: frozenset[str] = frozenset()
    additional: _Node | bool = True  # True: anything, False: none, a node: ``dict[str, T]``
    name: str | None = None  # the component it came from, to name the Struct

    def __and__(self, other: _Obj) -> _Obj:
        if self.unconstrained:
            return other
        if other.unconstrained:
            return self
        raise Unsupported("two object schemas to intersect")

    @property
    def unconstrained(self) -> bool:
        return not self.properties and not self.required and self.additional is True


@dataclass(frozen=True)
class _Node:
    """The JSON values a schema accepts: per JSON type, None (none of that type) or constraints."""

    null: bool = True
    boolean: bool = True
    number: _Num | None = field(default_factory=_Num)
    string: _Str | None = field(default_factory=_Str)
    array: _Arr | None = field(default_factory=_Arr)
    object: _Obj | None = field(default_factory=_Obj)

    def __and__(self, other: _Node) -> _Node:
        return _Node(
            self.null and other.null,
            self.boolean and other.boolean,
            _meet(self.number, other.number),
            _meet(self.string, other.string),
            _meet(self.array, other.array),
            _meet(self.object, other.object),
        )


_NOTHING = _Node(False, False, None, None, None, None)


def _meet(a: Any, b: Any) -> Any:
    return None if a is None or b is None else a & b


def _both(a: frozenset[Any] | None, b: frozenset[Any] | None) -> frozenset[Any] | None:
    if a is None:
        return b
    return a if b is None else a & b


def _least(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    return a if b is None else min(a, b)


def _tighter(a: _Bound | None, b: _Bound | None, *, lower: bool) -> _Bound | None:
    """The stricter of two lower (or upper) bounds; at the same value, the exclusive one."""
    if a is None or b is None:
        return b if a is None else a
    if a[0] == b[0]:
        return (a[0], a[1] or b[1])
    if lower:
        return a if a[0] > b[0] else b
    return a if a[0] < b[0] else b


# -- schema -> constraints ------------------------------------------------------------------------------


class _Compiler:
    def __init__(self, components: dict[str, Any]) -> None:
        schemas = components.get("schemas", {}) if isinstance(components, dict) else {}
        self._schemas: dict[str, Any] = schemas if isinstance(schemas, dict) else {}

    def node(self, schema: Any, refs: tuple[str, ...]) -> _Node:
        """The constraints of ``schema``; ``refs``: the components being expanded (for recursion)."""
        if schema is True:
            return _Node()
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r}")
        unknown = set(schema) - _KNOWN - _ANNOTATIONS
        if unknown:
            raise Unsupported(f"keyword(s) {', '.join(sorted(unknown))}")
        node = _Node()
        if "$ref" in schema:
            node &= self._ref(schema["$ref"], refs)
        if "type" in schema:
            node &= _type(schema["type"])
        if "enum" in schema:
            node &= _enum(schema["enum"])
        if "const" in schema:
            node &= _enum([schema["const"]])
        if "oneOf" in schema:
            node &= self._one_of(schema["oneOf"], refs)
        if any(k in schema for k in _STRING):
            node &= replace(_Node(), string=_string(schema))
        if any(k in schema for k in _NUMBER):
            node &= replace(_Node(), number=_number(schema))
        if any(k in schema for k in _ARRAY):
            node &= replace(_Node(), array=self._array(schema, refs))
        if any(k in schema for k in _OBJECT):
            node &= replace(_Node(), object=self._object(schema, refs))
        return node

    def _ref(self, ref: Any, refs: tuple[str, ...]) -> _Node:
        if not isinstance(ref, str) or not ref.startswith(_REF):
            raise Unsupported(f"$ref {ref!r}")
        name = ref[len(_REF) :]
        if not name or any(c in name for c in "/~%#"):
            raise Unsupported(f"$ref {ref!r}")
        if name in refs:
            raise Unsupported(f"recursive $ref {ref!r}")
        if name not in self._schemas:
            raise Unsupported(f"$ref {ref!r}: no such schema")
        node = self.node(self._schemas[name], (*refs, name))
        if node.object is not None and not node.object.unconstrained and node.object.name is None:
            node = replace(node, object=replace(node.object, name=name))
        return node

    def _one_of(self, branches: Any, refs: tuple[str, ...]) -> _Node:
        if not isinstance(branches, list) or len(branches) != 2:
            raise Unsupported("oneOf other than [X, {type: null}]")
        nulls = [i for i, b in enumerate(branches) if _is_null(b)]
        if len(nulls) != 1:
            raise Unsupported("oneOf other than [X, {type: null}]")
        other = self.node(branches[1 - nulls[0]], refs)
        # null would match both branches, which oneOf refuses. This relies on ``null`` being
        # exact in every node (never narrowed, as other constraints may be): it is decided by
        # type, enum/const (never null here) and this very rule, all exact.
        if other.null:
            raise Unsupported("oneOf [X, {type: null}] where X accepts null")
        return replace(other, null=True)

    def _array(self, schema: dict[str, Any], refs: tuple[str, ...]) -> _Arr:
        items = self.node(schema["items"], refs) if "items" in schema else None
        return _Arr(items, _count(schema, "minItems", 0), _count(schema, "maxItems", None))

    def _object(self, schema: dict[str, Any], refs: tuple[str, ...]) -> _Obj:
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        additional = schema.get("additionalProperties", True)
        if not isinstance(properties, dict) or not all(isinstance(k, str) for k in properties):
            raise Unsupported("properties")
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise Unsupported("required")
        if len(set(required)) != len(required) or not set(required) <= set(properties):
            raise Unsupported("required names a member that is not among the properties, or twice")
        extra: _Node | bool
        if isinstance(additional, bool):
            extra = additional
        elif properties or "properties" in schema or required:
            raise Unsupported("additionalProperties as a schema beside properties/required")
        else:
            extra = self.node(additional, refs)
        members = tuple((name, self.node(sub, refs)) for name, sub in properties.items())
        return _Obj(members, frozenset(required), extra)


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and {k: v for k, v in schema.items() if k not in _ANNOTATIONS} == {
        "type": "null"
    }


def _type(names: Any) -> _Node:
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise Unsupported(f"type {names!r}")
    unknown = set(names) - {"null", "boolean", "integer", "number", "string", "array", "object"}
    if unknown:
        raise Unsupported(f"type {names!r}")
    number = None
    if "number" in names:
        number = _Num()
    elif "integer" in names:
        number = _Num(integer=True)
    return _Node(
        "null" in names,
        "boolean" in names,
        number,
        _Str() if "string" in names else None,
        _Arr() if "array" in names else None,
        _Obj() if "object" in names else None,
    )


def _enum(values: Any) -> _Node:
    if not isinstance(values, list) or not values:
        raise Unsupported("enum")
    if all(isinstance(v, str) for v in values):
        return replace(_NOTHING, string=_Str(values=frozenset(values)))
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return replace(_NOTHING, number=_Num(integer=True, values=frozenset(values)))
    raise Unsupported("enum/const other than all strings or all integers")


def _count(schema: dict[str, Any], key: str, absent: int | None) -> Any:
    if key not in schema:
        return absent
    value = schema[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Unsupported(f"{key} {value!r}")
    return value


def _string(schema: dict[str, Any]) -> _Str:
    min_length, max_length = _count(schema, "minLength", 0), _count(schema, "maxLength", None)
    pattern = schema.get("pattern")
    if pattern is None:
        return _Str(min_length, max_length)
    if not isinstance(pattern, str):
        raise Unsupported(f"pattern {pattern!r}")
    translated = translate_pattern(pattern)  # first: it refuses what is not understood
    words = pattern_words(pattern)
    if words is not None:  # exactly the strings the pattern matches: cheaper to check
        return _Str(min_length, max_length, values=words)
    return _Str(min_length, max_length, translated)


def _number(schema: dict[str, Any]) -> _Num:
    def bound(key: str) -> int | float | None:
        value = schema.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise Unsupported(f"{key} {value!r}")
        return value

    low = high = None
    if (v := bound("minimum")) is not None:
        low = _tighter(low, (v, False), lower=True)
    if (v := bound("exclusiveMinimum")) is not None:
        low = _tighter(low, (v, True), lower=True)
    if (v := bound("maximum")) is not None:
        high = _tighter(high, (v, False), lower=False)
    if (v := bound("exclusiveMaximum")) is not None:
        high = _tighter(high, (v, True), lower=False)
    return _Num(low=low, high=high)


# -- constraints -> msgspec types ---------------------------------------------------------------------


class _Emitter:
    def __init__(self) -> None:
        self.skips_unknown = False
        self._names: dict[str, int] = {}
        # equal constraints, one type: billTo and soldTo share one Address Struct
        self._done: dict[_Node, Any] = {}
        self._structs: dict[_Obj, Any] = {}

    def type(self, node: _Node, name: str) -> Any:
        """The msgspec type of ``node``; ``name``: a hint for the Struct names."""
        if node not in self._done:
            self._done[node] = self._type(node, name)
        return self._done[node]

    def _type(self, node: _Node, name: str) -> Any:
        if node == _Node():
            return Any
        parts: list[Any] = []
        if node.null:
            parts.append(None)
        if node.boolean:
            parts.append(bool)
        if node.number is not None and (tp := _number_type(node.number)) is not None:
            parts.append(tp)
        if node.string is not None and (tp := _string_type(node.string)) is not None:
            parts.append(tp)
        if node.array is not None:
            parts.append(self._array(node.array, name))
        if node.object is not None:
            parts.append(self._object(node.object, name))
        if not parts:
            raise Unsupported("a schema that no value satisfies")
        return functools.reduce(operator.or_, parts)

    def _array(self, array: _Arr, name: str) -> Any:
        items = Any if array.items is None else self.type(array.items, f"{name}Item")
        return _annotated(
            list.__class_getitem__(items), min_length=array.min_items or None, max_length=array.max_items
        )

    def _object(self, obj: _Obj, name: str) -> Any:
        if not isinstance(obj.additional, bool):
            return dict.__class_getitem__((str, self.type(obj.additional, f"{name}Value")))
        if obj.unconstrained:
            return dict[str, Any]
        if obj not in self._structs:
            self._structs[obj] = self._struct(obj, obj.name or name)
        return self._structs[obj]

    def _struct(self, obj: _Obj, name: str) -> Any:
        fields: list[tuple[str, Any, Any]] = []
        for i, (member, sub) in enumerate(obj.properties):
            tp = self.type(sub, f"{name}_{member}")
            if member in obj.required:
                fields.append((f"f{i}", tp, msgspec.field(name=member)))
            else:  # absent stays absent: UNSET, never a default that could mean something
                unset = msgspec.field(default=msgspec.UNSET, name=member)
                fields.append((f"f{i}", tp | msgspec.UnsetType, unset))
        if obj.additional:
            self.skips_unknown = True
        count = self._names.get(name, 0)
        self._names[name] = count + 1
        return msgspec.defstruct(
            name if count == 0 else f"{name}{count}",
            fields,
            kw_only=True,
            forbid_unknown_fields=not obj.additional,
            module=__name__,
            gc=False,  # what is decoded is dropped at once and cannot hold a cycle: no GC tracking
        )


def _annotated(tp: Any, **constraints: Any) -> Any:
    given = {k: v for k, v in constraints.items() if v is not None}
    if not given:
        return tp
    try:
        return Annotated[tp, msgspec.Meta(**given)]
    except (TypeError, ValueError, OverflowError) as error:  # a bound msgspec cannot hold, say
        raise Unsupported(f"msgspec.Meta({given}): {error}") from None


def _number_type(num: _Num) -> Any:
    if num.values is not None:  # a Literal: keep the values within the bounds
        kept = sorted(v for v in num.values if _within(v, num.low, num.high))
        return Literal[tuple(kept)] if kept else None
    if num.integer:  # integer bounds, exact for integers
        ge = le = None
        if num.low is not None:
            ge = math.floor(num.low[0]) + 1 if num.low[1] else math.ceil(num.low[0])
        if num.high is not None:
            le = math.ceil(num.high[0]) - 1 if num.high[1] else math.floor(num.high[0])
        return _annotated(int, ge=ge, le=le)
    bounds: dict[str, int | float] = {}
    for bound, names in ((num.low, ("ge", "gt")), (num.high, ("le", "lt"))):
        if bound is not None:
            if not abs(bound[0]) < _EXACT:
                raise Unsupported(f"a number bound of {bound[0]!r}: beyond what floats compare exactly")
            bounds[names[bound[1]]] = bound[0]
    return _annotated(float, **bounds)


def _within(value: int, low: _Bound | None, high: _Bound | None) -> bool:
    if low is not None and (value <= low[0] if low[1] else value < low[0]):
        return False
    return not (high is not None and (value >= high[0] if high[1] else value > high[0]))


def _string_type(string: _Str) -> Any:
    if string.values is not None:  # a Literal: keep the values that meet the other constraints
        search = None if string.pattern is None else re.compile(string.pattern).search
        kept = sorted(
            v
            for v in string.values
            if string.min_length <= len(v)
            and (string.max_length is None or len(v) <= string.max_length)
            and (search is None or search(v))
        )
        return Literal[tuple(kept)] if kept else None
    return _annotated(
        str,
        min_length=string.min_length or None,
        max_length=string.max_length,
        pattern=string.pattern,
    )
