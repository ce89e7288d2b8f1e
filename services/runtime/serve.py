"""Running one revgate app as an HTTP server, in the foreground or (for tests) in a thread."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn

from services.runtime.correlation import CorrelationMiddleware


def serve(app: Any, *, host: str, port: int, name: str) -> None:
    """Serve ``app`` until SIGINT/SIGTERM, logging one line per request.

    The app is wrapped in :class:`CorrelationMiddleware` here, outside Litestar's routing, so
    that even a 404 carries the correlation id.
    """
    uvicorn.run(
        CorrelationMiddleware(app),
        host=host,
        port=port,
        log_level="info",
        access_log=True,
        server_header=False,
        lifespan="on",
        log_config={
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"plain": {"format": f"%(asctime)s {name} %(levelname)s %(name)s %(message)s"}},
            "handlers": {"out": {"class": "logging.StreamHandler", "formatter": "plain"}},
            "root": {"handlers": ["out"], "level": "INFO"},
            # One line per vendor call is httpx's INFO; the adapters log retries and failures themselves.
            "loggers": {"httpx": {"level": "WARNING"}},
        },
    )


@contextlib.contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", *, correlation: bool = True) -> Iterator[str]:
    """Serve ``app`` as :func:`serve` does, on a free loopback port in a background thread; yields its URL.

    ``correlation=False`` serves the app bare, for apps that handle correlation themselves (the gateway).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this; without it keep-alive answers wait ~40 ms (Nagle + delayed ACK).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    asgi = CorrelationMiddleware(app) if correlation else app
    server = uvicorn.Server(
        uvicorn.Config(asgi, log_level="warning", lifespan="on", access_log=False, server_header=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("server thread died during start-up")
            threading.Event().wait(0.01)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
