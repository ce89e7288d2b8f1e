"""Request bodies checked against the operation's schema before anything goes upstream.

Each schema is compiled up to three times at start-up, all as Draft 2020-12 (the dialect of
OpenAPI 3.1):

* into a msgspec type (``gateway/_body_types.py``), when the schema keeps to the subset that
  compiler translates (every request body in ``contracts/openapi`` does). Decoding a body into
  that type checks it while parsing: when that succeeds, the body is valid and nothing else runs.
  The type may be stricter than the schema (it refuses ``3.0`` for an integer, say), never looser;
* by jsonschema-rs (Rust), which answers for a body the msgspec type refused (or for every body,
  when there is no such type), after a plain decode;
* by jsonschema, which is asked only for an invalid body, to report *every* error with a JSON
  pointer.

Measured for a valid 1 KB customer (``CREATE_BODY`` of bench/gateway_vs_nginx.py; best of 7 x
100k, interleaved): ``check`` took 5.5-5.7 µs before the msgspec type (a plain decode 2.5, then
jsonschema-rs ~3.1) and takes 3.6-3.7 µs with it, all of it the typed decode: ~2 µs of parsing
and building Structs, ~0.27 µs for each of the four strings msgspec checks against a regex
(currency, legal entity, parent id, e-mail; the seven country codes are a ``Literal``, a dict
look-up). A body the type refuses pays that attempt on top of the path below (an invalid one
costs ~500 µs anyway, jsonschema explaining it). Earlier still, fastjsonschema took ~80 µs,
because it checks ``oneOf`` by running every branch and raising an exception for each one that
fails (the documents' nullable fields are ``oneOf: [X, null]``).
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import msgspec
from jsonschema import Draft202012Validator, ValidationError

from contracts.problem import InvalidParam
from gateway._body_types import compile_body
from gateway.problems import GatewayProblem

_decode = msgspec.json.Decoder().decode


class BodySchema:
    """The request-body schema of one operation, ready to check bodies."""

    __slots__ = ("_explain", "_fast", "_plain_too", "_rust", "_typed", "fallbacks")

    def __init__(self, schema: dict[str, Any], components: dict[str, Any]) -> None:
        root = {**schema, "components": components}
        # offline: a document's $ref never makes the gateway fetch anything.
        self._rust = jsonschema_rs.Draft202012Validator(root, offline=True)
        self._fast = self._rust.is_valid
        self._explain = Draft202012Validator(root)
        compiled = compile_body(schema, components)
        #: Decodes a body into the schema's msgspec type; None when the schema has none.
        self._typed = None if compiled is None else msgspec.json.Decoder(type=compiled.type).decode
        # msgspec skips the values of unknown members without building them (so without checking
        # their UTF-8 or their numbers' range): where the schema lets those through, decode plainly too.
        self._plain_too = compiled is not None and compiled.skips_unknown
        #: How many bodies the msgspec type did not settle (for the tests: a plain int, not a metric).
        self.fallbacks = 0

    @property
    def has_fast_path(self) -> bool:
        """Whether the schema compiled into a msgspec type."""
        return self._typed is not None

    def check(self, body: bytes) -> None:
        """Raise a 400 problem for broken JSON, a 422 problem listing every schema error."""
        typed = self._typed
        if typed is not None:
            try:
                typed(body)
                if self._plain_too:
                    _decode(body)
            except Exception:  # any refusal, or a surprise: the path below decides, and explains
                self.fallbacks += 1
            else:
                return
        try:
            document = _decode(body)
        except (msgspec.DecodeError, UnicodeDecodeError) as error:
            raise GatewayProblem("invalid-request", f"The body is not valid JSON: {error}") from None
        if self._fast(document):
            return
        found = [p for e in self._explain.iter_errors(document) for p in _params(e)]
        params = tuple(sorted(found, key=lambda p: p.pointer))
        if not params:
            # jsonschema found nothing where jsonschema-rs did: a pattern, which jsonschema runs
            # with Python's re (its "$" also matches before a final newline), not ECMA-262 as the
            # schema means. jsonschema-rs is right; its own errors say where.
            params = tuple(
                InvalidParam(pointer="".join(f"/{_escape(p)}" for p in e.instance_path), reason=e.message)
                for e in self._rust.iter_errors(document)
            )
        raise GatewayProblem("invalid-body", f"{len(params)} error(s) in the body", errors=params)


_REQUIRED = re.compile(r"^'(.+)' is a required property$")


def _params(error: ValidationError) -> list[InvalidParam]:
    """One entry per offending member, pointing at the member itself where the error names one."""
    base = "".join(f"/{_escape(p)}" for p in error.absolute_path)
    if error.validator == "required" and (match := _REQUIRED.match(error.message)):
        return [InvalidParam(pointer=f"{base}/{_escape(match.group(1))}", reason="required, but missing")]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        return [
            InvalidParam(pointer=f"{base}/{_escape(name)}", reason="not a field of this schema")
            for name in error.instance
            if name not in known
        ]
    return [InvalidParam(pointer=base, reason=error.message)]


def _escape(part: object) -> str:
    """RFC 6901 escaping of one pointer segment."""
    return str(part).replace("~", "~0").replace("/", "~1")
