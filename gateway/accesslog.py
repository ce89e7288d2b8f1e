"""One JSON line per request: who, which route, what status, how long. Never tokens or bodies."""

from __future__ import annotations

import sys
import time
from typing import IO

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


class AccessLog:
    """Writes records as JSON lines; a write never raises into the request path."""

    def __init__(self, out: IO[bytes] | None = None) -> None:
        self.out = out or sys.stdout.buffer
        self._encode = msgspec.json.Encoder().encode

    def write(self, record: AccessRecord) -> None:
        try:
            self.out.write(self._encode(record) + b"\n")
            self.out.flush()
        except (OSError, ValueError):  # a closed or full stream must not fail requests
            pass


def timestamp() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"
