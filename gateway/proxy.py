"""Forwarding to the capability services: a pooled keep-alive client per upstream, timeouts,
retries for idempotent methods, and the circuit breaker.

pyreqwest (Rust's reqwest and hyper behind a thin Python layer) carries the requests. Measured on
the benchmark machine (docs/performance.md), per proxied request: aiohttp ~190 µs of CPU, pyreqwest
~75 µs; httpx 0.28 is far behind both, because httpcore's pool bookkeeping grows with concurrency
(encode/httpx#3215).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Final

from pyreqwest.client import Client, ClientBuilder
from pyreqwest.exceptions import ConnectError, PyreqwestError

from gateway.breaker import CircuitBreaker, State
from gateway.config import Upstream
from gateway.problems import GatewayProblem
from gateway.types import RawHeaders

IDEMPOTENT: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
HOP_BY_HOP: Final = frozenset(
    {b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization", b"te", b"trailer",
     b"transfer-encoding", b"upgrade", b"proxy-connection"}
)  # fmt: skip
_DROP_FROM_ANSWER: Final = frozenset(
    name.decode() for name in HOP_BY_HOP | {b"content-length", b"server", b"date", b"x-correlation-id"}
)

#: Told of every state change of an upstream's breaker (for metrics).
BreakerListener = Callable[[Upstream, State], None]


class UpstreamAnswer:
    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: RawHeaders, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


class UpstreamClient:
    """Sends requests to one upstream, as hard as its config says and no harder."""

    def __init__(self, upstream: Upstream, on_breaker_change: BreakerListener | None = None) -> None:
        self.upstream = upstream
        self.base = upstream.url.rstrip("/")
        listener = on_breaker_change
        self.breaker = CircuitBreaker(
            upstream.breaker_failures,
            upstream.breaker_reset,
            on_change=(lambda state: listener(upstream, state)) if listener else None,
        )
        self._client: Client | None = None
        # One attempt may take connect + read, and never more than the total.
        self._attempt_limit = min(upstream.read_timeout + upstream.connect_timeout, upstream.total_timeout)

    def _open(self) -> Client:
        # Made on first use, inside the serving event loop.
        upstream = self.upstream
        self._client = (
            ClientBuilder()
            .max_connections(upstream.pool_size)
            .pool_max_idle_per_host(upstream.pool_size)
            .pool_idle_timeout(timedelta(seconds=30))
            .connect_timeout(timedelta(seconds=upstream.connect_timeout))
            .read_timeout(timedelta(seconds=upstream.read_timeout))
            .timeout(timedelta(seconds=self._attempt_limit))
            # A proxy passes answers on as they are: no redirects followed, no decompression, no
            # proxy from the environment, no error for 4xx/5xx (they are answers too).
            .follow_redirects(False)
            .gzip(False)
            .brotli(False)
            .deflate(False)
            .zstd(False)
            .no_proxy()
            .error_for_status(False)
            .http1_only()
            .build()
        )
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def forward(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> UpstreamAnswer:
        """Send ``method target`` upstream; answer what came back, or raise 502/503/504 problems."""
        client = self._client or self._open()
        idempotent = method in IDEMPOTENT
        attempts = 1 + self.upstream.retries
        deadline = time.monotonic() + self.upstream.total_timeout
        url = self.base + target
        for attempt in range(1, attempts + 1):
            if not self.breaker.allow():
                wait = max(1, round(self.breaker.retry_after() + 0.5))
                raise GatewayProblem(
                    "upstream-unavailable",
                    f"{self.upstream.capability} v{self.upstream.major} is failing; the circuit is open",
                    headers=[(b"retry-after", str(wait).encode())],
                    retry_after=wait,
                )
            remaining = deadline - time.monotonic()
            problem: GatewayProblem
            try:
                request = client.request(method, url).headers(headers)
                if remaining < self._attempt_limit:  # a retry: less than one attempt's time is left
                    request = request.timeout(timedelta(seconds=max(0.001, remaining)))
                if body:
                    request = request.body_bytes(body)
                answer = await request.build().send()
                content = bytes(await answer.bytes())
                status = answer.status
                raw = answer.headers.items()
            except TimeoutError:
                self.breaker.failed()
                problem = GatewayProblem(
                    "gateway-timeout", f"{self.upstream.capability} did not answer in time"
                )
                retryable = idempotent
            except ConnectError:
                # Never connected: the upstream did not see the request, so any method may go again.
                self.breaker.failed()
                problem = GatewayProblem("bad-gateway", f"{self.upstream.capability} refused the connection")
                retryable = True
            except (PyreqwestError, OSError):
                self.breaker.failed()
                problem = GatewayProblem("bad-gateway", f"{self.upstream.capability} broke the connection")
                retryable = idempotent
            else:
                if status in (502, 504):
                    self.breaker.failed()
                    if idempotent and attempt < attempts:
                        await self._backoff(attempt, deadline)
                        continue
                else:
                    self.breaker.succeeded()
                drop = _DROP_FROM_ANSWER
                return UpstreamAnswer(
                    status, [(k.encode(), v.encode("latin-1")) for k, v in raw if k not in drop], content
                )
            if not retryable or attempt >= attempts or time.monotonic() >= deadline:
                raise problem
            await self._backoff(attempt, deadline)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    async def _backoff(attempt: int, deadline: float) -> None:
        delay = random.uniform(0, min(1.0, 0.05 * 2**attempt))  # noqa: S311 - jitter, not security
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
