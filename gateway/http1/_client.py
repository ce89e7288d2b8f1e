"""Keep-alive connections to one upstream, one exchange at a time on each.

Answers are read whole (the gateway passes on bodies of bounded size and adds Content-Length).
A connection goes back to the pool when its answer was complete and allows keep-alive; any
doubt about where the byte stream stands (a timeout, a cancelled caller, a HEAD answer whose
framing httptools cannot be told) closes it instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import Final
from urllib.parse import urlsplit

import httptools

from gateway.http1._errors import AnswerTimeout, ConnectFailed, ConnectionBroken, MalformedAnswer
from gateway.types import RawHeaders

#: Idle connections older than this are closed rather than reused. Servers close idle keep-alive
#: connections themselves (uvicorn after 5 s); reusing one that is about to go would lose the request.
IDLE_SECONDS: Final = 4.0
_WITH_BODY: Final = frozenset({"POST", "PUT", "PATCH"})


class UpstreamReply:
    """A whole answer: status, headers (lower-case names, in order) and body."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: RawHeaders, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


class _Connection(asyncio.Protocol):
    __slots__ = ("_body", "_framed", "_head_only", "_headers", "_parser", "_pool", "_waiter",
                 "idle_since", "transport")  # fmt: skip

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[UpstreamReply] | None = None
        self._headers: RawHeaders = []
        self._body: list[bytes] = []
        self._head_only = False
        self._framed: bool | None = None  # None until the answer's headers are in
        self.idle_since = 0.0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def send(self, data: bytes, waiter: asyncio.Future[UpstreamReply], head_only: bool) -> None:
        self._waiter = waiter
        self._headers = []
        self._body = []
        self._framed = None
        self._head_only = head_only
        assert self.transport is not None
        self.transport.write(data)

    def expire(self) -> None:
        """No whole answer in time: fail the caller (if still waiting) and drop the connection, whose
        byte stream is now in an unknown place."""
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(AnswerTimeout("no answer in time"))
        self.abort()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:  # nothing was asked: whatever this is, the connection cannot be trusted
            self.abort()
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._finish(error=MalformedAnswer(f"the upstream's answer is not HTTP/1.1 ({error})"))
            self.abort()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        self._framed = any(name in (b"content-length", b"transfer-encoding") for name, _ in self._headers)
        if self._head_only and self._parser.get_status_code() >= 200:
            # An answer to HEAD has no body whatever its Content-Length says; httptools cannot be
            # told so, so the answer ends here and the connection is not reused.
            self._finish()
            self.abort()

    def on_body(self, chunk: bytes) -> None:
        self._body.append(chunk)

    def on_message_complete(self) -> None:
        if self._parser.get_status_code() < 200:
            self._headers = []  # an interim answer (103 Early Hints): the real one follows
            return
        self._finish()
        if self._parser.should_keep_alive():
            self._pool.release(self)
        else:
            self.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self._pool.forget(self)
        if self._framed is False and exc is None:
            self._finish()  # an answer without Content-Length or chunks ends when the connection closes
        else:
            self._finish(error=ConnectionBroken("the upstream closed the connection before answering"))

    def _finish(self, error: Exception | None = None) -> None:
        waiter, self._waiter = self._waiter, None
        self._pool.answered(self)
        if waiter is None or waiter.done():  # a caller that gave up (cancelled, timed out)
            return
        if error is not None:
            waiter.set_exception(error)
        else:
            body = self._body[0] if len(self._body) == 1 else b"".join(self._body)
            waiter.set_result(UpstreamReply(self._parser.get_status_code(), self._headers, body))


