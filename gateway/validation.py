"""Request bodies checked against the operation's schema before anything goes upstream.

Each schema is compiled twice at start-up, both as Draft 2020-12 (the dialect of OpenAPI 3.1):
by jsonschema-rs (Rust), which answers the common case (a valid body) quickly, and by
jsonschema, which is asked only for an invalid body, to report *every* error with a JSON pointer.

Measured for a valid 1 KB customer (docs/performance.md): jsonschema-rs ~6 µs; fastjsonschema,
used before, ~80 µs, because it checks ``oneOf`` by running every branch and raising an
exception for each one that fails (the documents' nullable fields are ``oneOf: [X, null]``).
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import msgspec
from jsonschema import Draft202012Validator, ValidationError

from contracts.problem import InvalidParam
from gateway.problems import GatewayProblem

_decode = msgspec.json.Decoder().decode


class BodySchema:
    """The request-body schema of one operation, ready to check bodies."""

    __slots__ = ("_explain", "_fast")

    def __init__(self, schema: dict[str, Any], components: dict[str, Any]) -> None:
        root = {**schema, "components": components}
        # offline: a document's $ref never makes the gateway fetch anything.
        self._fast = jsonschema_rs.Draft202012Validator(root, offline=True).is_valid
        self._explain = Draft202012Validator(root)

    def check(self, body: bytes) -> None:
        """Raise a 400 problem for broken JSON, a 422 problem listing every schema error."""
        try:
            document = _decode(body)
        except msgspec.DecodeError as error:
            raise GatewayProblem("invalid-request", f"The body is not valid JSON: {error}") from None
        if self._fast(document):
            return
        found = (p for e in self._explain.iter_errors(document) for p in _params(e))
        params = tuple(sorted(found, key=lambda p: p.pointer))
        if not params:  # the two validators disagree: trust the thorough one
            return
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
