"""A gateway served as ``revgate gateway`` serves it, for tests: its :mod:`gateway.http1` listener on a
uvloop event loop, in a background thread, on a free loopback port."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import threading
import time
from collections.abc import Iterator

import uvloop

from gateway.app import Gateway
from gateway.config import ServerConfig
from gateway.http1 import Listener
from gateway.server import listener_for

#: Seconds for start-up (the provider's keys are fetched first) and for the thread to end.
_START_SECONDS = 30.0


@contextlib.contextmanager
def listening(gateway: Gateway, server: ServerConfig) -> Iterator[str]:
    """Serve ``gateway`` until the block ends; yields its URL.

    As the product does, around serving: the state starts before the listener does, and closes
    once the listener has stopped (requests in flight first get their answers).
    """
    started: concurrent.futures.Future[tuple[asyncio.AbstractEventLoop, asyncio.Event, int]] = (
        concurrent.futures.Future()
    )
    failure: list[BaseException] = []

    async def main() -> None:
        await gateway.state.start()
        try:
            if gateway.on_started is not None:
                gateway.on_started()
            listener = listener_for(gateway, server)
            await listener.start("127.0.0.1", 0)
            stop = asyncio.Event()
            started.set_result((asyncio.get_running_loop(), stop, listener.port))
            await stop.wait()
            listener.stop()
            await _stopped(listener)
        finally:
            await gateway.state.close()

    def run() -> None:
        try:
            uvloop.run(main())
        except BaseException as error:  # reported to the test, not lost in the thread
            if not started.done():
                started.set_exception(error)
            else:
                failure.append(error)

    thread = threading.Thread(target=run, name="gateway", daemon=True)
    thread.start()
    loop, stop, port = started.result(timeout=_START_SECONDS)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=_START_SECONDS)
        assert not thread.is_alive(), "the gateway did not stop"
        if failure:
            raise failure[0]


async def _stopped(listener: Listener) -> None:
    """Until the listener's connections have ended: at once when none is busy, else after the
    requests in flight (or ``shutdown_grace``, when the listener closes what is left)."""
    # Polled: the listener tells only serve() when it has stopped, and this one was start()ed.
    deadline = time.monotonic() + listener.limits.shutdown_grace + 1.0
    for _ in itertools.count():
        if not listener.connections or time.monotonic() > deadline:
            return
        await asyncio.sleep(0.01)
