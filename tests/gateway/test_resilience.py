"""A failing, absent or slow capability as a consumer meets it through the gateway: 502, fast 503s
while the circuit is open, recovery when the service is back, 504 for a slow one, and retries only
where repeating a request is safe."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest

from tests.gateway._sockets import reserved_port, serve_on
from tests.gateway.conftest import RunningGateway
from tests.gateway.echo import EchoUpstream

StartGateway = Callable[..., contextlib.AbstractContextManager[RunningGateway]]
PROBLEM = "application/problem+json"
CUSTOMERS = "/customer-master/v2/customers"
V2 = ("customer-master", 2)
CIRCUIT = "revgate_gateway_circuit_state"
CUSTOMER = {
    "name": "Acme Rockets Ltd",
    "legalEntity": "GB01",
    "currency": "GBP",
    "billTo": {"lines": ["1 Canada Square"], "city": "London", "country": "GB"},
}


class Clock:
    """The breaker's clock, moved by the test instead of by waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def auth(token: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token()}"}


def test_upstream_down_opens_the_circuit_and_back_closes_it(
    start_gateway: StartGateway, auth: dict[str, str]
) -> None:
    settings = {"retries": 0, "breaker_failures": 3, "breaker_reset": 10.0, "connect_timeout": 0.5}
    with (
        reserved_port() as sock,
        start_gateway(f"http://127.0.0.1:{sock.getsockname()[1]}", upstream=settings) as gw,
    ):
        clock = Clock()
        gw.gateway.state.upstreams[V2].breaker.clock = clock

        # Nobody listens: each request fails on its own until the third consecutive failure.
        for _ in range(3):
            down = gw.http.get(CUSTOMERS, headers={**auth, "X-Correlation-ID": "down-1"})
            assert down.status_code == 502, down.text
            assert down.headers["content-type"] == PROBLEM
            assert down.json()["type"] == "https://revgate.dev/problems/bad-gateway"
            assert down.json()["correlationId"] == "down-1"
        assert gw.metric(CIRCUIT, capability="customer-master", major="2") == 2  # open

        # The service comes back on the same port, but the open circuit does not ask it yet.
        upstream = EchoUpstream()
        with serve_on(upstream, sock):
            for _ in range(5):
                fast = gw.http.get(CUSTOMERS, headers=auth)
                assert fast.status_code == 503, fast.text
                assert fast.headers["content-type"] == PROBLEM
                assert fast.json()["type"] == "https://revgate.dev/problems/upstream-unavailable"
                assert 1 <= int(fast.headers["retry-after"]) <= 10
            assert upstream.received == []
            clock.now += 8
            assert 1 <= int(gw.http.get(CUSTOMERS, headers=auth).headers["retry-after"]) <= 3
            assert upstream.received == []

            # After breaker_reset one probe goes through; its success closes the circuit.
            clock.now += 2
            back = gw.http.get(CUSTOMERS, headers=auth)
            assert back.status_code == 200, back.text
            assert len(upstream.received) == 1
            assert gw.metric(CIRCUIT, capability="customer-master", major="2") == 0  # closed
            assert gw.http.get(CUSTOMERS, headers=auth).status_code == 200
            # Only the v2 upstream failed; v1 kept its own circuit closed.
            assert gw.gateway.state.upstreams[("customer-master", 1)].breaker.state == "closed"


def test_a_failed_probe_opens_the_circuit_again(start_gateway: StartGateway, auth: dict[str, str]) -> None:
    settings = {"retries": 0, "breaker_failures": 2, "breaker_reset": 5.0}
    with (
        reserved_port() as sock,
        start_gateway(f"http://127.0.0.1:{sock.getsockname()[1]}", upstream=settings) as gw,
    ):
        clock = Clock()
        gw.gateway.state.upstreams[V2].breaker.clock = clock
        assert [gw.http.get(CUSTOMERS, headers=auth).status_code for _ in range(3)] == [502, 502, 503]
        clock.now += 5
        assert gw.http.get(CUSTOMERS, headers=auth).status_code == 502  # the probe, still down
        assert gw.http.get(CUSTOMERS, headers=auth).status_code == 503  # open again at once
        assert gw.metric(CIRCUIT, capability="customer-master", major="2") == 2


def test_a_slow_upstream_gives_504(
    start_gateway: StartGateway, echo: EchoUpstream, auth: dict[str, str]
) -> None:
    settings = {"retries": 0, "read_timeout": 0.2, "total_timeout": 0.3}
    with start_gateway(upstream=settings) as gw:
        before = len(echo.received)
        slow = gw.http.get(CUSTOMERS, headers={**auth, "X-Echo-Delay": "1.5", "X-Correlation-ID": "slow-1"})
        assert slow.status_code == 504, slow.text
        assert slow.headers["content-type"] == PROBLEM
        assert slow.json()["type"] == "https://revgate.dev/problems/gateway-timeout"
        assert slow.json()["correlationId"] == "slow-1"
        assert len(echo.received) == before + 1
        # A prompt request on the same upstream is unaffected.
        assert gw.http.get(CUSTOMERS, headers=auth).status_code == 200


@pytest.fixture
def failing_echo(echo: EchoUpstream) -> Iterator[EchoUpstream]:
    yield echo
    echo.failures = 0


def test_an_idempotent_get_is_retried_on_502(
    start_gateway: StartGateway, failing_echo: EchoUpstream, auth: dict[str, str]
) -> None:
    with start_gateway(upstream={"retries": 2}) as gw:
        before = len(failing_echo.received)
        failing_echo.failures = 1
        answer = gw.http.get(CUSTOMERS, headers=auth)
        assert answer.status_code == 200, answer.text
        assert len(failing_echo.received) == before + 2


def test_a_post_is_not_retried_on_502(
    start_gateway: StartGateway, failing_echo: EchoUpstream, auth: dict[str, str]
) -> None:
    with start_gateway(upstream={"retries": 2}) as gw:
        before = len(failing_echo.received)
        failing_echo.failures = 1
        answer = gw.http.post(CUSTOMERS, json=CUSTOMER, headers=auth)
        # Creating a customer twice is worse than one failure the caller can see and decide about.
        assert answer.status_code == 502
        assert len(failing_echo.received) == before + 1
        assert failing_echo.received[-1]["method"] == "POST"
