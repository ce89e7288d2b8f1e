"""A loopback port held but not served (connections refused), and serving an app on it later."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn


@contextlib.contextmanager
def reserved_port() -> Iterator[socket.socket]:
    """A loopback port bound but not listening: connections to it are refused until it is served."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock
    finally:
        sock.close()


@contextlib.contextmanager
def serve_on(app: Any, sock: socket.socket) -> Iterator[None]:
    """Serve ``app`` on an already bound socket, so that a service comes back on the very same port."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive(), "server died during start-up"
            threading.Event().wait(0.01)
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
