"""The fields of an access-log line (the tests decode lines with it): a msgspec Struct, so kept out
of the compiled modules (docs/architecture.md)."""

from __future__ import annotations

import msgspec


class AccessRecord(msgspec.Struct, rename="camel", omit_defaults=True):
    ts: str
    correlation_id: str
    method: str
    route: str
    status: int
    duration_ms: float
    client: str | None = None
    upstream_ms: float | None = None
    problem: str | None = None
