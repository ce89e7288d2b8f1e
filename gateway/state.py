"""Everything the request pipeline needs, compiled from one configuration.

A :class:`GatewayState` is built whole before it serves (so a bad configuration is refused
before it replaces a good one) and closed when a newer state has taken over.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from gateway.auth import TokenVerifier
from gateway.catalogue import Catalogue, MajorVersion, Operation
from gateway.config import GatewayConfig
from gateway.metrics import GatewayMetrics
from gateway.problems import GatewayProblem
from gateway.proxy import UpstreamClient
from gateway.public_document import docs_page, merged_document
from gateway.ratelimit import (
    RATELIMIT,
    RATELIMIT_POLICY,
    Decision,
    RateLimiter,
    RateLimitPolicy,
    ratelimit_headers,
)
from gateway.types import RawHeaders


class GatewayState:
    def __init__(self, config: GatewayConfig, metrics: GatewayMetrics) -> None:
        self.config = config
        self.catalogue = Catalogue.build(config)
        self.verifier = TokenVerifier(config.identity)
        self.limiter: RateLimiter = config.rate_limit.build_limiter(on_fallback=metrics.redis_fallback.inc)
        self.upstreams: dict[tuple[str, int], UpstreamClient] = {
            (u.capability, u.major): UpstreamClient(u, metrics.breaker_changed) for u in config.upstreams
        }
        self._policies: dict[tuple[str, str], RateLimitPolicy] = {}
        now = dt.datetime.now(dt.UTC)
        document = merged_document(
            self.catalogue.documents,
            {
                v.key
                for by_number in self.catalogue.majors.values()
                for v in by_number.values()
                if v.status(now) != "current"
            },
            config.server.token_url or config.identity.issuer.rstrip("/") + "/oauth2/token",
        )
        self.public_document = msgspec.json.encode(document)
        """``/openapi.json``, rendered once."""
        self.docs_page = docs_page(document)

    @property
    def ready(self) -> bool:
        """Config and documents are loaded by construction; ready once the provider's keys are too."""
        return self.verifier.ready

    async def start(self) -> None:
        await self.verifier.start()
        warm_up = getattr(self.limiter, "warm_up", None)
        if warm_up is not None:
            await warm_up()

    async def close(self) -> None:
        for client in self.upstreams.values():
            await client.close()
        await self.verifier.aclose()
        close = getattr(self.limiter, "aclose", None)
        if close is not None:
            await close()

    def resolve(self, capability: str, rest: str, api_version: bytes | None) -> tuple[MajorVersion, str]:
        """The major a public path addresses, and the path inside the service (``/v2/...``)."""
        head = rest.partition("/")[0]
        if len(head) > 1 and head[0] == "v" and head[1:].isdigit():
            return self.catalogue.major(capability, int(head[1:])), "/" + rest
        if api_version is not None:
            if not api_version.isdigit():
                raise GatewayProblem("invalid-request", "Api-Version must be a major version number, e.g. 2")
            number = int(api_version)
            return self.catalogue.major(capability, number), f"/v{number}/{rest}" if rest else f"/v{number}"
        version = self.catalogue.major(capability, None)
        return version, f"/v{version.number}/{rest}" if rest else f"/v{version.number}"

    def policy_for(self, client_id: str, operation: Operation) -> RateLimitPolicy:
        key = (client_id, operation.key)
        policy = self._policies.get(key)
        if policy is None:
            policy = self._policies[key] = self.config.rate_limit.policy_for(client_id, operation.key)
        return policy

    @staticmethod
    def limit_headers(policy: RateLimitPolicy, decision: Decision) -> RawHeaders:
        policy_value, limit_value = ratelimit_headers(policy, decision)
        return [(RATELIMIT_POLICY, policy_value), (RATELIMIT, limit_value)]

    def version_listing(self, capability: str) -> dict[str, Any]:
        """``GET /{capability}``: its majors and where each stands."""
        by_number = self.catalogue.majors.get(capability)
        if by_number is None:
            raise GatewayProblem("not-found", f"No capability {capability!r}")
        now = dt.datetime.now(dt.UTC)
        versions = []
        for number, version in sorted(by_number.items()):
            upstream = version.upstream
            entry: dict[str, Any] = {"major": number, "status": version.status(now), "path": version.prefix}
            if upstream.deprecated_at:
                entry["deprecatedAt"] = upstream.deprecated_at.isoformat()
            if upstream.sunset_at:
                entry["sunsetAt"] = upstream.sunset_at.isoformat()
            if version.successor:
                entry["successor"] = version.successor
            versions.append(entry)
        return {"capability": capability, "versions": versions}
