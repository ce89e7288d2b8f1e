"""The Prometheus counter of checks answered without Redis, for ``on_fallback``."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter


def fallback_counter(registry: CollectorRegistry) -> tuple[Counter, Callable[[], None]]:
    """Register ``revgate_ratelimit_redis_fallback_total`` in ``registry``; returns it and its ``inc``.

    Pass the second to ``RateLimitConfig.build_limiter(on_fallback=...)``.
    """
    counter = Counter(
        "revgate_ratelimit_redis_fallback",
        "Rate-limit checks answered without Redis (per-process fallback or fail-closed denial).",
        registry=registry,
    )
    return counter, counter.inc
