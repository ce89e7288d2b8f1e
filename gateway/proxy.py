"""Forwarding to the capability services: a pooled keep-alive client per upstream, timeouts,
retries for idempotent methods, and the circuit breaker.

The requests travel on :mod:`gateway.http1`'s connection pools (the policy is here, the wire
below it, so tests swap the upstream, not this code). Library clients cost more CPU per request
than the gateway's whole budget: see docs/performance.md.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from typing import Final
from urllib.parse import urlsplit

from gateway.breaker import CircuitBreaker, State
from gateway.config import Upstream
from gateway.http1 import AnswerTimeout, ConnectFailed, ConnectionPool, UpstreamError, UpstreamReply
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


class UpstreamClient:
    """Sends requests to one upstream, as hard as its config says and no harder."""

    def __init__(self, upstream: Upstream, on_breaker_change: BreakerListener | None = None) -> None:
        self.upstream = upstream
        self._prefix = urlsplit(upstream.url).path.rstrip("/")  # a service mounted below the root
        listener = on_breaker_change
        self.breaker = CircuitBreaker(
            upstream.breaker_failures,
            upstream.breaker_reset,
            on_change=(lambda state: listener(upstream, state)) if listener else None,
        )
        self._pool = ConnectionPool(
            upstream.url, size=upstream.pool_size, connect_timeout=upstream.connect_timeout
        )
        # One attempt may take connect + read, and never more than the total.
        self._attempt_limit = min(upstream.read_timeout + upstream.connect_timeout, upstream.total_timeout)

    async def close(self) -> None:
        self._pool.close()

    async def forward(self, method: str, target: str, headers: RawHeaders, body: bytes) -> UpstreamReply:
        """Send ``method target`` upstream; answer what came back, or raise 502/503/504 problems.

        The answer's headers come without hop-by-hop fields, Content-Length, Server, Date and the
        correlation id: the gateway sets its own.
        """
        idempotent = method in IDEMPOTENT
        attempts = 1 + self.upstream.retries
        deadline = time.monotonic() + self.upstream.total_timeout
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
                seconds = max(0.001, min(remaining, self._attempt_limit))
                answer = await self._pool.request(method, self._prefix + target, headers, body, seconds)
            except AnswerTimeout:
                self.breaker.failed()
                problem = GatewayProblem(
                    "gateway-timeout", f"{self.upstream.capability} did not answer in time"
                )
                retryable = idempotent
            except ConnectFailed:
                # Never connected: the upstream did not see the request, so any method may go again.
                self.breaker.failed()
                problem = GatewayProblem("bad-gateway", f"{self.upstream.capability} refused the connection")
                retryable = True
            except UpstreamError:
                self.breaker.failed()
                problem = GatewayProblem("bad-gateway", f"{self.upstream.capability} broke the connection")
                retryable = idempotent
            else:
                if answer.status in (502, 504):
                    self.breaker.failed()
                    if idempotent and attempt < attempts:
                        await self._backoff(attempt, deadline)
                        continue
                else:
                    self.breaker.succeeded()
                drop = _DROP_FROM_ANSWER
                answer.headers = [(k, v) for k, v in answer.headers if k not in drop]
                return answer
            if not retryable or attempt >= attempts or time.monotonic() >= deadline:
                raise problem
            await self._backoff(attempt, deadline)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    async def _backoff(attempt: int, deadline: float) -> None:
        delay = random.uniform(0, min(1.0, 0.05 * 2**attempt))  # noqa: S311 - jitter, not security
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
