"""Bodies are decoded strictly and every failure is a problem with the correlation id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import httpx
import msgspec
import pytest
from litestar import Litestar, get, post
from litestar.params import FromPath, JSONBody

from contracts._base import Model
from contracts.problem import PROBLEM_MEDIA_TYPE
from services.adapters.errors import Rejected, Throttled, Unavailable, VendorReason
from services.runtime.problems import problem_handlers
from services.runtime.serve import serve_in_thread
from services.runtime.strict_body import StrictBody


class Line(Model):
    quantity: Annotated[int, msgspec.Meta(ge=1)]


class Order(Model):
    lines: tuple[Line, ...]


@post("/orders", dto=StrictBody[Order], return_dto=None)
async def create(data: JSONBody[Order]) -> dict[str, int]:
    return {"lines": len(data.lines)}


@get("/boom")
async def boom() -> None:
    raise RuntimeError("secret internals: password=hunter2")


@get("/vendor/{kind:str}")
async def vendor(kind: FromPath[str]) -> None:
    if kind == "throttled":
        raise Throttled("zuora", "rate limited", retry_after=7)
    if kind == "rejected":
        raise Rejected(
            "netsuite", "bad tax id", reasons=(VendorReason("format", "INVALID_FLD_VALUE", "taxId"),)
        )
    raise Unavailable("salesforce", "down")


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    app = Litestar([create, boom, vendor], exception_handlers=problem_handlers())
    with serve_in_thread(app) as url, httpx.Client(base_url=url) as c:
        yield c


def test_strings_are_not_numbers(client: httpx.Client) -> None:
    answer = client.post("/orders", json={"lines": [{"quantity": 1}, {"quantity": "5"}]})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = answer.json()
    assert problem["type"].endswith("/invalid-body")
    assert problem["errors"][0]["pointer"] == "/lines/1/quantity"


def test_unknown_fields_and_bad_json_and_media_type(client: httpx.Client) -> None:
    unknown = client.post("/orders", json={"lines": [], "discount": 5})
    assert unknown.status_code == 422 and "discount" in unknown.json()["detail"]
    broken = client.post("/orders", content=b'{"lines": [', headers={"content-type": "application/json"})
    assert broken.status_code == 400 and broken.json()["type"].endswith("/invalid-request")
    form = client.post(
        "/orders", content=b"lines=1", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert form.status_code == 415


def test_unexpected_errors_leak_nothing(client: httpx.Client) -> None:
    answer = client.get("/boom", headers={"x-correlation-id": "abc-123"})
    assert answer.status_code == 500
    assert "hunter2" not in answer.text and "Traceback" not in answer.text
    assert answer.json()["correlationId"] == "abc-123"
    assert answer.headers["x-correlation-id"] == "abc-123"


def test_routing_errors_are_problems(client: httpx.Client) -> None:
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM_MEDIA_TYPE
    wrong = client.delete("/orders")
    assert wrong.status_code == 405 and "POST" in wrong.headers["allow"]


def test_vendor_errors_become_problems(client: httpx.Client) -> None:
    throttled = client.get("/vendor/throttled")
    assert throttled.status_code == 503 and throttled.headers["retry-after"] == "7"
    rejected = client.get("/vendor/rejected").json()
    assert rejected["status"] == 422 and rejected["errors"][0]["pointer"] == "/taxId"
    assert client.get("/vendor/down").json()["type"].endswith("/vendor-unavailable")


def test_a_bad_correlation_id_is_replaced(client: httpx.Client) -> None:
    answer = client.get("/nowhere", headers={"x-correlation-id": "bad id\twith spaces"})
    assert answer.headers["x-correlation-id"] != "bad id\twith spaces"
    assert len(answer.headers["x-correlation-id"]) == 32


def test_behind_the_gateway_the_instance_is_the_public_path(client: httpx.Client) -> None:
    behind = client.get("/nowhere", headers={"x-forwarded-prefix": "/customer-master"}).json()
    assert behind["instance"] == "/customer-master/nowhere"
    forged = client.get("/nowhere", headers={"x-forwarded-prefix": "https://evil.example/"}).json()
    assert forged["instance"] == "/nowhere"
