"""The per-request series, kept as plain counts, read as Prometheus samples."""

from __future__ import annotations

from gateway.catalogue import MajorVersion, Operation
from gateway.config import Upstream
from gateway.metrics import LATENCY_BUCKETS, GatewayMetrics


def route(major: int = 2) -> tuple[MajorVersion, Operation]:
    """A major version and one of its operations, as the tally reads them."""
    version = MajorVersion("customer-master", major, Upstream("customer-master", major, "http://upstream"))
    template = f"/customer-master/v{major}/customers/{{customer_id}}"
    return version, Operation(version, "get", template, "getCustomer", frozenset(), None)


LABELS = {
    "capability": "customer-master",
    "major": "2",
    "operation": "/customer-master/v2/customers/{customer_id}",
}


def test_requests_are_counted_per_label_set() -> None:
    metrics = GatewayMetrics()
    version, operation = route()
    requests = metrics.tally.requests
    requests[(version, operation, "GET", 200, "billing-app")] = 3
    requests[(None, None, "GET", 404, None)] = 1
    sample = metrics.registry.get_sample_value
    assert (
        sample(
            "revgate_gateway_requests_total",
            {**LABELS, "method": "GET", "status": "200", "client": "billing-app"},
        )
        == 3
    )
    assert (
        sample(
            "revgate_gateway_requests_total",
            {
                "capability": "-",
                "major": "-",
                "operation": "-",
                "method": "GET",
                "status": "404",
                "client": "-",
            },
        )
        == 1
    )


def test_keys_of_the_same_route_from_before_a_reload_are_added_up() -> None:
    # A reload compiles new version and operation objects for the same routes.
    metrics = GatewayMetrics()
    for version, operation in (route(), route()):
        metrics.tally.requests[(version, operation, "GET", 200, "billing-app")] = 2
    labels = {**LABELS, "method": "GET", "status": "200", "client": "billing-app"}
    assert metrics.registry.get_sample_value("revgate_gateway_requests_total", labels) == 4


def test_latencies_are_cumulative_buckets_with_a_sum_and_a_count() -> None:
    metrics = GatewayMetrics()
    _, operation = route()
    gateway_time, upstream_time = metrics.tally.latencies_of(operation)
    for seconds in (0.0005, 0.001, 0.003, 20.0):
        gateway_time.observe(seconds)
    upstream_time.observe(0.002)
    sample = metrics.registry.get_sample_value
    bucket = "revgate_gateway_request_seconds_bucket"
    assert sample(bucket, {**LABELS, "le": "0.001"}) == 2  # "le": at or under the bound
    assert sample(bucket, {**LABELS, "le": "0.005"}) == 3
    assert sample(bucket, {**LABELS, "le": str(LATENCY_BUCKETS[-1])}) == 3
    assert sample(bucket, {**LABELS, "le": "+Inf"}) == 4
    assert sample("revgate_gateway_request_seconds_count", LABELS) == 4
    assert sample("revgate_gateway_request_seconds_sum", LABELS) == 20.0045
    assert sample("revgate_gateway_upstream_seconds_count", LABELS) == 1


def test_rate_limit_decisions_by_policy_and_outcome() -> None:
    metrics = GatewayMetrics()
    metrics.tally.decisions[("standard", True)] = 5
    metrics.tally.decisions[("standard", False)] = 2
    sample = metrics.registry.get_sample_value
    assert (
        sample("revgate_gateway_rate_limit_decisions_total", {"policy": "standard", "outcome": "allowed"})
        == 5
    )
    assert (
        sample("revgate_gateway_rate_limit_decisions_total", {"policy": "standard", "outcome": "limited"})
        == 2
    )
