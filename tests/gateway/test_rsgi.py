"""The gateway's RSGI face, which `revgate gateway` serves through granian, answers as its ASGI face does.

The rest of the suite drives the gateway through ASGI; here the same pipeline is driven through
``Gateway.__rsgi__`` with a stand-in for granian's scope and protocol objects.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import msgspec

from gateway.app import Gateway
from gateway.config import ServerConfig
from gateway.idp import DevIdentityProvider
from gateway.metrics import GatewayMetrics
from gateway.state import GatewayState
from tests.gateway.conftest import gateway_config
from tests.gateway.echo import EchoUpstream

CUSTOMER = {
    "name": "Acme Rockets Ltd",
    "legalEntity": "GB01",
    "currency": "GBP",
    "billTo": {"lines": ["1 Canada Square"], "city": "London", "country": "GB"},
}


class Headers:
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def items(self) -> list[tuple[str, str]]:
        return self.pairs


class Scope:
    """What granian passes as an RSGI HTTP scope (the fields the gateway reads)."""

    proto = "http"
    scheme = "http"
    client = "192.0.2.7:50123"

    def __init__(self, method: str, path: str, headers: list[tuple[str, str]], query: str = "") -> None:
        self.method = method
        self.path = path
        self.query_string = query
        self.headers = Headers([("host", "gateway.example"), *headers])


class Protocol:
    """An RSGI HTTP protocol: the body in chunks, and the one answer the app gives."""

    def __init__(self, chunks: list[bytes] | None = None) -> None:
        self.chunks = chunks or []
        self.read = 0
        self.answer: tuple[int, list[tuple[str, str]], bytes] | None = None

    async def __call__(self) -> bytes:
        self.read = len(self.chunks)
        return b"".join(self.chunks)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.read += 1
            yield chunk

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        assert self.answer is None, "answered twice"
        self.answer = (status, headers, body)


async def call(gateway: Gateway, scope: Scope, protocol: Protocol) -> tuple[int, dict[str, str], Any]:
    await gateway.__rsgi__(scope, protocol)
    assert protocol.answer is not None
    status, headers, body = protocol.answer
    return status, dict(headers), json.loads(body)


async def started(identity: DevIdentityProvider, echo: EchoUpstream) -> Gateway:
    metrics = GatewayMetrics()
    config = gateway_config(identity, echo.url, server=ServerConfig(max_body_bytes=4096))
    gateway = Gateway(GatewayState(config, metrics), metrics)
    await gateway.state.start()
    return gateway


async def test_a_request_goes_upstream_with_identity_and_forwarding_headers(
    identity: DevIdentityProvider, echo: EchoUpstream, token: Callable[..., str]
) -> None:
    gateway = await started(identity, echo)
    try:
        auth = ("authorization", f"Bearer {token()}")
        status, headers, body = await call(
            gateway,
            Scope(
                "GET", "/customer-master/v2/customers", [auth, ("x-revgate-client-id", "mallory")], "limit=5"
            ),
            Protocol(),
        )
        assert status == 200
        assert (body["path"], body["query"]) == ("/v2/customers", "limit=5")
        seen = body["headers"]
        assert seen["x-revgate-client-id"] == "billing-app"
        assert seen["x-forwarded-for"] == "192.0.2.7"
        assert seen["forwarded"] == 'for="192.0.2.7";proto=http;host="gateway.example"'
        assert headers["x-correlation-id"] == seen["x-correlation-id"]
        assert headers["ratelimit-policy"] == '"standard";q=1000;w=60'
    finally:
        await gateway.state.close()


async def test_bodies_are_read_validated_and_limited(
    identity: DevIdentityProvider, echo: EchoUpstream, token: Callable[..., str]
) -> None:
    gateway = await started(identity, echo)
    try:
        auth = ("authorization", f"Bearer {token()}")
        json_type = ("content-type", "application/json")
        body = msgspec.json.encode(CUSTOMER)
        sized = [auth, json_type, ("content-length", str(len(body)))]
        status, _, echoed = await call(
            gateway, Scope("POST", "/customer-master/v2/customers", sized), Protocol([body])
        )
        assert status == 200
        assert json.loads(echoed["body"]) == CUSTOMER

        before = len(echo.received)
        # No Content-Length: counted while reading, refused as soon as the limit is passed.
        streamed = Protocol([b'{"name": "', *[b"x" * 1024] * 16])
        status, headers, problem = await call(
            gateway, Scope("POST", "/customer-master/v2/customers", [auth, json_type]), streamed
        )
        assert status == 413
        assert headers["content-type"] == "application/problem+json"
        assert streamed.read < len(streamed.chunks)

        bad = msgspec.json.encode({**CUSTOMER, "currency": "pounds"})
        status, _, problem = await call(
            gateway,
            Scope(
                "POST", "/customer-master/v2/customers", [auth, json_type, ("content-length", str(len(bad)))]
            ),
            Protocol([bad]),
        )
        assert status == 422
        assert [e["pointer"] for e in problem["errors"]] == ["/currency"]
        assert len(echo.received) == before
    finally:
        await gateway.state.close()


async def test_refusals_are_problems_with_the_correlation_id(
    identity: DevIdentityProvider, echo: EchoUpstream
) -> None:
    gateway = await started(identity, echo)
    try:
        status, headers, problem = await call(
            gateway,
            Scope("GET", "/customer-master/v2/customers", [("x-correlation-id", "trace-me-42")]),
            Protocol(),
        )
        assert status == 401
        assert headers["www-authenticate"] == 'Bearer error="invalid_token"'
        assert headers["content-type"] == "application/problem+json"
        assert problem["correlationId"] == headers["x-correlation-id"] == "trace-me-42"
    finally:
        await gateway.state.close()
