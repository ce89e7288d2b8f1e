"""Three gateway processes sharing one real Redis hold a client to one quota between them; Redis
stopped mid-test turns no request into an error, and when it is back the limits are shared again."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from gateway.idp import DevIdentityProvider
from tests.gateway._processes import GatewayProcess, gateway_toml, running
from tests.gateway.echo import EchoUpstream
from tests.gateway.ratelimit.conftest import PrivateRedis

CUSTOMERS = "/customer-master/v2/customers"
FALLBACK = "revgate_gateway_rate_limit_fallback_total"
QUOTA = 30
POLICY_HEADER = f'"shared";q={QUOTA};w=3600'
RATELIMIT = re.compile(r'^"shared";r=(\d+);t=(\d+)$')


def rate_limit_toml(redis_url: str) -> str:
    # 30 per hour: one request's worth of quota comes back every 120 s, far longer than the test,
    # so "exactly the quota" has no refill to allow for.
    return f"""\
[rate_limit]
redis_url = "{redis_url}"
retry_interval = 0.2
default_policy = "shared"

[rate_limit.policies.shared]
limit = {QUOTA}
window = 3600
"""


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server of this test's own, which it stops and starts again (on the same port)."""
    server = PrivateRedis()
    yield server
    server.stop()


@pytest.fixture
def gateways(
    tmp_path: Path, identity: DevIdentityProvider, echo: EchoUpstream, private_redis: PrivateRedis
) -> Iterator[tuple[GatewayProcess, ...]]:
    private_redis.start()
    processes = []
    for n in range(3):
        process = GatewayProcess(tmp_path, f"gateway-{n}")
        toml = gateway_toml(
            identity, echo.url, process.port, process.admin_port, rate_limit_toml(private_redis.url)
        )
        process.config.write_text(toml)
        processes.append(process)
    with running(*processes) as started:
        yield started


def fire(gateways: tuple[GatewayProcess, ...], token: str, per_thread: int) -> list[httpx.Response]:
    """Two threads per gateway, each sending ``per_thread`` requests at once with the others."""

    def worker(gateway: GatewayProcess) -> list[httpx.Response]:
        with httpx.Client(base_url=gateway.url, timeout=10) as http:
            return [
                http.get(CUSTOMERS, headers={"Authorization": f"Bearer {token}"}) for _ in range(per_thread)
            ]

    with ThreadPoolExecutor(max_workers=2 * len(gateways)) as pool:
        batches = list(pool.map(worker, [g for g in gateways for _ in range(2)]))
    return [answer for batch in batches for answer in batch]


def fallbacks(gateways: tuple[GatewayProcess, ...]) -> list[float]:
    return [gateway.metric(FALLBACK) for gateway in gateways]


def assert_shared_quota(answers: list[httpx.Response]) -> None:
    """Exactly the quota let through across the processes, each answer carrying correct headers."""
    allowed = [a for a in answers if a.status_code == 200]
    limited = [a for a in answers if a.status_code == 429]
    assert len(allowed) + len(limited) == len(answers), [a.status_code for a in answers]
    assert len(allowed) == QUOTA, [a.status_code for a in answers]
    for answer in answers:
        assert answer.headers["ratelimit-policy"] == POLICY_HEADER
    remaining = []
    for answer in allowed:
        match = RATELIMIT.match(answer.headers["ratelimit"])
        assert match, answer.headers["ratelimit"]
        remaining.append(int(match.group(1)))
        assert 0 < int(match.group(2)) <= 3600
    # One bucket, counted down once per allowed request whichever process took it.
    assert sorted(remaining) == list(range(QUOTA))
    for answer in limited:
        assert RATELIMIT.match(answer.headers["ratelimit"])
        assert answer.headers["ratelimit"].startswith('"shared";r=0;')
        assert int(answer.headers["retry-after"]) >= 1
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["violated-policies"] == ["shared"]


def test_three_gateways_share_one_quota_and_survive_a_redis_outage(
    gateways: tuple[GatewayProcess, ...], private_redis: PrivateRedis, token: Callable[..., str]
) -> None:
    # Shared: 60 concurrent requests for one client across three processes, the quota exactly.
    assert_shared_quota(fire(gateways, token("billing-app"), per_thread=10))
    assert fallbacks(gateways) == [0, 0, 0], [g.log.read_text() for g in gateways]

    # Redis gone: answers keep coming (each process limits on its own), never a 5xx.
    private_redis.stop()
    during = fire(gateways, token("billing-app"), per_thread=5)
    assert {a.status_code for a in during} <= {200, 429}, [a.status_code for a in during]
    assert all(count > 0 for count in fallbacks(gateways))

    # Redis back on the same port (empty): each process finds it again by itself.
    private_redis.start()
    for gateway in gateways:
        with httpx.Client(base_url=gateway.url, timeout=10) as http:
            for _ in range(100):
                before = gateway.metric(FALLBACK)
                answer = http.get(CUSTOMERS, headers={"Authorization": f"Bearer {token('billing-app')}"})
                assert answer.status_code in (200, 429)
                if gateway.metric(FALLBACK) == before:
                    break
                time.sleep(0.05)
            else:
                raise AssertionError(f"{gateway.url} kept falling back after Redis came back")
    settled = fallbacks(gateways)

    # A fresh client is again counted once across the three processes.
    assert_shared_quota(fire(gateways, token("reader"), per_thread=10))
    assert fallbacks(gateways) == settled
