"""The public listener as a client meets it over a real socket: keep-alive, pipelining, request bodies
(chunked, 100-continue, over the limit), refusals (400, 431), timeouts and a graceful stop.

The handler is a small fake that answers with what it was given, and the client writes and reads
raw bytes, so everything on the wire is the listener's doing.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

from gateway.http1 import ClientGone, Listener, ListenerLimits
from gateway.problems import GatewayProblem
from gateway.types import Answer, RawHeaders
from tests.gateway._sockets import reserved_port

#: Seconds to wait for what should happen at once: generous, for a loaded machine.
WAIT = 5.0
#: The listener checks its timeouts once a second: what is due after t seconds happens by t + ~1 s.
SWEEP = 1.0
BodyReader = Callable[[int, int | None], Awaitable[bytes]]
LIMITS = ListenerLimits(
    max_body_bytes=65_536,
    max_header_bytes=2048,
    keep_alive_timeout=30.0,
    request_read_timeout=30.0,
    shutdown_grace=2.0,
)


@dataclass
class Call:
    """One request as the handler got it."""

    method: str
    path: str
    query: str
    headers: RawHeaders
    client_ip: str
    scheme: str


def plain(status: int, body: bytes) -> Answer:
    return status, [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))], body


class FakeApp:
    """The handler and refusal the listener is given.

    ``/body?LIMIT`` reads the body (limit LIMIT, default 1 MiB) and answers it, or the status of the
    GatewayProblem its read raised; ``/wait`` and ``/wait-body`` wait for :attr:`release` first;
    ``/sleep?S`` sleeps S seconds; ``/fail`` raises; ``/none`` answers None. Anything else answers
    ``METHOD path?query``.
    """

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.refusals: list[tuple[int, str]] = []
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.read_outcome: asyncio.Future[bytes | BaseException] = asyncio.get_running_loop().create_future()

    async def handle(
        self, method: str, path: str, query: str, headers: RawHeaders, client_ip: str, scheme: str,
        read: BodyReader,
    ) -> Answer | None:  # fmt: skip
        self.calls.append(Call(method, path, query, headers, client_ip, scheme))
        if path in ("/wait", "/wait-body"):
            self.entered.set()
            await self.release.wait()
        if path in ("/body", "/wait-body"):
            self.entered.set()
            try:
                body = await read(int(query) if query else 1_048_576, None)
            except (GatewayProblem, ClientGone) as error:
                self._settle(error)
                return plain(error.status, error.slug.encode()) if isinstance(error, GatewayProblem) else None
            self._settle(body)
            return plain(200, body)
        if path == "/sleep":
            await asyncio.sleep(float(query))
        elif path == "/fail":
            raise RuntimeError("the fake handler failed")
        elif path == "/none":
            return None
        return plain(200, f"{method} {path}?{query}".encode())

    def refuse(self, status: int, detail: str) -> Answer:
        self.refusals.append((status, detail))
        body = json.dumps({"status": status, "detail": detail}).encode()
        return (
            status,
            [(b"content-type", b"application/problem+json"), (b"content-length", b"%d" % len(body))],
            body,
        )

    def _settle(self, outcome: bytes | BaseException) -> None:
        if not self.read_outcome.done():
            self.read_outcome.set_result(outcome)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    """Lower-case names; a repeated name keeps its last value."""
    body: bytes


class Client:
    """A raw HTTP/1.1 client: the test writes bytes and reads answers."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    async def reply(self, *, head: bool = False) -> Reply:
        """The next answer; its body by Content-Length (none when ``head``, the answer to a HEAD)."""
        raw = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), WAIT)
        status_line, *lines = raw[:-4].decode("latin-1").split("\r\n")
        version, status, *_ = status_line.split(" ", 2)
        assert version == "HTTP/1.1", status_line
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = 0 if head else int(headers.get("content-length", "0"))
        body = await asyncio.wait_for(self.reader.readexactly(length), WAIT)
        return Reply(int(status), headers, body)

    async def reply_or_close(self) -> Reply | None:
        """The next answer, or None if the listener closes the connection instead."""
        try:
            return await self.reply()
        except asyncio.IncompleteReadError as closed:
            if closed.partial:
                raise
            return None

    async def read(self, size: int) -> bytes:
        return await asyncio.wait_for(self.reader.readexactly(size), WAIT)

    async def expect_closed(self, within: float = WAIT) -> None:
        """The listener closes the connection within ``within`` seconds, with nothing more sent."""
        try:
            rest = await asyncio.wait_for(self.reader.read(), within)
        except ConnectionResetError:
            return
        except TimeoutError:
            pytest.fail(f"the connection is still open after {within} s")
        assert rest == b"", f"bytes after the answer: {rest!r}"

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


