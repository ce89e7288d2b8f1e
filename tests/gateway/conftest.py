"""A gateway over real HTTP, with the dev identity provider and an echoing upstream beside it."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from gateway.accesslog import AccessLog
from gateway.app import Gateway
from gateway.auth import IdentityProviderConfig
from gateway.config import GatewayConfig, ServerConfig, Upstream
from gateway.idp import DevIdentityProvider, mint_token
from gateway.metrics import GatewayMetrics
from gateway.ratelimit import RateLimitConfig, RateLimitPolicy
from gateway.state import GatewayState
from services.runtime.serve import serve_in_thread
from tests.gateway._listening import listening
from tests.gateway.echo import EchoUpstream
from tests.gateway.idp._serve import running_identity_provider


@pytest.fixture(scope="session")
def identity(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevIdentityProvider]:
    """The dev identity provider, served; clients ``billing-app`` (read+write) and ``reader`` (read)."""
    with running_identity_provider(tmp_path_factory.mktemp("idp")) as provider:
        yield provider


@pytest.fixture(scope="session")
def echo() -> Iterator[EchoUpstream]:
    upstream = EchoUpstream()
    with serve_in_thread(upstream, correlation=False) as url:
        upstream.url = url
        yield upstream


def gateway_config(identity: DevIdentityProvider, upstream_url: str, **overrides: Any) -> GatewayConfig:
    """A config for the packaged documents, every capability and major served by ``upstream_url``."""
    issuer = identity.config.issuer
    upstream = overrides.pop("upstream", {})
    rate_limit = overrides.pop("rate_limit", None) or RateLimitConfig(
        policies={"standard": RateLimitPolicy(name="standard", limit=1000, window=60)},
        default_policy="standard",
    )
    return GatewayConfig(
        identity=IdentityProviderConfig(
            issuer=issuer, audience="revgate", jwks_url=f"{issuer}/.well-known/jwks.json"
        ),
        upstreams=[
            Upstream(capability="customer-master", major=1, url=upstream_url, **upstream),
            Upstream(capability="customer-master", major=2, url=upstream_url, **upstream),
            *(
                Upstream(capability=capability, major=1, url=upstream_url, **upstream)
                for capability in ("order-submission", "contract-updates", "billing-status")
            ),
        ],
        rate_limit=rate_limit,
        server=overrides.pop("server", ServerConfig(max_body_bytes=4096)),
        **overrides,
    )


class RunningGateway:
    def __init__(self, url: str, gateway: Gateway, log: io.BytesIO) -> None:
        self.url = url
        self.gateway = gateway
        self.log = log
        self.http = httpx.Client(base_url=url, timeout=10)

    def access_log(self) -> list[dict[str, Any]]:
        return [msgspec.json.decode(line) for line in self.log.getvalue().splitlines()]

    def metric(self, name: str, **labels: str) -> float:
        value = self.gateway.metrics.registry.get_sample_value(name, labels)
        return 0.0 if value is None else value


@pytest.fixture
def start_gateway(
    identity: DevIdentityProvider, echo: EchoUpstream
) -> Callable[..., contextlib.AbstractContextManager[RunningGateway]]:
    """Start a gateway with config overrides: ``with start_gateway(upstream={...}) as gw: ...``."""

    @contextlib.contextmanager
    def start(upstream_url: str | None = None, **overrides: Any) -> Iterator[RunningGateway]:
        config = gateway_config(identity, upstream_url or echo.url, **overrides)
        metrics = GatewayMetrics()
        log = io.BytesIO()
        gateway = Gateway(GatewayState(config, metrics), metrics, AccessLog(log))
        with listening(gateway, config.server) as url:
            running = RunningGateway(url, gateway, log)
            try:
                yield running
            finally:
                running.http.close()

    return start


@pytest.fixture
def gw(
    start_gateway: Callable[..., contextlib.AbstractContextManager[RunningGateway]],
) -> Iterator[RunningGateway]:
    """A gateway with the default test config."""
    with start_gateway() as running:
        yield running


@pytest.fixture(scope="session")
def token(identity: DevIdentityProvider) -> Callable[..., str]:
    """``token("billing-app")``: a fresh access token of a dev client."""

    def make(client_id: str = "billing-app", scopes: list[str] | None = None) -> str:
        return mint_token(identity.config, client_id, scopes)

    return make


def contracts_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "contracts" / "openapi"
