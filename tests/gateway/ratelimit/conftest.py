"""Limiters under test, a clock tests can move, and private Redis servers to stop and start."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass

import pytest
import redis.asyncio as aioredis

from gateway.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter

SHARED_REDIS = "redis://127.0.0.1:6379/0"


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def key_prefix() -> str:
    return f"revgate-test:{uuid.uuid4().hex}:"


@pytest.fixture
async def shared_redis(key_prefix: str) -> AsyncIterator[aioredis.Redis]:
    """A redis-py client on the shared Redis; every key under the test's prefix is deleted after."""
    client = aioredis.Redis.from_url(SHARED_REDIS)
    yield client
    keys = [key async for key in client.scan_iter(match=key_prefix + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@dataclass
class LimiterUnderTest:
    """A limiter and a way to let time pass for it: the fake clock in memory, real sleep for Redis."""

    limiter: RateLimiter
    pass_time: Callable[[float], Awaitable[None]]
    exact_clock: bool


@pytest.fixture(params=["memory", "redis"])
async def under_test(
    request: pytest.FixtureRequest, clock: FakeClock, key_prefix: str, shared_redis: aioredis.Redis
) -> AsyncIterator[LimiterUnderTest]:
    if request.param == "memory":

        async def advance(seconds: float) -> None:
            clock.advance(seconds)

        yield LimiterUnderTest(MemoryRateLimiter(clock=clock), advance, exact_clock=True)
        return
    limiter = RedisRateLimiter(SHARED_REDIS, key_prefix=key_prefix)
    assert await limiter.warm_up(), "the tests need Redis at 127.0.0.1:6379"
    yield LimiterUnderTest(limiter, asyncio.sleep, exact_clock=False)
    assert limiter.fallbacks == 0, "Redis was available: no check may have fallen back"
    await limiter.aclose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    """A redis-server of the test's own, on its own port, that the test may stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self._process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--enable-debug-command",
                "yes",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    yield server
    server.stop()
