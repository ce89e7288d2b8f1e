"""The upstream connection pool against raw loopback servers that say exactly the bytes a test gives:
reuse, the three ways an answer ends, interim answers, HEAD, and each way an upstream can fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from gateway.http1 import (
    AnswerTimeout,
    ConnectFailed,
    ConnectionBroken,
    ConnectionPool,
    MalformedAnswer,
    UpstreamReply,
)
from gateway.http1._client import IDLE_SECONDS
from gateway.types import RawHeaders
from tests.gateway._sockets import reserved_port

#: Seconds to wait for what should happen at once: generous, for a loaded machine.
WAIT = 5.0
OK = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"


@dataclass
class Received:
    """One request as the raw server read it."""

    connection: int
    """Which accepted connection it came on, from 0."""
    head: bytes
    body: bytes

    @property
    def request_line(self) -> str:
        return self.head.decode("latin-1").split("\r\n", 1)[0]

    @property
    def headers(self) -> list[tuple[str, str]]:
        lines = self.head.decode("latin-1").split("\r\n")[1:]
        return [
            (name.lower(), value.strip())
            for name, _, value in (line.partition(":") for line in lines if line)
        ]


#: What the raw server does with a request: writes what it likes (and may read on, to see the
#: connection end); True goes on to the next request on the connection.
Respond = Callable[[Received, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]


def answering(*pieces: bytes, keep: bool = True, pause: float = 0.0) -> Respond:
    """A responder writing ``pieces`` (``pause`` seconds apart), then keeping or closing the connection."""

    async def respond(received: Received, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        for i, piece in enumerate(pieces):
            if i and pause:
                await asyncio.sleep(pause)
            writer.write(piece)
            await writer.drain()
        return keep

    return respond


@dataclass
class RawUpstream:
    respond: Respond
    port: int = 0
    received: list[Received] = field(default_factory=list)
    closed: list[asyncio.Event] = field(default_factory=list)
    """Per accepted connection: set once it has ended (the pool closed it, or the responder did)."""
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once a request has come in."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def accepted(self) -> int:
        return len(self.closed)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        number = len(self.closed)
        self.closed.append(asyncio.Event())
        task = asyncio.current_task()
        assert task is not None
        self.tasks.append(task)
        self.writers.append(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                received = Received(number, head, body)
                self.received.append(received)
                self.arrived.set()
                if not await self.respond(received, reader, writer):
                    return
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
            self.closed[number].set()

    async def wait_closed(self, number: int) -> None:
        """Connection ``number`` ends within WAIT seconds."""
        try:
            await asyncio.wait_for(self.closed[number].wait(), WAIT)
        except TimeoutError:
            pytest.fail(f"connection {number} is still open after {WAIT} s")


@contextlib.asynccontextmanager
async def upstream(respond: Respond) -> AsyncIterator[RawUpstream]:
    raw = RawUpstream(respond)
    server = await asyncio.start_server(raw.serve, "127.0.0.1", 0)
    raw.port = server.sockets[0].getsockname()[1]
    try:
        yield raw
    finally:
        server.close()
        for writer in raw.writers:
            writer.transport.abort()
        _, stuck = await asyncio.wait(raw.tasks, timeout=WAIT) if raw.tasks else (set(), set())
        for task in stuck:
            task.cancel()
        await asyncio.gather(*raw.tasks, return_exceptions=True)
        await server.wait_closed()


@contextlib.asynccontextmanager
async def pool_of(
    raw: RawUpstream, size: int = 4, idle_seconds: float = IDLE_SECONDS
) -> AsyncIterator[ConnectionPool]:
    pool = ConnectionPool(raw.url, size=size, connect_timeout=WAIT, idle_seconds=idle_seconds)
    try:
        yield pool
    finally:
        pool.close()


async def send(
    pool: ConnectionPool,
    method: str,
    target: str,
    headers: RawHeaders | None = None,
    body: bytes = b"",
    seconds: float = WAIT,
) -> UpstreamReply:
    """``pool.request`` allowed ``seconds``; a pool that never settles fails the test, not hangs it."""
    return await asyncio.wait_for(
        pool.request(method, target, headers or [], body, seconds), min(seconds, WAIT) + WAIT
    )


async def get(pool: ConnectionPool, target: str = "/", seconds: float = WAIT) -> UpstreamReply:
    return await send(pool, "GET", target, seconds=seconds)


# -- reuse


async def test_sequential_requests_reuse_one_connection() -> None:
    async with upstream(answering(OK)) as raw, pool_of(raw) as pool:
        replies = [await get(pool, f"/{i}") for i in range(3)]
    assert [(r.status, r.body) for r in replies] == [(200, b"hello")] * 3
    assert raw.accepted == 1
    assert [r.request_line for r in raw.received] == ["GET /0 HTTP/1.1", "GET /1 HTTP/1.1", "GET /2 HTTP/1.1"]


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 5\r\n\r\nhello",
        b"HTTP/1.0 200 OK\r\ncontent-length: 5\r\n\r\nhello",
    ],
    ids=["connection-close", "http-1.0"],
)
async def test_an_answer_without_keep_alive_makes_the_next_request_use_a_new_connection(
    answer: bytes,
) -> None:
    # The server keeps its side open: the pool must not take the answer's word as a mere hint.
    async with upstream(answering(answer)) as raw, pool_of(raw) as pool:
        assert (await get(pool)).body == b"hello"
        assert (await get(pool)).body == b"hello"
        await raw.wait_closed(0)
    assert raw.accepted == 2


async def test_concurrent_requests_each_get_a_connection_and_size_bounds_those_kept_idle() -> None:
    arrived: list[Received] = []
    both = asyncio.Event()

    async def respond(received: Received, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        arrived.append(received)
        if len(arrived) >= 2:
            both.set()
        await asyncio.wait_for(both.wait(), WAIT)  # answer only once two requests are in flight together
        writer.write(OK)
        return True

    async with upstream(respond) as raw, pool_of(raw, size=1) as pool:
        first = await asyncio.gather(get(pool), get(pool))
        assert raw.accepted == 2
        # Only one of the two goes back to the pool; the other is closed.
        ends = [asyncio.create_task(event.wait()) for event in raw.closed]
        done, still_open = await asyncio.wait(ends, timeout=WAIT, return_when=asyncio.FIRST_COMPLETED)
        for task in still_open:
            task.cancel()
        assert len(done) == 1, "the pool kept both connections idle with size=1"
        again = await get(pool)
        assert raw.accepted == 2, "the connection kept idle was not reused"
        assert [event.is_set() for event in raw.closed].count(True) == 1
    assert [r.body for r in (*first, again)] == [b"hello"] * 3


async def test_an_idle_connection_older_than_idle_seconds_is_not_reused() -> None:
    async with upstream(answering(OK)) as raw, pool_of(raw, idle_seconds=0.5) as pool:
        await get(pool)
        await get(pool)
        assert raw.accepted == 1  # reused while fresh
        await asyncio.sleep(1.0)
        assert (await get(pool)).body == b"hello"
        assert raw.accepted == 2
        await raw.wait_closed(0)  # and the stale one is closed, not left open


async def test_an_idle_connection_the_upstream_closed_is_not_reused() -> None:
    # The upstream ends a keep-alive connection after its answer (its idle timeout, a restart):
    # the next request must go on a new connection, not fail on the dead one.
    async with upstream(answering(OK, keep=False)) as raw, pool_of(raw) as pool:
        await get(pool)
        await raw.wait_closed(0)
        await asyncio.sleep(0.2)  # for the FIN to reach the pool's side
        assert (await get(pool)).body == b"hello"
    assert raw.accepted == 2


async def test_an_unsolicited_answer_on_an_idle_connection_does_not_cross_later_answers() -> None:
    # An upstream that writes on an idle connection (an unasked-for answer, say a 408 before it
    # closes) must not leave the pool lending that connection to two requests at once: each request
    # gets its own answer.
    unasked = asyncio.Event()

    async def respond(received: Received, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        path = received.request_line.split(" ")[1].encode()
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(path), path))
        if path == b"/first":
            await writer.drain()
            await asyncio.sleep(0.1)
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nstale")
            await writer.drain()
            unasked.set()
        return True

    async with upstream(respond) as raw, pool_of(raw) as pool:
        assert (await get(pool, "/first")).body == b"/first"
        await asyncio.wait_for(unasked.wait(), WAIT)
        await asyncio.sleep(0.2)  # for the unasked-for answer to reach the pool while the connection is idle
        replies = await asyncio.gather(
            get(pool, "/a"), get(pool, "/b"), get(pool, "/c"), return_exceptions=True
        )
    assert [getattr(reply, "body", reply) for reply in replies] == [b"/a", b"/b", b"/c"]


async def test_close_closes_the_idle_connections() -> None:
    async with upstream(answering(OK)) as raw:
        pool = ConnectionPool(raw.url, size=4, connect_timeout=WAIT)
        await get(pool)
        pool.close()
        await raw.wait_closed(0)


async def test_a_cancelled_request_does_not_leave_its_answer_for_the_next() -> None:
    answer_late = asyncio.Event()

    async def respond(received: Received, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        if received.request_line.startswith("GET /slow"):
            await answer_late.wait()
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nslow")
        else:
            writer.write(OK)
        return True

    async with upstream(respond) as raw, pool_of(raw) as pool:
        slow = asyncio.ensure_future(get(pool, "/slow"))
        await asyncio.wait_for(raw.arrived.wait(), WAIT)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        assert (await get(pool, "/next")).body == b"hello"
        answer_late.set()  # the cancelled request's answer comes in now, on its connection
        await asyncio.sleep(0.2)
        replies = await asyncio.gather(*(get(pool, f"/after-{i}") for i in range(3)))
    assert [reply.body for reply in replies] == [b"hello"] * 3


# -- answers


@pytest.mark.parametrize(
    ("pieces", "keep", "connections"),
    [
        ((b"HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\nhello", b" world"), True, 1),
        (
            (
                b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel",
                b"lo\r\n6\r\n world\r\n",
                b"0\r\n\r\n",
            ),
            True,
            1,
        ),
        ((b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nhello", b" world"), False, 2),
    ],
    ids=["content-length", "chunked", "until-close"],
)
async def test_an_answer_is_read_whole_however_it_is_delimited(
    pieces: tuple[bytes, ...], keep: bool, connections: int
) -> None:
    async with upstream(answering(*pieces, keep=keep, pause=0.05)) as raw, pool_of(raw) as pool:
        first = await get(pool)
        second = await get(pool)
    assert (first.status, first.body) == (200, b"hello world")
    assert (second.status, second.body) == (200, b"hello world")
    assert raw.accepted == connections


async def test_answer_headers_are_lower_case_and_in_order() -> None:
    answer = b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\nLocation: /v1/x\r\nX-A: 1\r\nx-a: 2\r\n\r\nok"
    async with upstream(answering(answer)) as raw, pool_of(raw) as pool:
        reply = await get(pool)
    assert reply.status == 201
    assert reply.headers == [
        (b"content-length", b"2"),
        (b"location", b"/v1/x"),
        (b"x-a", b"1"),
        (b"x-a", b"2"),
    ]


@pytest.mark.parametrize(
    "interim",
    [
        b"HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\n",
    ],
    ids=["103", "100"],
)
async def test_an_interim_answer_is_skipped_for_the_final_one(interim: bytes) -> None:
    final = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello"
    async with upstream(answering(interim, final, pause=0.05)) as raw, pool_of(raw) as pool:
        reply = await get(pool)
        again = await get(pool)
    assert (reply.status, reply.body) == (200, b"hello")
    assert reply.headers == [(b"content-type", b"text/plain"), (b"content-length", b"5")]
    assert again.status == 200
    assert raw.accepted == 1


async def test_an_answer_to_head_with_content_length_returns_without_waiting_for_a_body() -> None:
    head_answer, get_answer = answering(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n"), answering(OK)

    async def respond(received: Received, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        return await (head_answer if received.request_line.startswith("HEAD") else get_answer)(
            received, reader, writer
        )

    async with upstream(respond) as raw, pool_of(raw) as pool:
        started = time.monotonic()
        reply = await send(pool, "HEAD", "/", seconds=30)
        elapsed = time.monotonic() - started
        assert (reply.status, reply.body) == (200, b"")
        assert (b"content-length", b"1000") in reply.headers
        assert elapsed < WAIT
        # The connection is not left holding a body that never comes: the next request is answered.
        assert (await get(pool)).status == 200


@pytest.mark.parametrize("status", [204, 304])
async def test_an_answer_that_has_no_body_by_its_status_returns_at_once_and_keeps_the_connection(
    status: int,
) -> None:
    async with upstream(answering(b"HTTP/1.1 %d Nothing\r\n\r\n" % status, OK)) as raw, pool_of(raw) as pool:
        reply = await get(pool, seconds=30)
        assert (reply.status, reply.body) == (status, b"")
    assert raw.accepted == 1


# -- what the pool sends


async def test_the_pool_sets_host_and_content_length() -> None:
    async with upstream(answering(OK)) as raw, pool_of(raw) as pool:
        await send(pool, "POST", "/v1/things?x=1", [(b"x-first", b"1"), (b"x-second", b"2")], b"abc")
        await send(pool, "GET", "/v1/things")
        await send(pool, "POST", "/v1/empty")
    post, plain_get, empty_post = raw.received
    assert post.request_line == "POST /v1/things?x=1 HTTP/1.1"
    assert post.headers == [
        ("host", f"127.0.0.1:{raw.port}"),
        ("x-first", "1"),
        ("x-second", "2"),
        ("content-length", "3"),
    ]
    assert post.body == b"abc"
    assert plain_get.headers == [("host", f"127.0.0.1:{raw.port}")]
    assert ("content-length", "0") in empty_post.headers


# -- failures


async def test_an_upstream_refusing_connections_is_connect_failed() -> None:
    with reserved_port() as sock:
        pool = ConnectionPool(f"http://127.0.0.1:{sock.getsockname()[1]}", size=4, connect_timeout=WAIT)
        try:
            with pytest.raises(ConnectFailed):
                await get(pool)
        finally:
            pool.close()


@pytest.mark.parametrize(
    "pieces",
    [
        (),
        (b"HTTP/1.1 200 OK\r\ncontent-le",),
        (b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part",),
        (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n",),
    ],
    ids=["nothing", "half-a-head", "half-a-body", "unfinished-chunks"],
)
async def test_an_upstream_closing_before_its_answer_is_whole_is_connection_broken(
    pieces: tuple[bytes, ...],
) -> None:
    async with upstream(answering(*pieces, keep=False)) as raw, pool_of(raw) as pool:
        with pytest.raises(ConnectionBroken) as raised:
            await get(pool, seconds=30)
    assert not isinstance(raised.value, MalformedAnswer)
    assert len(raw.received) == 1


async def test_an_answer_without_length_cut_by_a_reset_is_connection_broken() -> None:
    # Only a clean close ends an answer without Content-Length; a reset means it was cut short.
    async def respond(received: Received, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nonly part")
        await writer.drain()
        await asyncio.sleep(0.1)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
        writer.transport.abort()
        return False

    async with upstream(respond) as raw, pool_of(raw) as pool:
        with pytest.raises(ConnectionBroken):
            await get(pool, seconds=30)


@pytest.mark.parametrize(
    "answer",
    [b"SSH-2.0-OpenSSH_9.6\r\n", b"HTTP/1.1 OK 200\r\n\r\n", b"HTTP/1.1 200 OK\r\ncontent-length: x\r\n\r\n"],
    ids=["not-http", "bad-status-line", "bad-length"],
)
async def test_a_garbage_answer_is_malformed(answer: bytes) -> None:
    garbage, fine = answering(answer), answering(OK)

    async def respond(received: Received, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        return await (garbage if received.connection == 0 else fine)(received, reader, writer)

    async with upstream(respond) as raw, pool_of(raw) as pool:
        started = time.monotonic()
        with pytest.raises(MalformedAnswer):
            await get(pool, seconds=30)
        assert time.monotonic() - started < WAIT
        await raw.wait_closed(0)  # that connection is dropped
        assert (await get(pool)).body == b"hello"
    assert raw.accepted == 2


@pytest.mark.parametrize(
    "pieces", [(), (b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nslow",)], ids=["silent", "trickling"]
)
async def test_no_whole_answer_within_the_timeout_is_answer_timeout(pieces: tuple[bytes, ...]) -> None:
    answered = answering(*pieces)

    async def respond(received: Received, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        if received.request_line.startswith("GET /slow"):
            await answered(received, reader, writer)
            await reader.read()  # the rest never comes: wait for the pool to give up on the connection
            return False
        writer.write(OK)
        return True

    async with upstream(respond) as raw, pool_of(raw) as pool:
        started = time.monotonic()
        with pytest.raises(AnswerTimeout):
            await get(pool, "/slow", seconds=0.5)
        assert time.monotonic() - started < 0.5 + 0.5
        await raw.wait_closed(0)  # the connection is dropped: its answer may still come
        assert (await get(pool, "/next")).body == b"hello"
    assert raw.accepted == 2
