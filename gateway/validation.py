"""Request bodies checked against the operation's schema before anything goes upstream.

Each schema is compiled twice at start-up: by fastjsonschema, which answers the common case
(a valid body) quickly, and by jsonschema (Draft 2020-12, the dialect of OpenAPI 3.1), which
is asked only for an invalid body, to report *every* error with a JSON pointer.
"""

from __future__ import annotations

from typing import Any

import fastjsonschema
import msgspec
from jsonschema import Draft202012Validator

from contracts.problem import InvalidParam
from gateway.problems import GatewayProblem

_decode = msgspec.json.Decoder().decode


class BodySchema:
    """The request-body schema of one operation, ready to check bodies."""

    __slots__ = ("_explain", "_fast")

    def __init__(self, schema: dict[str, Any], components: dict[str, Any]) -> None:
        root = {**schema, "components": components}
        self._fast = fastjsonschema.compile(root, use_default=False)
        self._explain = Draft202012Validator(root)

    def check(self, body: bytes) -> None:
        """Raise a 400 problem for broken JSON, a 422 problem listing every schema error."""
        try:
            document = _decode(body)
        except msgspec.DecodeError as error:
            raise GatewayProblem("invalid-request", f"The body is not valid JSON: {error}") from None
        try:
            self._fast(document)
        except fastjsonschema.JsonSchemaException:
            errors = sorted(
                self._explain.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))
            )
            params = tuple(
                InvalidParam(pointer="".join(f"/{_escape(p)}" for p in e.absolute_path), reason=e.message)
                for e in errors
            )
            if not params:  # the two validators disagree: trust the thorough one
                return
            raise GatewayProblem(
                "invalid-body", f"{len(params)} error(s) in the body", errors=params
            ) from None


def _escape(part: object) -> str:
    """RFC 6901 escaping of one pointer segment."""
    return str(part).replace("~", "~0").replace("/", "~1")
