"""One JSON line per request: who, which route, what status, how long. Never tokens or bodies."""

from __future__ import annotations

import asyncio
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
    """Writes records as JSON lines; a write never raises into the request path.

    ``batched``: lines written during one turn of the event loop go out together, in one write
    at the start of the next turn (microseconds later), rather than one write and flush per
    request; under load that is one system call for many lines. The server uses it; without a
    running event loop a line is written at once.
    """

    def __init__(self, out: IO[bytes] | None = None, *, batched: bool = False) -> None:
        self.out = out or sys.stdout.buffer
        self.batched = batched
        self._encode = msgspec.json.Encoder().encode
        self._pending: list[bytes] = []

    def write(self, record: AccessRecord) -> None:
        line = self._encode(record) + b"\n"
        if self.batched:
            if not self._pending:
                try:
                    asyncio.get_running_loop().call_soon(self.flush)
                except RuntimeError:  # no event loop: nothing would flush later
                    self._put(line)
                    return
            self._pending.append(line)
        else:
            self._put(line)

    def flush(self) -> None:
        """Write what is pending now."""
        if self._pending:
            lines, self._pending = self._pending, []
            self._put(b"".join(lines))

    def _put(self, data: bytes) -> None:
        try:
            self.out.write(data)
            self.out.flush()
        except (OSError, ValueError):  # a closed or full stream must not fail requests
            pass


_second = -1
_second_text = ""


def timestamp() -> str:
    """Now, as ``2026-11-25T23:37:49.123Z`` (the part up to the second is formatted once a second)."""
    global _second, _second_text
    now = time.time()
    second = int(now)
    if second != _second:
        _second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _second = second
    return f"{_second_text}.{int((now - second) * 1000):03d}Z"
