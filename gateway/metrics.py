"""The gateway's Prometheus metrics, in a registry of its own (served on the admin listener).

The series every request touches (requests, latencies, rate-limit decisions) are kept as plain
numbers in a :class:`RequestTally` and become samples only when scraped: prometheus_client takes
a lock and checks labels on every update, which cost the gateway ~5% of its CPU per request.
The rare ones (refusals, circuit state, fallback) are ordinary prometheus_client metrics.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Final

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from gateway.breaker import STATE_VALUE, State
from gateway.config import Upstream

if TYPE_CHECKING:
    from gateway.catalogue import MajorVersion, Operation

# The type written out: compiled (mypyc), an inferred Final tuple is not set for the comprehension below.
LATENCY_BUCKETS: Final[tuple[float, ...]] = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
_LE: Final = [str(b) for b in LATENCY_BUCKETS] + ["+Inf"]  # as prometheus_client writes them


class Latencies:
    """One histogram's numbers: a count per bucket (not cumulative; the last is past every bound)."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(LATENCY_BUCKETS) + 1)
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.total += seconds


class RequestTally(Collector):
    """Requests, latencies and rate-limit decisions, counted per request without locks.

    Keys are the objects a request already holds (its major version, operation, ...), turned into
    label values at scrape time; the event loop's thread is the only writer, and a scrape copies
    each table in one step (atomic under the GIL) before reading it.
    """

    def __init__(self) -> None:
        #: (major version | None, operation | None, method, status, client | None) -> requests
        self.requests: dict[tuple[MajorVersion | None, Operation | None, str, int, str | None], int] = {}
        #: operation -> (time in the gateway, time waiting for the upstream)
        self.latencies: dict[Operation, tuple[Latencies, Latencies]] = {}
        #: (policy name, allowed) -> decisions
        self.decisions: dict[tuple[str, bool], int] = {}

    def latencies_of(self, operation: Operation) -> tuple[Latencies, Latencies]:
        found = self.latencies.get(operation)
        if found is None:
            found = self.latencies[operation] = (Latencies(), Latencies())
        return found

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "revgate_gateway_requests",
            "Requests answered, by capability, major, operation (route template), method, status, client.",
            labels=["capability", "major", "operation", "method", "status", "client"],
        )
        keyed = [
            (
                (
                    version.capability if version else "-",
                    str(version.number) if version else "-",
                    operation.template if operation else "-",
                    method,
                    str(status),
                    client or "-",
                ),
                count,
            )
            for (version, operation, method, status, client), count in list(self.requests.items())
        ]
        for labels, value in _summed(keyed):
            requests.add_metric(labels, value)
        yield requests
        latencies = list(self.latencies.items())
        for index, name, documentation in (
            (0, "revgate_gateway_request_seconds", "Time from request to answer, in the gateway."),
            (1, "revgate_gateway_upstream_seconds", "Time spent waiting for the upstream, retries included."),
        ):
            family = HistogramMetricFamily(name, documentation, labels=["capability", "major", "operation"])
            merged: dict[tuple[str, ...], tuple[list[int], float]] = {}
            for operation, pair in latencies:
                key: tuple[str, ...] = (
                    operation.major.capability,
                    str(operation.major.number),
                    operation.template,
                )
                counts, total = merged.get(key, ([0] * len(_LE), 0.0))
                merged[key] = ([a + b for a, b in zip(counts, pair[index].counts, strict=True)],
                                  total + pair[index].total)  # fmt: skip
            for key, (counts, total) in merged.items():
                cumulative, running = [], 0
                for le, count in zip(_LE, counts, strict=True):
                    running += count
                    cumulative.append((le, running))
                family.add_metric(list(key), cumulative, total)
            yield family
        decisions = CounterMetricFamily(
            "revgate_gateway_rate_limit_decisions",
            "Rate-limit decisions, by policy and outcome (allowed, limited).",
            labels=["policy", "outcome"],
        )
        for (policy, allowed), count in list(self.decisions.items()):
            decisions.add_metric([policy, "allowed" if allowed else "limited"], count)
        yield decisions


def _summed(pairs: Iterable[tuple[tuple[str, ...], int]]) -> list[tuple[list[str], int]]:
    """Counts of equal label values added up (a reload makes new keys for the same routes)."""
    sums: dict[tuple[str, ...], int] = {}
    for labels, count in pairs:
        sums[labels] = sums.get(labels, 0) + count
    return [(list(labels), count) for labels, count in sums.items()]


class GatewayMetrics:
    """Every series the gateway exports. Labels name route templates, never raw paths."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.tally = RequestTally()
        r.register(self.tally)
        self.auth_failures = Counter(
            "revgate_gateway_auth_failures",
            "Requests refused by authentication, by reason.",
            ["reason"],
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