@contextlib.asynccontextmanager
async def connect(port: int) -> AsyncIterator[Client]:
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), WAIT)
    client = Client(reader, writer)
    try:
        yield client
    finally:
        await client.close()


async def refused(port: int) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), WAIT)
    except ConnectionRefusedError:
        return True
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    return False


@dataclass
class Served:
    listener: Listener
    port: int
    serving: asyncio.Task[None]


@contextlib.asynccontextmanager
async def serving(app: FakeApp, **limits: Any) -> AsyncIterator[Served]:
    """``listener.serve()`` on a free loopback port in a task; stopped on exit, and serve() must return."""
    listener = Listener(app.handle, app.refuse, msgspec.structs.replace(LIMITS, **limits))
    with reserved_port() as sock:
        port = sock.getsockname()[1]
        task = asyncio.create_task(listener.serve("127.0.0.1", port))
        deadline = time.monotonic() + WAIT
        while await refused(port):  # until it listens (the reserved socket does not)
            assert not task.done(), task
            assert time.monotonic() < deadline, "the listener did not start"
            await asyncio.sleep(0.01)
    try:
        yield Served(listener, port, task)
    finally:
        listener.stop()
        app.release.set()
        await asyncio.wait_for(task, listener.limits.shutdown_grace + WAIT)


async def answer_then_close(app: FakeApp, data: bytes) -> Reply:
    """The one answer a new connection gets for ``data``, the listener closing the connection after it."""
    async with serving(app) as served, connect(served.port) as client:
        client.send(data)
        reply = await client.reply()
        await client.expect_closed()
    return reply


