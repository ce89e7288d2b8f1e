"""The RateLimit-Policy, RateLimit and Retry-After values a client sees."""

from __future__ import annotations

import pytest

from gateway.ratelimit import (
    Decision,
    MemoryRateLimiter,
    RateLimitPolicy,
    policy_header,
    ratelimit_headers,
    retry_after_header,
    retry_after_seconds,
)

from .conftest import FakeClock

HUNDRED_PER_MINUTE = RateLimitPolicy(name="default", limit=100, window=60.0)


async def test_headers_follow_the_checks(clock: FakeClock) -> None:
    limiter = MemoryRateLimiter(clock=clock)
    first = await limiter.check("client-a", HUNDRED_PER_MINUTE)

    assert ratelimit_headers(HUNDRED_PER_MINUTE, first) == (b'"default";q=100;w=60', b'"default";r=99;t=1')
    for _ in range(40):
        last = await limiter.check("client-a", HUNDRED_PER_MINUTE)
    # 41 requests used 41 x 0.6 s = 24.6 s of the bucket: back in full 25 s from now (rounded up)
    assert ratelimit_headers(HUNDRED_PER_MINUTE, last)[1] == b'"default";r=59;t=25'


async def test_a_denied_request_gets_retry_after_rounded_up(clock: FakeClock) -> None:
    policy = RateLimitPolicy(name="slow", limit=2, window=5.0)  # one request per 2.5 s
    limiter = MemoryRateLimiter(clock=clock)
    await limiter.check("client-a", policy)
    await limiter.check("client-a", policy)

    denied = await limiter.check("client-a", policy)

    assert not denied.allowed
    assert retry_after_header(denied) == b"3"
    assert retry_after_seconds(denied) == 3
    assert ratelimit_headers(policy, denied) == (b'"slow";q=2;w=5', b'"slow";r=0;t=5')


@pytest.mark.parametrize(
    ("seconds", "header"),
    [(0.000001, b"1"), (1.0, b"1"), (1.000001, b"2"), (7.000000000000001, b"7"), (0.0, b"1")],
)
def test_retry_after_is_whole_seconds_at_least_one(seconds: float, header: bytes) -> None:
    decision = Decision(False, 10, 0, seconds, seconds)

    assert retry_after_header(decision) == header


def test_sub_second_windows_are_shown_as_one_second() -> None:
    # the draft's w is a whole number of seconds, at least 1
    assert policy_header(RateLimitPolicy(name="burst", limit=5, window=0.5)) == b'"burst";q=5;w=1'
    assert policy_header(RateLimitPolicy(name="odd", limit=5, window=90.5)) == b'"odd";q=5;w=91'
