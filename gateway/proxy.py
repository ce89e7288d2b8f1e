"""Forwarding to the capability services: a pooled keep-alive client per upstream, timeouts,
retries for idempotent methods, and the circuit breaker.

aiohttp carries the requests: measured here, a proxy on httpx 0.28 reaches a fraction of
aiohttp's throughput because httpcore's pool bookkeeping grows with concurrency
(encode/httpx#3215); see docs/performance.md.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from typing import Final

import aiohttp

from gateway.breaker import CircuitBreaker, State
from gateway.config import Upstream
from gateway.problems import GatewayProblem
from gateway.types import RawHeaders

IDEMPOTENT: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
HOP_BY_HOP: Final = frozenset(
    {b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization", b"te", b"trailer",
     b"transfer-encoding", b"upgrade", b"proxy-connection"}
)  # fmt: skip
_DROP_FROM_ANSWER: Final = HOP_BY_HOP | {b"content-length", b"server", b"date", b"x-correlation-id"}

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
        self._session: aiohttp.ClientSession | None = None
        self._timeout = aiohttp.ClientTimeout(
            total=upstream.read_timeout + upstream.connect_timeout,
            connect=upstream.connect_timeout,
            sock_read=upstream.read_timeout,
        )

    def _open(self) -> aiohttp.ClientSession:
        # Made on first use, inside the serving event loop.
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=self.upstream.pool_size, ttl_dns_cache=300, keepalive_timeout=30
            ),
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
            timeout=self._timeout,
        )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def forward(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> UpstreamAnswer:
        """Send ``method target`` upstream; answer what came back, or raise 502/503/504 problems."""
        session = self._session or self._open()
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
                async with asyncio.timeout(remaining):
                    async with session.request(method, url, headers=headers, data=body or None) as answer:
                        content = await answer.read()
                        status = answer.status
                        raw = answer.raw_headers
            except TimeoutError:
                self.breaker.failed()
                problem = GatewayProblem(
                    "gateway-timeout", f"{self.upstream.capability} did not answer in time"
                )
                retryable = idempotent
            except aiohttp.ClientConnectorError:
                # Never connected: the upstream did not see the request, so any method may go again.
                self.breaker.failed()
                problem = GatewayProblem("bad-gateway", f"{self.upstream.capability} refused the connection")
                retryable = True
            except (aiohttp.ClientError, OSError):
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
                return UpstreamAnswer(
                    status, [(k.lower(), v) for k, v in raw if k.lower() not in _DROP_FROM_ANSWER], content
                )
            if not retryable or attempt >= attempts or time.monotonic() >= deadline:
                raise problem
            await self._backoff(attempt, deadline)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    async def _backoff(attempt: int, deadline: float) -> None:
        delay = random.uniform(0, min(1.0, 0.05 * 2**attempt))  # noqa: S311 - jitter, not security
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