def request(target: str = "/", method: str = "GET", *headers: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: gateway.test", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# -- connections


async def test_keep_alive_answers_two_requests_on_one_connection() -> None:
    app = FakeApp()
    async with serving(app) as served, connect(served.port) as client:
        client.send(request("/first"))
        first = await client.reply()
        client.send(request("/second"))
        second = await client.reply()
    assert (first.status, first.body) == (200, b"GET /first?")
    assert (second.status, second.body) == (200, b"GET /second?")
    assert "connection" not in first.headers
    assert len(app.calls) == 2


@pytest.mark.parametrize(
    "head",
    [
        request("/", "GET", "Connection: close"),
        b"GET / HTTP/1.0\r\nHost: gateway.test\r\n\r\n",
    ],
    ids=["connection-close", "http-1.0"],
)
async def test_a_request_without_keep_alive_is_answered_then_closed(head: bytes) -> None:
    reply = await answer_then_close(FakeApp(), head)
    assert reply.status == 200
    assert reply.headers["connection"] == "close"


async def test_a_request_pipelined_after_connection_close_is_not_handled() -> None:
    app = FakeApp()
    reply = await answer_then_close(app, request("/last", "GET", "Connection: close") + request("/never"))
    assert reply.body == b"GET /last?"
    assert [call.path for call in app.calls] == ["/last"]


async def test_an_upgrade_request_is_answered_as_plain_http_then_closed() -> None:
    data = request("/ws", "GET", "Connection: Upgrade", "Upgrade: websocket") + b"\x81\x05hello"
    reply = await answer_then_close(FakeApp(), data)
    assert (reply.status, reply.body) == (200, b"GET /ws?")
    assert reply.headers["connection"] == "close"


async def test_pipelined_requests_are_answered_in_order() -> None:
    async with serving(FakeApp()) as served, connect(served.port) as client:
        # The first takes longest: its answer must still come first.
        client.send(request("/sleep?0.3") + request("/sleep?0") + request("/third?x=1"))
        bodies = [(await client.reply()).body for _ in range(3)]
    assert bodies == [b"GET /sleep?0.3", b"GET /sleep?0", b"GET /third?x=1"]


async def test_many_pipelined_requests_are_all_answered_in_order() -> None:
    async with serving(FakeApp()) as served, connect(served.port) as client:
        client.send(b"".join(request(f"/{i}") for i in range(50)))
        bodies = [(await client.reply()).body for _ in range(50)]
        # More than the listener queues: it stopped reading for a while, and reads again.
        client.send(request("/later"))
        bodies.append((await client.reply()).body)
    assert bodies == [*(f"GET /{i}?".encode() for i in range(50)), b"GET /later?"]


async def test_the_client_address_headers_and_scheme_reach_the_handler() -> None:
    app = FakeApp()
    async with serving(app) as served, connect(served.port) as client:
        client.send(request("/", "GET", "X-One: a", "x-two: B b", "X-One: c"))
        assert (await client.reply()).status == 200
    call = app.calls[0]
    assert (call.client_ip, call.scheme, call.method) == ("127.0.0.1", "http", "GET")
    assert call.headers == [
        (b"host", b"gateway.test"),
        (b"x-one", b"a"),
        (b"x-two", b"B b"),
        (b"x-one", b"c"),
    ]


async def test_answers_carry_a_current_date() -> None:
    async with serving(FakeApp()) as served, connect(served.port) as client:
        client.send(request())
        reply = await client.reply()
    sent = email.utils.parsedate_to_datetime(reply.headers["date"]).timestamp()
    assert abs(sent - time.time()) < 60


@pytest.mark.parametrize(
    ("target", "path", "query"),
    [
        ("/a%20b?x=%20", "/a b", "x=%20"),
        ("/ids/a%2Fb%3Fc?q=%2F&r", "/ids/a/b?c", "q=%2F&r"),
        ("/plain", "/plain", ""),
        ("http://elsewhere.test/p?q=1", "/p", "q=1"),
        ("http://elsewhere.test:8080/a%20b", "/a b", ""),
    ],
)
async def test_the_path_is_decoded_and_the_query_passed_raw(target: str, path: str, query: str) -> None:
    app = FakeApp()
    async with serving(app) as served, connect(served.port) as client:
        client.send(request(target))
        assert (await client.reply()).status == 200
    assert (app.calls[0].path, app.calls[0].query) == (path, query)


async def test_a_head_answer_has_its_headers_but_no_body() -> None:
    async with serving(FakeApp()) as served, connect(served.port) as client:
        client.send(request("/thing", "HEAD") + request("/after"))
        head = await client.reply(head=True)
        # Had the HEAD answer carried a body, these would be its bytes instead of the next answer.
        after = await client.reply()
    assert head.status == 200
    assert head.headers["content-length"] == str(len(b"HEAD /thing?"))
    assert (after.status, after.body) == (200, b"GET /after?")


async def test_a_failing_handler_gets_a_500_and_the_connection_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = FakeApp()
    with caplog.at_level(logging.ERROR, "revgate.gateway"):
        async with serving(app) as served, connect(served.port) as client:
            client.send(request("/fail"))
            failed = await client.reply()
            client.send(request("/after"))
            after = await client.reply()
    assert failed.status == 500
    assert app.refusals[0][0] == 500
    assert after.status == 200
    assert "the fake handler failed" in caplog.text


async def test_a_handler_answering_none_gets_the_connection_closed() -> None:
    async with serving(FakeApp()) as served, connect(served.port) as client:
        client.send(request("/none"))
        await client.expect_closed()


# -- request bodies


async def test_a_chunked_body_reaches_the_handler_whole() -> None:
    app = FakeApp()
    async with serving(app) as served, connect(served.port) as client:
        client.send(request("/body", "POST", "Transfer-Encoding: chunked"))
        for piece in (b"5\r\nhello\r\n", b"1\r\n \r\n", b"5\r\nworld\r\n", b"0\r\n\r\n"):
            client.send(piece)
            await client.writer.drain()
            await asyncio.sleep(0.02)  # separate packets: the body arrives in pieces
        reply = await client.reply()
        client.send(request("/after"))
        after = await client.reply()
    assert (reply.status, reply.body) == (200, b"hello world")
    assert after.body == b"GET /after?"


async def test_a_body_larger_than_the_buffer_is_read_whole_once_the_handler_asks() -> None:
    # The listener buffers max_body_bytes before the handler asks, then stops reading; the handler
    # then asks for more than that, and gets all of it.
    app = FakeApp()
    body = bytes(range(256)) * 1024  # 256 KiB
    async with serving(app, max_body_bytes=1024) as served, connect(served.port) as client:
        client.send(request("/wait-body", "POST", f"Content-Length: {len(body)}", body=body))
        await asyncio.wait_for(app.entered.wait(), WAIT)
        await asyncio.sleep(0.2)
        app.release.set()
        reply = await client.reply()
    assert reply.status == 200
    assert reply.body == body


async def test_expect_100_continue_is_answered_before_the_body_is_sent() -> None:
    async with serving(FakeApp()) as served, connect(served.port) as client:
        client.send(request("/body", "POST", "Content-Length: 5", "Expect: 100-continue"))
        assert await client.read(len(b"HTTP/1.1 100 Continue\r\n\r\n")) == b"HTTP/1.1 100 Continue\r\n\r\n"
        client.send(b"hello")
        reply = await client.reply()
    assert (reply.status, reply.body) == (200, b"hello")


async def test_expect_100_continue_gets_no_100_when_the_handler_does_not_read_the_body() -> None:
    async with serving(FakeApp()) as served, connect(served.port) as client:
        client.send(request("/refused", "POST", "Content-Length: 5", "Expect: 100-continue"))
        reply = await client.reply()
    assert (reply.status, reply.body) == (200, b"POST /refused?")


@pytest.mark.parametrize(
    "head",
    [
        request("/body?1000", "POST", "Transfer-Encoding: chunked", body=b"7d0\r\n" + b"x" * 2000 + b"\r\n"),
        request("/body?1000", "POST", "Content-Length: 100000", body=b"x" * 2000),
    ],
    ids=["chunked", "content-length"],
)
async def test_a_body_over_the_limit_gets_413_before_it_has_all_arrived_and_the_connection_closes(
    head: bytes,
) -> None:
    app = FakeApp()
    async with serving(app) as served, connect(served.port) as client:
        client.send(head)  # more than the handler's limit, and the body is not finished
        reply = await client.reply()
        assert reply.status == 413
        assert reply.headers["connection"] == "close"
        await client.expect_closed()
    assert isinstance(app.read_outcome.result(), GatewayProblem)


async def test_a_whole_chunked_body_over_the_limit_gets_413_and_the_connection_stays_in_step() -> None:
    async with serving(FakeApp()) as served, connect(served.port) as client:
        body = b"".join(b"64\r\n" + b"x" * 100 + b"\r\n" for _ in range(20)) + b"0\r\n\r\n"
        client.send(
            request("/body?1000", "POST", "Transfer-Encoding: chunked", body=body) + request("/after")
        )
        assert (await client.reply()).status == 413
        # Either the connection closes, or the next request is answered as itself.
        after = await client.reply_or_close()
        assert after is None or (after.status, after.body) == (200, b"GET /after?")


async def test_a_body_the_handler_did_not_read_does_not_become_the_next_request() -> None:
    app = FakeApp()
    async with serving(app) as served, connect(served.port) as client:
        smuggled = request("/smuggled")
        client.send(
            request("/ignored", "POST", f"Content-Length: {len(smuggled)}", body=smuggled) + request("/after")
        )
        assert (await client.reply()).body == b"POST /ignored?"
        after = await client.reply_or_close()
        assert after is None or after.body == b"GET /after?"
    assert "/smuggled" not in [call.path for call in app.calls]


async def test_a_client_leaving_while_the_handler_waits_for_its_body_makes_read_raise_client_gone() -> None:
    app = FakeApp()
    async with serving(app) as served, connect(served.port) as client:
        client.send(request("/body", "POST", "Content-Length: 100", body=b"only ten.."))
        await asyncio.wait_for(app.entered.wait(), WAIT)
        await asyncio.sleep(0.1)
        await client.close()
        outcome = await asyncio.wait_for(app.read_outcome, WAIT)
    assert isinstance(outcome, ClientGone)


# -- refusals


@pytest.mark.parametrize(
    "data",
    [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: gateway.test\r\nno colon here\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    ],
    ids=["garbage", "bad-header", "two-lengths"],
)
async def test_a_malformed_request_gets_400_from_refuse_and_the_connection_closes(data: bytes) -> None:
    app = FakeApp()
    reply = await answer_then_close(app, data)
    assert reply.status == 400
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.headers["connection"] == "close"
    assert json.loads(reply.body)["status"] == 400
    assert [status for status, _ in app.refusals] == [400]
    assert app.calls == []


async def test_a_malformed_chunked_body_gets_400_while_the_handler_waits_for_it() -> None:
    app = FakeApp()
    async with serving(app) as served, connect(served.port) as client:
        client.send(request("/body", "POST", "Transfer-Encoding: chunked", body=b"5\r\nhello\r\n"))
        await asyncio.wait_for(app.entered.wait(), WAIT)
        client.send(b"not a chunk size\r\n")
        reply = await client.reply()
        await client.expect_closed()
    assert reply.status == 400  # from refuse, or from the handler, its read having failed


async def test_a_malformed_request_after_a_good_one_is_refused_after_the_good_one_is_answered() -> None:
    app = FakeApp()
    async with serving(app) as served, connect(served.port) as client:
        client.send(request("/sleep?0.2") + b"NOT HTTP AT ALL\r\n\r\n")
        good = await client.reply()
        bad = await client.reply()
        await client.expect_closed()
    assert (good.status, good.body) == (200, b"GET /sleep?0.2")
    assert bad.status == 400


@pytest.mark.parametrize(
    "head",
    [
        request("/", "GET", "X-Big: " + "a" * 3000),
        request("/", "GET", *(f"X-Header-{i}: {'a' * 50}" for i in range(60))),
        b"GET /" + b"a" * 3000 + b" HTTP/1.1\r\n\r\n",  # no header: the target alone is too long
    ],
    ids=["one-big-header", "many-headers", "long-target"],
)
async def test_a_head_over_max_header_bytes_gets_431_and_the_connection_closes(head: bytes) -> None:
    app = FakeApp()
    reply = await answer_then_close(app, head)
    assert reply.status == 431
    assert [status for status, _ in app.refusals] == [431]
    assert app.calls == []


async def test_a_header_growing_past_max_header_bytes_is_refused_before_it_ends() -> None:
    # A header line that never ends must not be buffered whole before the limit is checked: the
    # 431 (and the end of the connection) come while the client is still sending it.
    reply = await answer_then_close(
        FakeApp(), b"GET / HTTP/1.1\r\nHost: gateway.test\r\nX-Big: " + b"a" * 20_000
    )
    assert reply.status == 431


# -- timeouts


async def test_an_idle_keep_alive_connection_is_closed_after_keep_alive_timeout() -> None:
    async with serving(FakeApp(), keep_alive_timeout=0.5) as served, connect(served.port) as client:
        client.send(request())
        assert (await client.reply()).status == 200
        await client.expect_closed(within=0.5 + SWEEP + WAIT)


async def test_a_slow_handler_outlives_both_timeouts() -> None:
    limits = {"keep_alive_timeout": 0.5, "request_read_timeout": 0.5}
    async with serving(FakeApp(), **limits) as served, connect(served.port) as client:
        client.send(request())
        assert (await client.reply()).status == 200
        # The connection is busy, not idle, and its request has arrived: it waits for the handler.
        client.send(request("/sleep?2"))
        reply = await client.reply()
    assert (reply.status, reply.body) == (200, b"GET /sleep?2")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GET / HTTP/1.1\r\nHost: gateway.test\r\n",
        request("/body", "POST", "Content-Length: 10", body=b"12345"),
    ],
    ids=["nothing-sent", "head-unfinished", "body-unfinished"],
)
async def test_a_request_that_does_not_arrive_within_request_read_timeout_is_closed(data: bytes) -> None:
    app = FakeApp()
    async with serving(app, request_read_timeout=0.5) as served, connect(served.port) as client:
        client.send(data)
        await client.expect_closed(within=0.5 + SWEEP + WAIT)
    if data.startswith(b"POST"):
        assert isinstance(app.read_outcome.result(), ClientGone)


