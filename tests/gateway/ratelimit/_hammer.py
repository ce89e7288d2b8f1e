"""One gateway-like process for the multi-process test: connect, say ready, wait for "go", fire.

Run as ``python -m tests.gateway.ratelimit._hammer URL KEY_PREFIX REQUESTS``; prints
``allowed degraded`` when done.
"""

from __future__ import annotations

import asyncio
import sys

from gateway.ratelimit import RateLimitPolicy, RedisRateLimiter

POLICY = RateLimitPolicy(name="shared", limit=50, window=3600.0)


async def main(url: str, key_prefix: str, requests: int) -> None:
    limiter = RedisRateLimiter(url, key_prefix=key_prefix)
    if not await limiter.warm_up():
        raise SystemExit("Redis did not answer")
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    decisions = await asyncio.gather(*(limiter.check("client-a", POLICY) for _ in range(requests)))
    print(sum(d.allowed for d in decisions), sum(d.degraded for d in decisions), flush=True)
    await limiter.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
