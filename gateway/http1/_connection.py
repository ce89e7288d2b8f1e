"""One caller connection: requests parsed as they come, served in turn by one task, answered in order.

(The listener's docstring, in ``_server.py``, says what a connection does and refuses.)
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from functools import partial
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote

import httptools

from gateway.http1._errors import ClientGone
from gateway.problems import GatewayProblem
from gateway.types import Answer, RawHeaders

if TYPE_CHECKING:
    from gateway.http1._server import Listener

log = logging.getLogger("revgate.gateway")

_STATUS_LINES: Final = {s.value: b"HTTP/1.1 %d %s\r\n" % (s.value, s.phrase.encode()) for s in HTTPStatus}
_CONTINUE: Final = b"HTTP/1.1 100 Continue\r\n\r\n"
#: Pipelined requests parsed ahead of the one being answered, before the connection stops reading.
_MAX_QUEUED: Final = 16


class _HeadTooLarge(Exception):
    pass


class _Request:
    __slots__ = ("body", "complete", "expect_continue", "gone", "head_bytes", "head_done", "head_slack",
                 "headers", "keep_alive", "limit", "malformed", "method", "size", "upgrade", "url",
                 "waiter")  # fmt: skip

    def __init__(self) -> None:
        self.url = b""
        self.headers: RawHeaders = []
        self.size = 0  # head bytes, then body bytes
        self.method = "GET"
        self.keep_alive = True
        self.expect_continue = False
        self.upgrade = False
        self.body: list[bytes] = []
        self.complete = False
        self.gone = False
        self.limit: int | None = None  # set once the handler asks for the body
        self.waiter: asyncio.Future[None] | None = None
        self.malformed: str | None = None  # why the rest of its body cannot be read
        self.head_done = False
        self.head_bytes = 0  # bytes received while its head was unfinished (see data_received)
        self.head_slack = 0

    def wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


class Connection(asyncio.Protocol):
    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.client_ip = "unknown"
        self.reading: _Request | None = None
        self.active: _Request | None = None
        self.queue: deque[_Request] = deque()
        self.refusal: Answer | None = None
        self.paused = False
        self.accepting = True  # False once a request has asked to end the connection
        self.server: asyncio.Task[None] | None = None  # serves the requests, one after another
        self.next: asyncio.Future[None] | None = None  # what the server waits on between requests
        self.deadline = 0.0
        self.completed = 0  # requests read whole

    # -- transport events
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple):
            self.client_ip = peer[0]
        self.deadline = self.listener.clock() + self.listener.limits.request_read_timeout
        self.listener.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.listener.closed(self)
        for request in (self.active, self.reading, *self.queue):
            if request is not None:
                request.gone = True
                request.wake()
        if self.next is not None and not self.next.done():
            self.next.cancel()  # the server task ends

    def data_received(self, data: bytes) -> None:
        before, completed = self.reading, self.completed
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # No protocol switch is offered: the request is answered as plain HTTP/1.1, then closed.
            self._pause()
            return
        except httptools.HttpParserCallbackError as error:
            if not isinstance(error.__context__, _HeadTooLarge):
                raise
            self._refuse(
                431, f"The request head is larger than {self.listener.limits.max_header_bytes} bytes"
            )
            return
        except httptools.HttpParserError as error:
            if self.accepting:  # else: bytes after a request that ends the connection, never read
                self._refuse(400, f"The request is not valid HTTP/1.1: {error}")
            else:
                self._pause()
            return
        reading = self.reading
        if reading is not None and not reading.head_done:
            # httptools keeps a header to itself until it is whole, so a never-ending one is caught
            # here, by the bytes received since the head began. Where in this read it began is
            # known only when no earlier request ended in it; otherwise the whole read is counted
            # as slack, so that a head is refused only when it is over the limit for sure.
            if reading is not before:
                reading.head_slack = len(data) if self.completed != completed else 0
            reading.head_bytes += len(data)
            if reading.head_bytes > self.listener.limits.max_header_bytes + reading.head_slack:
                self._refuse(
                    431, f"The request head is larger than {self.listener.limits.max_header_bytes} bytes"
                )

    # -- parser callbacks
    def on_message_begin(self) -> None:
        self.reading = _Request()
        self.deadline = self.listener.clock() + self.listener.limits.request_read_timeout

    def on_url(self, url: bytes) -> None:
        request = self.reading
        assert request is not None
        request.url += url
        request.size += len(url)
        if request.size > self.listener.limits.max_header_bytes:
            raise _HeadTooLarge

    def on_header(self, name: bytes, value: bytes) -> None:
        request = self.reading
        assert request is not None
        request.size += len(name) + len(value) + 4
        if request.size > self.listener.limits.max_header_bytes:
            raise _HeadTooLarge
        request.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        request = self.reading
        assert request is not None
        parser = self.parser
        request.method = parser.get_method().decode("ascii")
        request.keep_alive = parser.should_keep_alive()
        request.upgrade = parser.should_upgrade()
        request.expect_continue = (b"expect", b"100-continue") in request.headers
        request.size = 0
        request.head_done = True
        if not self.accepting:
            # Pipelined after a request that ends the connection (Connection: close, an upgrade):
            # never answered, so never handled (its body, if any, lands in a request nobody reads).
            self._pause()
            return
        self.accepting = request.keep_alive and not request.upgrade
        if self.active is None:
            self._start(request)
        else:
            self.queue.append(request)
            if len(self.queue) >= _MAX_QUEUED:
                self._pause()

    def on_body(self, chunk: bytes) -> None:
        request = self.reading
        assert request is not None
        request.size += len(chunk)
        limit = request.limit
        if limit is not None and request.size > limit:
            request.body = []  # refused with 413: nothing more is kept, or read
            self._pause()
            request.wake()
            return
        request.body.append(chunk)
        if limit is None and request.size > self.listener.limits.max_body_bytes:
            self._pause()  # the handler has not asked for it yet: wait for it to say how much it takes

    def on_message_complete(self) -> None:
        request = self.reading
        assert request is not None
        request.complete = True
        self.completed += 1
        self.reading = None
        request.wake()

    # -- handling
    def _start(self, request: _Request) -> None:
        self.active = request
        if self.server is None:
            # One task per connection, serving its requests in turn: a task per request costs more
            # (its creation, context copy and registration) than waking this one.
            self.server = self.listener.loop.create_task(self._serve())
        elif self.next is not None and not self.next.done():
            self.next.set_result(None)

    async def _serve(self) -> None:
        listener = self.listener
        handler = listener.handler
        while True:
            request = self.active
            if request is None:
                self.next = listener.loop.create_future()
                await self.next
                continue
            url = request.url
            if url == b"*":
                raw_path, query = b"*", b""
            elif url[:1] != b"/":  # absolute form
                # Any: httptools' stub says bytes, but a part the URL lacks is None (and compiled
                # code checks the types it is told).
                parsed: Any = httptools.parse_url(url)
                raw_path, query = parsed.path or b"/", parsed.query or b""
            else:
                raw_path, _, query = url.partition(b"?")
            path = raw_path.decode("latin-1")
            if "%" in path:
                path = unquote(path, errors="replace")
            try:
                answer = await handler(
                    request.method, path, query.decode("latin-1"), request.headers, self.client_ip, "http",
                    partial(self._read, request),
                )  # fmt: skip
            except Exception:
                log.exception("the request handler failed")
                answer = listener.refuse(500, "The gateway failed")
            if not self._answer(request, answer):
                return

    async def _read(self, request: _Request, limit: int, length: int | None) -> bytes:
        request.limit = limit
        while True:
            if request.size > limit:
                raise GatewayProblem("payload-too-large", f"The body is larger than {limit} bytes")
            if request.complete:
                body = request.body
                return body[0] if len(body) == 1 else b"".join(body)
            if request.gone:
                raise ClientGone
            if request.malformed is not None:
                raise GatewayProblem("invalid-request", request.malformed)
            if request.expect_continue and self.transport is not None:
                request.expect_continue = False
                self.transport.write(_CONTINUE)
            request.waiter = self.listener.loop.create_future()
            self._resume()
            await request.waiter

    def _answer(self, request: _Request, answer: Answer | None) -> bool:
        """Write the answer; whether the connection goes on."""
        transport = self.transport
        if answer is None or request.gone or transport is None or transport.is_closing():
            if transport is not None:
                transport.close()
            return False
        status, headers, body = answer
        keep = (
            request.keep_alive
            and request.complete
            and not request.upgrade
            and not self.listener.stopping
            and not (self.refusal is not None and not self.queue)
        )
        transport.write(
            _frame(status, headers, body, self.listener.date_header, keep, request.method == "HEAD")
        )
        if not keep:
            if self.refusal is not None:
                transport.write(_frame(*self.refusal, self.listener.date_header, False, False))
            transport.close()
            return False
        if self.queue:
            self.active = self.queue.popleft()
        else:
            self.active = None
            self.deadline = self.listener.clock() + self.listener.limits.keep_alive_timeout
        self._resume()
        return True

    def _refuse(self, status: int, detail: str) -> None:
        self._pause()
        reading, self.reading = self.reading, None
        if reading is not None and reading is self.active:
            # Its body broke off: the handler, waiting for it, answers the 400 (and the connection ends).
            reading.malformed = detail
            reading.wake()
            return
        self.refusal = self.listener.refuse(status, detail)
        if self.active is None and self.transport is not None:
            self.transport.write(_frame(*self.refusal, self.listener.date_header, False, False))
            self.transport.close()

    def _pause(self) -> None:
        if not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()

    def _resume(self) -> None:
        if (
            self.paused
            and self.refusal is None
            and len(self.queue) < _MAX_QUEUED
            and not (self.active is not None and self.active.upgrade)
            and self.transport is not None
            and not self.transport.is_closing()
        ):
            self.paused = False
            self.transport.resume_reading()

    def expire(self, now: float) -> None:
        """Close the connection if it has waited too long for a request, or for a request's body."""
        active = self.active
        waiting_for_body = active is not None and active.waiter is not None and not active.waiter.done()
        if (active is None or waiting_for_body) and now > self.deadline and self.transport is not None:
            self.transport.close()

    def close_if_idle(self) -> None:
        if self.active is None and self.transport is not None:
            self.transport.close()


def _frame(status: int, headers: RawHeaders, body: bytes, date: bytes, keep_alive: bool, head: bool) -> bytes:
    # map(b": ".join, ...) writes each header in C; a loop of Python appends costs more.
    return b"%s%s%s%s%s\r\n%s" % (
        _STATUS_LINES.get(status) or b"HTTP/1.1 %d \r\n" % status,
        b"\r\n".join(map(b": ".join, headers)),
        b"\r\n" if headers else b"",
        date,
        b"" if keep_alive else b"connection: close\r\n",
        b"" if head else body,
    )
