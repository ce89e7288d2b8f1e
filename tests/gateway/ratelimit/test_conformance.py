"""What every limiter must do, run against both: in memory (fake clock) and in shared Redis (real time)."""

from __future__ import annotations

import asyncio

import pytest

from gateway.ratelimit import RateLimitPolicy

from .conftest import LimiterUnderTest

# 4 per second: one request every 0.25 s. Long enough that the few milliseconds a burst takes
# against Redis never let an extra request drip in; short enough to wait for in a test.
FOUR_PER_SECOND = RateLimitPolicy(name="four", limit=4, window=1.0)


async def test_a_full_bucket_lets_exactly_the_limit_through_then_denies(under_test: LimiterUnderTest) -> None:
    limiter = under_test.limiter
    decisions = [await limiter.check("client-a", FOUR_PER_SECOND) for _ in range(6)]

    assert [d.allowed for d in decisions] == [True, True, True, True, False, False]
    assert [d.remaining for d in decisions] == [3, 2, 1, 0, 0, 0]
    assert all(d.limit == 4 for d in decisions)
    assert not any(d.degraded for d in decisions)
    denied = decisions[4]
    # the next request is allowed once one interval (0.25 s) after the first request has passed
    assert 0.2 < denied.retry_after <= 0.25
    assert 0.95 < denied.reset <= 1.0
    if under_test.exact_clock:
        assert denied.retry_after == 0.25
        assert denied.reset == 1.0


async def test_allowed_requests_report_when_the_quota_is_back(under_test: LimiterUnderTest) -> None:
    first = await under_test.limiter.check("client-a", FOUR_PER_SECOND)

    assert (first.allowed, first.remaining, first.retry_after) == (True, 3, 0.0)
    assert 0.2 < first.reset <= 0.25  # one interval used up
    last = [await under_test.limiter.check("client-a", FOUR_PER_SECOND) for _ in range(3)][-1]
    assert last.remaining == 0
    assert 0.2 < last.retry_after <= 0.25  # the bucket is empty: the next one must wait


async def test_one_interval_later_exactly_one_more_request_is_allowed(under_test: LimiterUnderTest) -> None:
    limiter = under_test.limiter
    for _ in range(5):
        await limiter.check("client-a", FOUR_PER_SECOND)

    await under_test.pass_time(0.25)

    assert [(await limiter.check("client-a", FOUR_PER_SECOND)).allowed for _ in range(3)] == [
        True,
        False,
        False,
    ]


async def test_a_window_later_the_full_quota_is_back_and_no_more(under_test: LimiterUnderTest) -> None:
    limiter = under_test.limiter
    for _ in range(6):
        await limiter.check("client-a", FOUR_PER_SECOND)

    await under_test.pass_time(1.0)

    decisions = [await limiter.check("client-a", FOUR_PER_SECOND) for _ in range(6)]
    assert [d.allowed for d in decisions] == [True] * 4 + [False] * 2
    assert decisions[0].remaining == 3


async def test_clients_and_policies_have_separate_buckets(under_test: LimiterUnderTest) -> None:
    limiter = under_test.limiter
    other_policy = RateLimitPolicy(name="other", limit=4, window=1.0)
    for _ in range(4):
        await limiter.check("client-a", FOUR_PER_SECOND)

    assert not (await limiter.check("client-a", FOUR_PER_SECOND)).allowed
    assert (await limiter.check("client-b", FOUR_PER_SECOND)).allowed
    assert (await limiter.check("client-a", other_policy)).allowed


async def test_burst_smaller_than_the_limit_caps_what_arrives_at_once(under_test: LimiterUnderTest) -> None:
    policy = RateLimitPolicy(name="smooth", limit=100, window=60.0, burst=3)

    decisions = [await under_test.limiter.check("client-a", policy) for _ in range(4)]

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[3].limit == 100
    assert 0.55 < decisions[3].retry_after <= 0.6  # 60 s / 100 per request


async def test_concurrent_checks_admit_exactly_the_quota(under_test: LimiterUnderTest) -> None:
    policy = RateLimitPolicy(name="hour", limit=25, window=3600.0)

    decisions = await asyncio.gather(*(under_test.limiter.check("client-a", policy) for _ in range(60)))

    assert sum(d.allowed for d in decisions) == 25
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(25))


@pytest.mark.parametrize("key", ["client:with:colons", "ünïcödé client", ""])
async def test_any_client_key_is_its_own_bucket(under_test: LimiterUnderTest, key: str) -> None:
    policy = RateLimitPolicy(name="one", limit=1, window=60.0)

    assert (await under_test.limiter.check(key, policy)).allowed
    assert not (await under_test.limiter.check(key, policy)).allowed
    assert (await under_test.limiter.check(key + "x", policy)).allowed