class ConnectionPool:
    """Pooled keep-alive connections to one upstream (``http://`` or ``https://`` URL).

    Connections are opened as requests need them, without a cap (the listener bounds how many
    requests are in flight); at most ``size`` idle ones are kept, each for ``idle_seconds`` at most.
    """

    def __init__(
        self, url: str, *, size: int, connect_timeout: float, idle_seconds: float = IDLE_SECONDS
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self._ssl = ssl.create_default_context() if parts.scheme == "https" else None
        self._host_header = b"host: " + parts.netloc.encode("idna")
        self._size = size
        self._connect_timeout = connect_timeout
        self._idle_seconds = idle_seconds
        self._idle: list[_Connection] = []
        self._connecting: set[asyncio.Task[None]] = set()
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_flight: dict[_Connection, float] = {}  # connection -> deadline of its answer
        self._watchdog: asyncio.TimerHandle | None = None
        self._watch_at = 0.0

    def request(
        self, method: str, target: str, headers: RawHeaders, body: bytes, seconds: float
    ) -> asyncio.Future[UpstreamReply]:
        """Send one request: a future of its whole answer, or of an :class:`~gateway.http1.UpstreamError`.

        A plain future rather than a coroutine, so that the caller's task waits on it directly
        (each coroutine between a task and its future costs time on every wake-up). ``headers``
        must not hold Host, Content-Length or hop-by-hop fields: they are set here.
        """
        # The loop is looked up once: asyncio.get_running_loop() makes a getpid() system call each time.
        loop = self._loop or self._bind()
        deadline = loop.time() + seconds
        length = b"content-length: %d\r\n" % len(body) if body or method in _WITH_BODY else b""
        # map(b": ".join, ...) writes each header in C; a loop of Python appends costs more.
        data = b"%s %s HTTP/1.1\r\n%s\r\n%s%s%s\r\n%s" % (
            method.encode("ascii"), target.encode("ascii"), self._host_header,
            b"\r\n".join(map(b": ".join, headers)), b"\r\n" if headers else b"", length, body,
        )  # fmt: skip
        waiter: asyncio.Future[UpstreamReply] = loop.create_future()
        connection = self._take_idle(loop.time())
        if connection is not None:
            self._send(loop, connection, data, waiter, method == "HEAD", deadline)
        else:
            task = loop.create_task(self._send_on_new(loop, data, waiter, method == "HEAD", deadline))
            self._connecting.add(task)  # held until done: the loop keeps only weak references to tasks
            task.add_done_callback(self._connecting.discard)
        return waiter

    def _bind(self) -> asyncio.AbstractEventLoop:
        self._loop = asyncio.get_running_loop()
        return self._loop

    async def _send_on_new(
        self,
        loop: asyncio.AbstractEventLoop,
        data: bytes,
        waiter: asyncio.Future[UpstreamReply],
        head_only: bool,
        deadline: float,
    ) -> None:
        try:
            async with asyncio.timeout(min(self._connect_timeout, deadline - loop.time())):
                _, connection = await loop.create_connection(
                    lambda: _Connection(self), self.host, self.port, ssl=self._ssl
                )
        except (OSError, TimeoutError) as error:
            if not waiter.done():
                reason = str(error) or "timed out"
                waiter.set_exception(ConnectFailed(f"could not connect to {self.host}:{self.port}: {reason}"))
            return
        if waiter.done():  # its caller gave up meanwhile: keep the connection for the next one
            self.release(connection)
            return
        self._send(loop, connection, data, waiter, head_only, deadline)

    def _send(
        self,
        loop: asyncio.AbstractEventLoop,
        connection: _Connection,
        data: bytes,
        waiter: asyncio.Future[UpstreamReply],
        head_only: bool,
        deadline: float,
    ) -> None:
        # One watchdog timer for all exchanges in flight, set for the earliest deadline, rather than
        # a timer per request (making and cancelling one costs more than the bookkeeping here).
        self._in_flight[connection] = deadline
        if self._watchdog is None or deadline < self._watch_at:  # a shorter timeout than those before
            if self._watchdog is not None:
                self._watchdog.cancel()
            self._watchdog, self._watch_at = loop.call_at(deadline, self._watch), deadline
        connection.send(data, waiter, head_only)

    def answered(self, connection: _Connection) -> None:
        self._in_flight.pop(connection, None)

    def _watch(self) -> None:
        assert self._loop is not None
        now = self._loop.time()
        for connection, deadline in list(self._in_flight.items()):
            if deadline <= now:
                del self._in_flight[connection]
                connection.expire()
        self._watchdog = None
        if self._in_flight:
            self._watch_at = min(self._in_flight.values())
            self._watchdog = self._loop.call_at(self._watch_at, self._watch)

    def _take_idle(self, now: float) -> _Connection | None:
        idle = self._idle
        while idle:
            connection = idle.pop()
            transport = connection.transport
            fresh = now - connection.idle_since < self._idle_seconds
            if fresh and transport is not None and not transport.is_closing():
                return connection
            connection.abort()
        return None

    def release(self, connection: _Connection) -> None:
        if self._closed or len(self._idle) >= self._size:
            connection.abort()
            return
        connection.idle_since = (self._loop or self._bind()).time()
        self._idle.append(connection)

    def forget(self, connection: _Connection) -> None:
        with contextlib.suppress(ValueError):
            self._idle.remove(connection)

    def close(self) -> None:
        """Close the idle connections; those in use close when their answer is in."""
        self._closed = True
        if self._watchdog is not None and not self._in_flight:
            self._watchdog.cancel()
            self._watchdog = None
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.abort()
