"""The gateway's Prometheus metrics, in a registry of its own (served on the admin listener)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from gateway.breaker import STATE_VALUE, State
from gateway.config import Upstream

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class GatewayMetrics:
    """Every series the gateway exports. Labels name route templates, never raw paths."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "revgate_gateway_requests",
            "Requests answered, by capability, major, operation (route template), method, status, client.",
            ["capability", "major", "operation", "method", "status", "client"],
            registry=r,
        )
        self.latency = Histogram(
            "revgate_gateway_request_seconds",
            "Time from request to answer, in the gateway.",
            ["capability", "major", "operation"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.upstream_latency = Histogram(
            "revgate_gateway_upstream_seconds",
            "Time spent waiting for the upstream, retries included.",
            ["capability", "major", "operation"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.auth_failures = Counter(
            "revgate_gateway_auth_failures",
            "Requests refused by authentication, by reason.",
            ["reason"],
            registry=r,
        )
        self.rate_limited = Counter(
            "revgate_gateway_rate_limit_decisions",
            "Rate-limit decisions, by policy and outcome (allowed, limited).",
            ["policy", "outcome"],
            registry=r,
        )
        self.validation_failures = Counter(
            "revgate_gateway_validation_failures",
            "Requests refused before going upstream, by kind (body, media_type, size, route).",
            ["kind"],
            registry=r,
        )
        self.circuit_state = Gauge(
            "revgate_gateway_circuit_state",
            "Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.",
            ["capability", "major"],
            registry=r,
        )
        self.redis_fallback = Counter(
            "revgate_gateway_rate_limit_fallback",
            "Rate-limit checks answered by the local limiter because Redis did not answer.",
            registry=r,
        )

    def breaker_changed(self, upstream: Upstream, state: State) -> None:
        self.circuit_state.labels(upstream.capability, str(upstream.major)).set(STATE_VALUE[state])
