"""Redis away, slow, restarted or flushed: requests keep being answered, fast, and sharing comes back."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from gateway.ratelimit import MemoryRateLimiter, RateLimitPolicy, RedisRateLimiter

from .conftest import FakeClock, PrivateRedis

POLICY = RateLimitPolicy(name="three", limit=3, window=60.0)
CLOSED_PORT = "redis://127.0.0.1:1/0"


def redis_limiter(url: str, clock: FakeClock, **options: object) -> tuple[RedisRateLimiter, list[int]]:
    """A limiter whose back-off runs on the fake clock, and the list its fallback callback appends to."""
    fallbacks: list[int] = []
    limiter = RedisRateLimiter(
        url,
        clock=clock,
        on_fallback=lambda: fallbacks.append(1),
        fallback=MemoryRateLimiter(clock=clock),
        **options,  # type: ignore[arg-type]
    )
    return limiter, fallbacks


async def test_redis_down_falls_back_to_the_local_limit_and_counts_it(clock: FakeClock) -> None:
    limiter, fallbacks = redis_limiter(CLOSED_PORT, clock)

    decisions = [await limiter.check("client-a", POLICY) for _ in range(5)]

    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert all(d.degraded for d in decisions)
    assert len(fallbacks) == limiter.fallbacks == 5
    # Redis was tried once; the other checks did not wait for it
    assert limiter.connect_attempts == 1


async def test_redis_is_tried_again_only_after_the_back_off(clock: FakeClock) -> None:
    limiter, _ = redis_limiter(CLOSED_PORT, clock, retry_interval=1.0)
    for _ in range(20):
        await limiter.check("client-a", POLICY)
    assert limiter.connect_attempts == 1

    clock.advance(0.9)
    await limiter.check("client-a", POLICY)
    assert limiter.connect_attempts == 1
    clock.advance(0.1)
    await limiter.check("client-a", POLICY)
    await limiter.check("client-a", POLICY)
    assert limiter.connect_attempts == 2


async def test_fail_closed_denies_with_a_clear_decision(clock: FakeClock) -> None:
    limiter, fallbacks = redis_limiter(CLOSED_PORT, clock, fail_closed=True, retry_interval=2.0)

    decision = await limiter.check("client-a", POLICY)

    assert not decision.allowed
    assert decision.degraded
    assert (decision.remaining, decision.retry_after, decision.limit) == (0, 2.0, 3)
    assert len(fallbacks) == 1


async def test_a_redis_that_accepts_but_never_answers_costs_one_timeout_per_back_off(
    clock: FakeClock,
) -> None:
    silent_clients: list[asyncio.StreamWriter] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        silent_clients.append(writer)

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    limiter, fallbacks = redis_limiter(f"redis://127.0.0.1:{port}/0", clock, connect_timeout=0.05)
    try:
        decisions = await asyncio.gather(*(limiter.check("client-a", POLICY) for _ in range(10)))
        decisions.append(await limiter.check("client-a", POLICY))
    finally:
        server.close()
        for writer in silent_clients:
            writer.close()
        await server.wait_closed()

    # the ten concurrent checks shared one attempt; the one after it did not wait at all
    assert limiter.connect_attempts == 1
    assert len(fallbacks) == 11
    assert sum(d.allowed for d in decisions) == 3


async def test_a_redis_that_stalls_mid_service_times_out_and_falls_back(
    clock: FakeClock, private_redis: PrivateRedis
) -> None:
    private_redis.start()
    limiter, fallbacks = redis_limiter(private_redis.url, clock, timeout=0.05)
    assert not (await limiter.check("client-a", POLICY)).degraded
    reader, writer = await asyncio.open_connection("127.0.0.1", private_redis.port)
    writer.write(b"DEBUG SLEEP 0.5\r\n")
    await writer.drain()
    await asyncio.sleep(0.05)  # let DEBUG SLEEP reach Redis first

    stalled = await asyncio.gather(*(limiter.check("client-a", POLICY) for _ in range(5)))

    assert all(d.degraded for d in stalled)
    assert len(fallbacks) == 5
    assert await reader.readline() == b"+OK\r\n"
    writer.close()
    await writer.wait_closed()
    await limiter.aclose()


async def test_redis_stopped_and_started_again_mid_test(
    clock: FakeClock, private_redis: PrivateRedis
) -> None:
    private_redis.start()
    limiter, fallbacks = redis_limiter(private_redis.url, clock)
    assert [(await limiter.check("client-a", POLICY)).degraded for _ in range(2)] == [False, False]

    private_redis.stop()
    during = [await limiter.check("client-a", POLICY) for _ in range(3)]
    assert all(d.degraded for d in during)
    assert len(fallbacks) == 3

    private_redis.start()  # empty: no buckets, no cached script
    clock.advance(1.0)
    after = [await limiter.check("client-a", POLICY) for _ in range(4)]

    assert [d.degraded for d in after] == [False] * 4
    assert [d.allowed for d in after] == [True, True, True, False]
    assert len(fallbacks) == 3
    admin = aioredis.Redis.from_url(private_redis.url)
    assert await admin.exists("revgate:rl:three:client-a") == 1
    await admin.aclose()
    await limiter.aclose()


async def test_a_flushed_script_cache_is_refilled_without_falling_back(
    clock: FakeClock, private_redis: PrivateRedis
) -> None:
    private_redis.start()
    limiter, fallbacks = redis_limiter(private_redis.url, clock)
    await limiter.check("client-a", POLICY)
    admin = aioredis.Redis.from_url(private_redis.url)
    await admin.script_flush()

    decisions = [await limiter.check("client-a", POLICY) for _ in range(3)]

    assert [(d.allowed, d.degraded) for d in decisions] == [(True, False), (True, False), (False, False)]
    assert fallbacks == []
    assert limiter.connect_attempts == 1
    await admin.aclose()
    await limiter.aclose()


async def test_idle_buckets_expire_in_redis(clock: FakeClock, private_redis: PrivateRedis) -> None:
    private_redis.start()
    limiter, _ = redis_limiter(private_redis.url, clock, key_prefix="rl-test:")
    await limiter.check("client-a", POLICY)
    await limiter.check("client-a", POLICY)
    admin = aioredis.Redis.from_url(private_redis.url)

    # two requests used 2 x 20 s: the bucket is full again, and the key gone, 40 s later
    ttl = await admin.pttl("rl-test:three:client-a")

    assert 39_000 < ttl <= 40_000
    await admin.aclose()
    await limiter.aclose()