# -- stopping


async def test_start_on_port_0_listens_on_the_port_it_reports() -> None:
    app = FakeApp()
    listener = Listener(app.handle, app.refuse, LIMITS)
    await listener.start("127.0.0.1", 0)
    port = listener.port
    try:
        async with connect(port) as client:
            client.send(request("/here"))
            assert (await client.reply()).body == b"GET /here?"
    finally:
        listener.stop()
    assert await refused(port)


async def test_stop_lets_a_request_in_flight_finish_refuses_new_connections_and_serve_returns() -> None:
    app = FakeApp()
    async with serving(app) as served:
        async with connect(served.port) as busy, connect(served.port) as idle:
            idle.send(request("/idle"))
            assert (await idle.reply()).status == 200
            busy.send(request("/wait"))
            await asyncio.wait_for(app.entered.wait(), WAIT)

            served.listener.stop()
            assert await refused(served.port), "a new connection was accepted after stop()"
            await idle.expect_closed()  # idle keep-alive connections close at once
            assert not served.serving.done()

            app.release.set()
            reply = await busy.reply()
            assert (reply.status, reply.body) == (200, b"GET /wait?")
            assert reply.headers["connection"] == "close"
            await busy.expect_closed()
        await asyncio.wait_for(served.serving, WAIT)


async def test_stop_closes_what_is_still_running_after_shutdown_grace() -> None:
    app = FakeApp()
    async with serving(app, shutdown_grace=0.5) as served, connect(served.port) as busy:
        busy.send(request("/wait"))
        await asyncio.wait_for(app.entered.wait(), WAIT)
        started = time.monotonic()
        served.listener.stop()
        await asyncio.wait_for(served.serving, WAIT)
        assert time.monotonic() - started >= 0.4
        await busy.expect_closed()
