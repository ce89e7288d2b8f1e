"""CPU cost of one rate-limit check against Redis: ``python -m tests.gateway.ratelimit.bench_redis_check``.

Prints µs of this process's CPU per check, sequentially and with 50 checks in flight (as under
load), for RedisRateLimiter and, for comparison, redis-py's asyncio ``evalsha`` of the same
script. A measurement, not a test: it asserts nothing. Needs Redis at 127.0.0.1:6379.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis

from gateway.ratelimit import GCRA_SCRIPT, RateLimitPolicy, RedisRateLimiter

URL = "redis://127.0.0.1:6379/0"
CHECKS = 20_000
POLICY = RateLimitPolicy(name="bench", limit=1_000_000_000, window=1.0)


async def cpu_per_call(call: Callable[[], Awaitable[Any]], in_flight: int) -> float:
    per_task = CHECKS // in_flight

    async def worker() -> None:
        for _ in range(per_task):
            await call()

    await asyncio.gather(*(worker() for _ in range(in_flight)))  # warm up
    samples = []
    for _ in range(3):
        start = time.process_time()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        samples.append((time.process_time() - start) / (per_task * in_flight) * 1e6)
    return statistics.median(samples)


async def main() -> None:
    prefix = f"revgate-bench:{uuid.uuid4().hex}:"
    limiter = RedisRateLimiter(URL, key_prefix=prefix)
    client = aioredis.Redis.from_url(URL, max_connections=64, socket_timeout=0.1, socket_connect_timeout=0.1)
    sha = await client.script_load(GCRA_SCRIPT)
    key = f"{prefix}redis-py"
    interval, tolerance = POLICY.interval_us, POLICY.tolerance_us
    candidates: dict[str, Callable[[], Awaitable[Any]]] = {
        "RedisRateLimiter.check": lambda: limiter.check("client", POLICY),
        "redis-py evalsha": lambda: client.evalsha(sha, 1, key, interval, tolerance),
    }
    try:
        for name, call in candidates.items():
            for in_flight in (1, 50):
                cost = await cpu_per_call(call, in_flight)
                print(f"{name:24} {in_flight:3} in flight: {cost:6.1f} µs CPU per check")
    finally:
        await client.delete(key, f"{prefix}bench:client")
        await client.aclose()
        await limiter.aclose()


if __name__ == "__main__":
    asyncio.run(main())
