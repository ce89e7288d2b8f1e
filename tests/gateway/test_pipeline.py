"""The request pipeline as a consumer meets it: routing, identity, scopes, limits, validation, answers."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from gateway.ratelimit import RateLimitConfig, RateLimitPolicy
from tests.gateway.conftest import RunningGateway
from tests.gateway.echo import EchoUpstream

PROBLEM = "application/problem+json"
CUSTOMER = {
    "name": "Acme Rockets Ltd",
    "legalEntity": "GB01",
    "currency": "GBP",
    "billTo": {"lines": ["1 Canada Square"], "city": "London", "country": "GB"},
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_request_reaches_the_upstream_with_the_callers_identity(
    gw: RunningGateway, echo: EchoUpstream, token: Callable[..., str]
) -> None:
    answer = gw.http.get(
        "/customer-master/v2/customers?limit=5",
        headers={
            **bearer(token()),
            "X-Correlation-ID": "abc-123",
            "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            # Spoofed identity: must never reach the upstream.
            "X-Revgate-Client-Id": "admin",
            "X-Revgate-Scopes": "everything",
        },
    )
    assert answer.status_code == 200, answer.text
    seen = answer.json()
    assert (seen["path"], seen["query"]) == ("/v2/customers", "limit=5")
    headers = seen["headers"]
    # Every copy, not the last one only: a leaked spoofed header must show.
    identity = [(k, v) for k, v in seen["header_list"] if k.startswith("x-revgate-")]
    assert identity == [
        ("x-revgate-client-id", "billing-app"),
        ("x-revgate-scopes", "customers:read customers:write orders:read"),
    ]
    assert "authorization" not in headers  # the token stays at the gateway
    assert headers["x-correlation-id"] == "abc-123"
    assert headers["traceparent"].startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
    assert headers["traceparent"] != "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-prefix"] == "/customer-master"
    assert headers["forwarded"].startswith('for="127.0.0.1";proto=http')
    assert answer.headers["x-correlation-id"] == "abc-123", answer.headers.raw
    assert answer.headers["ratelimit-policy"] == '"standard";q=1000;w=60'
    assert answer.headers["ratelimit"].startswith('"standard";r=999;')


def test_api_version_header_routes_to_a_major(gw: RunningGateway, token: Callable[..., str]) -> None:
    answer = gw.http.get("/customer-master/customers", headers={**bearer(token()), "Api-Version": "1"})
    assert answer.status_code == 200
    assert answer.json()["path"] == "/v1/customers"
    latest = gw.http.get("/customer-master/customers", headers=bearer(token()))
    assert latest.json()["path"] == "/v2/customers"


def test_missing_and_bad_tokens_are_401_with_a_challenge(
    gw: RunningGateway, token: Callable[..., str]
) -> None:
    for headers in ({}, bearer("not-a-jwt"), bearer(token() + "x"), {"Authorization": "Basic YTpi"}):
        answer = gw.http.get("/customer-master/v2/customers", headers=headers)
        assert answer.status_code == 401, headers
        assert answer.headers["content-type"] == PROBLEM
        assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        assert answer.json()["type"] == "https://revgate.dev/problems/unauthorized"
    assert gw.metric("revgate_gateway_auth_failures_total", reason="missing") == 1


def test_a_missing_scope_is_403_naming_it(
    gw: RunningGateway, echo: EchoUpstream, token: Callable[..., str]
) -> None:
    before = len(echo.received)
    answer = gw.http.post("/customer-master/v2/customers", json=CUSTOMER, headers=bearer(token("reader")))
    assert answer.status_code == 403
    assert answer.headers["www-authenticate"] == 'Bearer error="insufficient_scope", scope="customers:write"'
    assert answer.json()["type"] == "https://revgate.dev/problems/insufficient-scope"
    assert len(echo.received) == before


def test_unknown_routes_and_methods(gw: RunningGateway, token: Callable[..., str]) -> None:
    auth = bearer(token())
    for path in ("/nowhere", "/customer-master/v9/customers", "/customer-master/v2/invoices"):
        answer = gw.http.get(path, headers=auth)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == PROBLEM
    wrong = gw.http.delete("/customer-master/v2/customers", headers=auth)
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, POST"
    assert wrong.headers["content-type"] == PROBLEM


def test_bodies_are_checked_against_the_schema_with_every_error(
    gw: RunningGateway, echo: EchoUpstream, token: Callable[..., str]
) -> None:
    auth = bearer(token())
    before = len(echo.received)
    bad = {**CUSTOMER, "billCycleDay": "15", "discount": 3}
    del bad["name"]
    answer = gw.http.post("/customer-master/v2/customers", json=bad, headers=auth)
    assert answer.status_code == 422
    pointers = [e["pointer"] for e in answer.json()["errors"]]
    assert pointers == ["/billCycleDay", "/discount", "/name"]
    broken = gw.http.post(
        "/customer-master/v2/customers",
        content=b'{"name": ',
        headers={**auth, "content-type": "application/json"},
    )
    assert broken.status_code == 400
    text = gw.http.post(
        "/customer-master/v2/customers", content=b"name=x", headers={**auth, "content-type": "text/plain"}
    )
    assert text.status_code == 415
    big = gw.http.post(
        "/customer-master/v2/customers", json={**CUSTOMER, "industry": "x" * 5000}, headers=auth
    )
    assert big.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the gateway must count as it reads
        yield b'{"name": "'
        for _ in range(64):
            yield b"x" * 1024

    streamed = gw.http.post(
        "/customer-master/v2/customers",
        content=chunks(),
        headers={**auth, "content-type": "application/json"},
    )
    assert streamed.status_code == 413
    assert len(echo.received) == before
    ok = gw.http.post("/customer-master/v2/customers", json=CUSTOMER, headers=auth)
    assert ok.status_code == 200
    assert ok.headers["location"] == "/customer-master/v2/customers/cus_01JD8Z6Q3W9R2N7M4K5H6G7F8E"


def test_deprecated_majors_say_so_and_sunset_ones_are_gone(
    start_gateway: Callable[..., contextlib.AbstractContextManager[RunningGateway]], token: Callable[..., str]
) -> None:
    import datetime as dt

    deprecated = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with start_gateway(
        upstream={"deprecated_at": deprecated, "sunset_at": dt.datetime(2099, 1, 1, tzinfo=dt.UTC)}
    ) as gw:
        answer = gw.http.get("/customer-master/v1/customers", headers=bearer(token()))
        assert answer.status_code == 200
        assert answer.headers["deprecation"] == f"@{int(deprecated.timestamp())}"
        assert answer.headers["sunset"] == "Thu, 01 Jan 2099 00:00:00 GMT"
        assert answer.headers["link"] == '</customer-master/v2>; rel="successor-version"'
    with start_gateway(upstream={"sunset_at": dt.datetime(2026, 2, 1, tzinfo=dt.UTC)}) as gw:
        gone = gw.http.get("/customer-master/v1/customers", headers=bearer(token()))
        assert gone.status_code == 410
        assert gone.json()["successor"] == "/customer-master/v2"
        listing = gw.http.get("/customer-master").json()
        assert [(v["major"], v["status"]) for v in listing["versions"]] == [(1, "sunset"), (2, "sunset")]


def test_the_quota_is_enforced_with_the_draft_headers(
    start_gateway: Callable[..., contextlib.AbstractContextManager[RunningGateway]], token: Callable[..., str]
) -> None:
    limits = RateLimitConfig(
        policies={"tiny": RateLimitPolicy(name="tiny", limit=3, window=60)}, default_policy="tiny"
    )
    with start_gateway(rate_limit=limits) as gw:
        auth = bearer(token())
        statuses = [gw.http.get("/customer-master/v2/customers", headers=auth).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        refused = gw.http.get("/customer-master/v2/customers", headers=auth)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        problem = refused.json()
        assert problem["type"] == "https://revgate.dev/problems/quota-exceeded"
        assert problem["violated-policies"] == ["tiny"]
        assert refused.headers["ratelimit"].startswith('"tiny";r=0;')
        other_client = gw.http.get("/customer-master/v2/customers", headers=bearer(token("reader")))
        assert other_client.status_code == 200  # quotas are per client
        assert gw.metric("revgate_gateway_rate_limit_decisions_total", policy="tiny", outcome="limited") == 1


def test_metrics_and_access_log_name_routes_not_paths(gw: RunningGateway, token: Callable[..., str]) -> None:
    secret_token = token()
    gw.http.get("/customer-master/v2/customers/cus_01JD8Z6Q3W9R2N7M4K5H6G7F8E", headers=bearer(secret_token))
    labels = {
        "capability": "customer-master",
        "major": "2",
        "operation": "/customer-master/v2/customers/{customer_id}",
        "method": "GET",
        "status": "200",
        "client": "billing-app",
    }
    assert gw.metric("revgate_gateway_requests_total", **labels) == 1
    (line,) = gw.access_log()
    assert line["route"] == "/customer-master/v2/customers/{customer_id}"
    assert line["client"] == "billing-app"
    assert line["status"] == 200
    assert secret_token not in gw.log.getvalue().decode()


def test_the_public_document_and_docs_page(gw: RunningGateway) -> None:
    document = gw.http.get("/openapi.json").json()
    assert "/customer-master/v2/customers" in document["paths"]
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert "customerMasterV2CreateCustomer" in ids
    flows = document["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert {"customers:read", "customers:write"} <= set(flows["scopes"])
    create = document["paths"]["/customer-master/v2/customers"]["post"]
    assert {"401", "403", "429", "503"} <= set(create["responses"])
    page = gw.http.get("/docs")
    assert page.headers["content-type"].startswith("text/html")
    assert "/customer-master/v2/customers" in page.text
