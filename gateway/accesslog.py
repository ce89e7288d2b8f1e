"""One JSON line per request: who, which route, what status, how long. Never tokens or bodies."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import IO, Final

import msgspec


class AccessLog:
    """Writes one :class:`AccessRecord` per request as a JSON line; a write never raises into the
    request path.

    ``batched``: lines go out together, in one write at most :data:`FLUSH_SECONDS` after the
    first of them (or at once past :data:`FLUSH_LINES`), rather than one write and flush per
    request; under load that is one system call for hundreds of lines. The server uses it and
    flushes on the way out; without a running event loop a line is written at once.

    The line is formatted from a template rather than encoded from an ``AccessRecord``: building
    and encoding the struct cost more than a microsecond a request. Text that could hold a quote
    or a backslash (route, client id) is JSON-encoded once and remembered; the tests decode the
    lines as ``AccessRecord`` to hold the two together.
    """

    def __init__(self, out: IO[bytes] | None = None, *, batched: bool = False) -> None:
        self.out = out or sys.stdout.buffer
        self.batched = batched
        self._pending: list[bytes] = []
        self._quoted: dict[str, bytes] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def request(
        self,
        correlation_id: bytes,
        method: str,
        route: str,
        status: int,
        seconds: float,
        client: str | None,
        upstream_seconds: float | None,
        problem: str | None,
    ) -> None:
        """Log one answered request (``correlation_id`` is already a safe token: hex or checked)."""
        line = _LINE % (
            *_clock.now(), correlation_id, self._quote(method), self._quote(route), status, seconds * 1000,
            b"" if client is None else b',"client":' + self._quote(client),
            b"" if upstream_seconds is None else b',"upstreamMs":%.3f' % (upstream_seconds * 1000),
            b"" if problem is None else b',"problem":' + self._quote(problem),
        )  # fmt: skip
        if self.batched:
            if not self._pending:
                try:
                    loop = self._loop or asyncio.get_running_loop()
                except RuntimeError:  # no event loop: nothing would flush later
                    self._put(line)
                    return
                self._loop = loop
                loop.call_later(FLUSH_SECONDS, self.flush)
            self._pending.append(line)
            if len(self._pending) >= FLUSH_LINES:
                self.flush()
        else:
            self._put(line)

    def _quote(self, text: str) -> bytes:
        quoted = self._quoted.get(text)
        if quoted is None:
            if len(self._quoted) > 10_000:  # routes, methods and client ids are few; never grow without end
                self._quoted.clear()
            quoted = self._quoted[text] = _encode(text)
        return quoted

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


#: How long a batched line may wait to be written, and how many may wait.
FLUSH_SECONDS: Final = 0.1
FLUSH_LINES: Final = 1024
_encode = msgspec.json.Encoder().encode
_LINE: Final = (
    b'{"ts":"%s.%03dZ","correlationId":"%s","method":%s,"route":%s,"status":%d,"durationMs":%.3f%s%s%s}\n'
)


class _Clock:
    """Now as ``2026-11-25T23:37:49`` and milliseconds; the part up to the second is formatted once
    a second."""

    second = -1
    text = b""

    def now(self) -> tuple[bytes, int]:
        now = time.time()
        second = int(now)
        if second != self.second:
            self.text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)).encode()
            self.second = second
        return self.text, int((now - second) * 1000)


_clock = _Clock()
