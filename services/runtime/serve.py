"""Running one revgate app as an HTTP server, in the foreground or (for tests) in a thread."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import uvicorn
import uvloop

from services.runtime.correlation import CorrelationLogFilter, CorrelationMiddleware

GRACEFUL_SHUTDOWN = 5
"""Seconds a stopping server lets open requests finish; then it closes what is left (a client's idle
keep-alive connection must not hold a shutdown up)."""


def serve(app: Any, *, host: str, port: int, name: str) -> None:
    """Serve ``app`` until SIGINT/SIGTERM, logging one line per request.

    The app is wrapped in :class:`CorrelationMiddleware` here, outside Litestar's routing, so
    that even a 404 carries the correlation id.
    """
    serve_many([(app, port)], host=host, name=name)


def _log_config(name: str) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        # Every line names the request (or the workflow) it belongs to: grep one id across all services.
        "formatters": {
            "plain": {"format": f"%(asctime)s {name} %(levelname)s %(name)s [%(correlation_id)s] %(message)s"}
        },
        "filters": {"correlation": {"()": CorrelationLogFilter}},
        "handlers": {
            "out": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["correlation"]}
        },
        "root": {"handlers": ["out"], "level": "INFO"},
        # One line per vendor call is httpx's INFO; the adapters log retries and failures themselves.
        "loggers": {"httpx": {"level": "WARNING"}},
    }


@contextlib.contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", *, correlation: bool = True) -> Iterator[str]:
    """Serve ``app`` as :func:`serve` does, on a free loopback port in a background thread; yields its URL.

    ``correlation=False`` serves the app bare, for apps that handle correlation themselves (the gateway).
    """
    with serve_all_in_thread([app], host, correlation=correlation) as urls:
        yield urls[0]


@contextlib.contextmanager
def serve_all_in_thread(
    apps: Sequence[Any], host: str = "127.0.0.1", *, correlation: bool = True
) -> Iterator[list[str]]:
    """Serve several apps in one background thread and event loop, as :func:`serve_many` does; yields URLs."""
    sockets = []
    for _ in apps:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this; without it keep-alive answers wait ~40 ms (Nagle + delayed ACK).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, 0))
        sockets.append(sock)
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                CorrelationMiddleware(app) if correlation else app,
                log_level="warning",
                lifespan="on",
                access_log=False,
                server_header=False,
            )
        )
        for app in apps
    ]

    async def run() -> None:
        await asyncio.gather(
            *(server.serve(sockets=[sock]) for server, sock in zip(servers, sockets, strict=True))
        )

    thread = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    thread.start()
    try:
        while not all(server.started for server in servers):
            if not thread.is_alive():
                raise RuntimeError("server thread died during start-up")
            threading.Event().wait(0.01)
        yield [f"http://{host}:{sock.getsockname()[1]}" for sock in sockets]
    finally:
        for server in servers:
            server.should_exit = True
        thread.join(timeout=10)
        for sock in sockets:
            sock.close()


def serve_many(apps: Sequence[tuple[Any, int]], *, host: str, name: str) -> None:
    """Serve several apps, each on its own port, in one process and one event loop, until SIGINT/SIGTERM.

    For capabilities that share state in process memory (the embedded default's workflow store).
    """

    async def run() -> None:
        servers = [
            uvicorn.Server(
                uvicorn.Config(
                    CorrelationMiddleware(app),
                    host=host,
                    port=port,
                    log_config=_log_config(name),
                    access_log=True,
                    server_header=False,
                    lifespan="on",
                    timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
                )
            )
            for app, port in apps
        ]
        # uvicorn installs its signal handlers per server; the first to see a signal tells the others.
        tasks = [asyncio.create_task(server.serve()) for server in servers]
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            task.result()

    # uvloop, as uvicorn.run would choose.
    uvloop.run(run())
