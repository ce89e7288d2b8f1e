"""The in-process GCRA limiter: the embedded default, and the fallback while Redis is away."""

from __future__ import annotations

import time
from collections.abc import Callable

from ._policy import MICROS, Decision, RateLimitPolicy, decision_from_gcra


class MemoryRateLimiter:
    """GCRA in a dict, with the same arithmetic (integer microseconds) as the Redis script.

    Limits are per process. Memory is bounded: when more than ``max_keys`` buckets are held,
    buckets that are full again (their TAT is in the past, so forgetting them changes
    nothing) are dropped; if that is not enough, the least recently used ones go too.
    """

    __slots__ = ("_buckets", "_clock", "_max_keys", "_shapes")

    def __init__(self, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        """``clock`` returns seconds (monotonic); tests inject one to let time pass."""
        self._buckets: dict[tuple[str, str], int] = {}
        self._shapes: dict[RateLimitPolicy, tuple[int, int]] = {}
        self._max_keys = max_keys
        self._clock = clock

    def __len__(self) -> int:
        """Buckets currently held."""
        return len(self._buckets)

    async def check(self, key: str, policy: RateLimitPolicy) -> Decision:
        """Decide for ``key`` under ``policy`` (the :class:`RateLimiter` protocol)."""
        return self.decide(key, policy)

    def decide(self, key: str, policy: RateLimitPolicy, *, degraded: bool = False) -> Decision:
        """The same as :meth:`check`, without an await: for callers already on the hot path."""
        shape = self._shapes.get(policy)
        if shape is None:
            shape = self._shapes[policy] = (policy.interval_us, policy.tolerance_us)
        interval, tolerance = shape
        now = int(self._clock() * MICROS)
        buckets = self._buckets
        bucket = (policy.name, key)
        # pop and re-insert keeps the dict in least-recently-used order for eviction
        tat = buckets.pop(bucket, now)
        if tat < now:
            tat = now
        new_tat = tat + interval
        if new_tat - tolerance > now:
            if tat > now:
                buckets[bucket] = tat
            return decision_from_gcra(policy, 0, 0, tat - now, new_tat - tolerance - now, degraded)
        buckets[bucket] = new_tat
        if len(buckets) > self._max_keys:
            self._evict(now)
        retry = new_tat + interval - tolerance - now
        return decision_from_gcra(
            policy,
            1,
            (now - (new_tat - tolerance)) // interval,
            new_tat - now,
            retry if retry > 0 else 0,
            degraded,
        )

    def _evict(self, now: int) -> None:
        buckets = self._buckets
        for bucket in [b for b, tat in buckets.items() if tat <= now]:
            del buckets[bucket]
        # Leave a tenth free so that the sweep runs once per max_keys/10 new buckets, not on
        # every one; live buckets beyond that go least recently used first (they start afresh).
        excess = len(buckets) - (self._max_keys - self._max_keys // 10)
        if excess > 0:
            for bucket in list(buckets)[:excess]:
                del buckets[bucket]
