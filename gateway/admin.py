"""The admin listener: ``/metrics`` (Prometheus), ``/healthz`` and ``/readyz``, on a private port.

It runs in a thread of its own with the standard library's HTTP server, so that scraping and
probes never queue behind public traffic in the event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest


class AdminListener:
    def __init__(self, host: str, port: int, registry: CollectorRegistry, ready: Callable[[], bool]) -> None:
        registry_, ready_ = registry, ready

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/metrics":
                    self._answer(200, CONTENT_TYPE_LATEST, generate_latest(registry_))
                elif self.path == "/healthz":
                    self._answer(200, "application/json", b'{"status":"ok"}')
                elif self.path == "/readyz":
                    ok = ready_()
                    self._answer(
                        200 if ok else 503,
                        "application/json",
                        b'{"ready":%s}' % (b"true" if ok else b"false"),
                    )
                else:
                    self._answer(404, "application/json", b'{"status":404}')

            def _answer(self, status: int, media_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Probes every few seconds would drown the access log."""

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, name="revgate-admin", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
