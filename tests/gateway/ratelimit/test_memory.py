"""The in-process limiter keeps its memory bounded."""

from __future__ import annotations

from gateway.ratelimit import MemoryRateLimiter, RateLimitPolicy

from .conftest import FakeClock

POLICY = RateLimitPolicy(name="p", limit=2, window=10.0)


async def test_idle_buckets_are_dropped_and_forget_nothing(clock: FakeClock) -> None:
    limiter = MemoryRateLimiter(max_keys=100, clock=clock)
    for client in range(100):
        await limiter.check(f"idle-{client}", POLICY)
    clock.advance(5.0)  # every idle bucket is full again
    await limiter.check("busy", POLICY)
    await limiter.check("busy", POLICY)

    await limiter.check("one-too-many", POLICY)

    assert len(limiter) == 2
    assert not (await limiter.check("busy", POLICY)).allowed


async def test_when_every_bucket_is_busy_the_least_recently_used_go(clock: FakeClock) -> None:
    limiter = MemoryRateLimiter(max_keys=100, clock=clock)
    for client in range(100):
        await limiter.check(f"client-{client}", POLICY)
    await limiter.check("client-0", POLICY)  # client-0 is now the most recently used

    await limiter.check("client-100", POLICY)

    assert len(limiter) <= 100
    assert not (await limiter.check("client-0", POLICY)).allowed  # kept: still out of quota
    assert (await limiter.check("client-1", POLICY)).remaining == 1  # forgotten: starts afresh
