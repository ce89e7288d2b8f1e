"""Answers the gateway makes itself: always ``application/problem+json`` with the correlation id."""

from __future__ import annotations

from typing import Any, Final

import msgspec

from contracts.problem import PROBLEM_TYPES, InvalidParam, Problem, problem_type
from gateway.types import Answer, RawHeaders

_encode = msgspec.json.Encoder().encode
_BASE_HEADERS: Final[RawHeaders] = [
    (b"content-type", b"application/problem+json"),
    (b"cache-control", b"no-store"),
]


class GatewayProblem(Exception):
    """Raised inside the pipeline; answered as a problem by the app."""

    def __init__(
        self,
        slug: str,
        detail: str | None = None,
        *,
        status: int | None = None,
        headers: RawHeaders | None = None,
        errors: tuple[InvalidParam, ...] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or slug)
        self.slug = slug
        self.detail = detail
        self.status = status or PROBLEM_TYPES[slug][1]
        self.headers = headers or []
        self.errors = errors
        self.extensions = extensions

    def body(self, instance: str, correlation_id: str) -> bytes:
        return _encode(
            Problem(
                type=problem_type(self.slug),
                title=PROBLEM_TYPES[self.slug][0],
                status=self.status,
                detail=self.detail,
                instance=instance,
                correlation_id=correlation_id,
                errors=self.errors,
                **self.extensions,
            )
        )


def problem_answer(problem: GatewayProblem, instance: str, correlation_id: bytes) -> Answer:
    """``(status, headers, body)`` of a problem the gateway answers itself."""
    body = problem.body(instance, correlation_id.decode("latin-1"))
    headers = [
        *_BASE_HEADERS,
        (b"content-length", b"%d" % len(body)),
        (b"x-correlation-id", correlation_id),
        *problem.headers,
    ]
    return problem.status, headers, body
