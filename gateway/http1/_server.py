"""The public listener: HTTP/1.1 requests in, one handler call per request, answers out in order.

A connection parses with llhttp (httptools). A request is handed over as soon as its head is in,
so the handler can refuse it (401, 413 by Content-Length, ...) before its body has been read;
the body arrives meanwhile into a buffer, under back-pressure past ``max_body_bytes``. Pipelined
requests wait their turn. The listener closes a connection on a malformed request (400), a head
over ``max_header_bytes`` (431), an idle keep-alive past ``keep_alive_timeout`` and a request
that takes longer than ``request_read_timeout`` to arrive.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from email.utils import formatdate
from typing import Any

from gateway.http1._connection import Connection
from gateway.http1._limits import ListenerLimits
from gateway.types import Answer, BodyReader, RawHeaders

#: What the listener calls per request (``Gateway.handle``): ``handler(method, path, query, headers,
#: client_ip, scheme, read)``, answering with headers that include Content-Length, or None when there
#: is nobody left to answer. A coroutine function: its coroutine becomes the request's task.
RequestHandler = Callable[
    [str, str, str, RawHeaders, str, str, BodyReader], Coroutine[Any, Any, Answer | None]
]


#: Answers (and counts) a request the listener refuses itself: ``refuse(status, detail)``.
Refusal = Callable[[int, str], Answer]


class Listener:
    """Serves ``handler`` on a TCP address until :meth:`stop`."""

    loop: asyncio.AbstractEventLoop
    """The event loop it serves in (set by :meth:`start`)."""

    def __init__(
        self, handler: RequestHandler, refuse: Refusal, limits: ListenerLimits | None = None
    ) -> None:
        self.handler = handler
        self.refuse = refuse
        self.limits = limits or ListenerLimits()
        self.connections: set[Connection] = set()
        self.stopping = False
        self.clock = time.monotonic
        self.date_header = b""
        self._server: asyncio.Server | None = None
        self._stopped: asyncio.Event | None = None
        self._drained: asyncio.Event | None = None  # set when the last connection has gone, once stopping

    @property
    def port(self) -> int:
        # Any: typeshed says a tuple of sockets, uvloop gives a list (and compiled code checks).
        server: Any = self._server
        port: int = server.sockets[0].getsockname()[1]
        return port

    async def start(self, host: str, port: int, backlog: int = 2048) -> None:
        """Bind and accept (``port`` 0: any free port; see :attr:`port`)."""
        self.loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        self._tick()
        self._server = await self.loop.create_server(lambda: Connection(self), host, port, backlog=backlog)

    async def serve(self, host: str, port: int, backlog: int = 2048) -> None:
        """:meth:`start`, then wait until :meth:`stop` has finished."""
        await self.start(host, port, backlog)
        assert self._stopped is not None
        await self._stopped.wait()

    def stop(self) -> None:
        """Stop accepting; requests in flight get ``shutdown_grace`` seconds, then everything closes."""
        if self.stopping or self._server is None:
            return
        self.stopping = True
        self._server.close()
        for connection in list(self.connections):
            connection.close_if_idle()
        self.loop.create_task(self._drain())

    def closed(self, connection: Connection) -> None:
        """A connection has gone."""
        self.connections.discard(connection)
        if self._drained is not None and not self.connections:
            self._drained.set()

    async def _drain(self) -> None:
        if self.connections:
            self._drained = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drained.wait(), self.limits.shutdown_grace)
        for connection in list(self.connections):
            if connection.transport is not None:
                connection.transport.abort()
        assert self._stopped is not None
        self._stopped.set()

    def _tick(self) -> None:
        # Once a second: the Date header, and connections past their deadline.
        self.date_header = b"date: " + formatdate(usegmt=True).encode() + b"\r\n"
        now = self.clock()
        for connection in list(self.connections):
            connection.expire(now)
        if not self.stopping:
            self.loop.call_later(1.0, self._tick)
