"""Request-body schemas compiled into msgspec types: a fast path that can only ever say "valid".

:func:`compile_body` turns the JSON Schema (Draft 2020-12, as in OpenAPI 3.1) of a request body
into a msgspec type, so that ``msgspec.json.Decoder(type=...)`` checks a body while parsing it,
in about the time a plain decode takes. The caller (``gateway/validation.py``) trusts that decoder
only when it *succeeds*; when it raises, the body goes the slow way (decode, jsonschema-rs,
jsonschema), which decides and explains.

Soundness is the point: the compiled type must never accept a body that the schema rejects,
or an invalid body would reach a service. It may be *stricter* than the schema (the body then just
takes the slow way), so every translation below keeps the schema's meaning or narrows it, and
anything not understood makes the whole schema unsupported (``None``: no fast path).

Supported (every other keyword, and every other shape of these, gives ``None``):

* ``$ref`` to ``#/components/schemas/X``, not recursive; siblings of ``$ref`` apply as well.
* ``type`` (one name or a list); ``enum`` and ``const`` whose values are all strings or all
  integers (a ``Literal``; JSON Schema would also accept ``1.0`` for ``1``: stricter).
* ``oneOf: [X, {"type": "null"}]`` (either order) where X does not accept null: ``X | None``.
* strings: ``minLength``, ``maxLength`` (code points, as both validators and msgspec count),
  ``pattern`` when :func:`translate_pattern` can prove its Python form no more permissive; a
  pattern that matches few strings (``^[A-Z]{2}$``) becomes a ``Literal`` of exactly those
  (:func:`pattern_words`), which msgspec checks far faster than a regex.
* numbers: ``minimum``, ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``. ``integer`` is
  msgspec ``int``, which refuses ``3.0`` (JSON Schema accepts it: stricter) and booleans (as JSON
  Schema does); ``number`` is ``float``, which takes integers too. A ``number`` bound must be
  below 2**53 in magnitude: msgspec compares an integer as a float, which is exact below that.
* arrays: ``items``, ``minItems``, ``maxItems``.
* objects: ``properties``, ``required`` (names among ``properties``), ``additionalProperties``:
  ``false`` forbids unknown members, absent or ``true`` lets them through unchecked (as the schema
  does; see :attr:`CompiledBody.skips_unknown`), a schema only when there are no ``properties``
  (``dict[str, T]``). An optional member gets the default ``UNSET`` (never a made-up value); the
  Struct attributes are renamed to the exact JSON names.
* annotations, ignored: ``description``, ``title``, ``examples``, ``example``, ``default``,
  ``deprecated``, ``readOnly``, ``writeOnly`` and ``format``, which Draft 2020-12 makes an
  annotation; neither jsonschema-rs nor jsonschema asserts it unless asked to, and the gateway
  does not ask (tests/gateway/validation checks that this stays so).

Where a keyword only constrains one JSON type (``minLength`` says nothing about a number), the
schema is first turned into a set of constraints per JSON type (:class:`_Node`); keywords side
by side intersect, ``oneOf`` with null adds null. That set is then written as a union of msgspec
types, which msgspec may refuse (two Struct types in one union, say): unsupported too.
"""

from gateway._body_types._compile import CompiledBody, compile_body, compile_body_type, explain_compile
from gateway._body_types._patterns import WORDS_CAP, Unsupported, pattern_words, translate_pattern

__all__ = [
    "WORDS_CAP",
    "CompiledBody",
    "Unsupported",
    "compile_body",
    "compile_body_type",
    "explain_compile",
    "pattern_words",
    "translate_pattern",
]
