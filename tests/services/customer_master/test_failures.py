"""A vendor failing midway: a clear problem, nothing lost, and a retry that finishes without duplicates."""

from __future__ import annotations

from typing import Any

import httpx

from services.adapters.netsuite import NetSuiteERP
from services.adapters.salesforce import SalesforceCRM
from services.adapters.zuora import ZuoraBilling
from tests.fixtures.customer_master import Vendors
from tests.services.customer_master.conftest import v2_customer


def _states(problem: dict[str, Any]) -> dict[str, str]:
    return {s["system"]: s["state"] for s in problem["systems"]}


async def test_an_outage_midway_says_where_the_customer_is_and_a_retry_finishes_it(
    customer_master: httpx.AsyncClient,
    vendors: Vendors,
    salesforce_crm: SalesforceCRM,
    zuora_billing: ZuoraBilling,
    netsuite_erp: NetSuiteERP,
) -> None:
    vendors.faults("zuora", outage=True)
    failed = await customer_master.post("/v2/customers", json=v2_customer())
    assert failed.status_code == 503
    assert failed.headers["content-type"] == "application/problem+json"
    assert "retry-after" in failed.headers
    problem = failed.json()
    assert problem["type"] == "https://revgate.dev/problems/partial-write"
    assert _states(problem) == {"salesforce": "written", "zuora": "failed", "netsuite": "written"}
    customer_id = problem["customerId"]
    zuora_calls = [r for r in vendors.requests("zuora") if r["path"].startswith("/v1/accounts")]
    assert len(zuora_calls) == 3  # the service's retry policy: three attempts, then the problem

    still_down = await customer_master.get(f"/v2/customers/{customer_id}")
    assert still_down.status_code == 503
    vendors.faults("zuora", outage=False)
    incomplete = await customer_master.get(f"/v2/customers/{customer_id}")
    assert incomplete.status_code == 409
    assert incomplete.json()["type"] == "https://revgate.dev/problems/customer-incomplete"

    retried = await customer_master.post("/v2/customers", json=v2_customer())
    assert retried.status_code == 201, retried.text
    assert retried.json()["id"] == customer_id

    same_name = await salesforce_crm.accounts(
        name_prefix="Tessellate Robotics", after_customer_id=None, limit=10
    )
    assert [a.customer_id for a in same_name] == [customer_id]
    assert await zuora_billing.billing_account(customer_id) is not None
    assert await netsuite_erp.customer(external_id=customer_id) is not None
    netsuite_writes = [r for r in vendors.requests("netsuite") if r["method"] in ("POST", "PUT", "PATCH")]
    assert len([r for r in netsuite_writes if "/record/v1/customer" in r["path"]]) == 1


async def test_passing_throttling_is_absorbed_by_retries(
    customer_master: httpx.AsyncClient, vendors: Vendors
) -> None:
    vendors.faults("netsuite", failNext=2)
    answer = await customer_master.post("/v2/customers", json=v2_customer())
    assert answer.status_code == 201, answer.text


async def test_lasting_throttling_is_a_503_with_retry_after(
    customer_master: httpx.AsyncClient, vendors: Vendors
) -> None:
    vendors.faults("salesforce", throttle=True, throttleRetryAfter=1)
    answer = await customer_master.post("/v2/customers", json=v2_customer())
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "1"
    # Throttled at the duplicate check, before anything was written anywhere.
    assert answer.json()["type"] == "https://revgate.dev/problems/vendor-throttled"
    assert [r for r in vendors.requests("zuora") if r["method"] == "POST"] == []


async def test_an_erp_rejection_is_a_422_and_a_corrected_retry_finishes(
    customer_master: httpx.AsyncClient, netsuite_erp: NetSuiteERP
) -> None:
    bad_tax = v2_customer(taxRegistrations=[{"country": "GB", "number": "GB12", "scheme": "VAT"}])
    rejected = await customer_master.post("/v2/customers", json=bad_tax)
    assert rejected.status_code == 422
    problem = rejected.json()
    assert problem["type"] == "https://revgate.dev/problems/partial-write"
    assert _states(problem)["netsuite"] == "failed"
    assert any("netsuite" in e["reason"] for e in problem["errors"])

    fixed = await customer_master.post("/v2/customers", json=v2_customer())
    assert fixed.status_code == 201, fixed.text
    assert fixed.json()["id"] == problem["customerId"]
    erp = await netsuite_erp.customer(external_id=problem["customerId"])
    assert erp is not None
    assert [r.number for r in erp.tax_registrations] == ["GB123456789"]


async def test_the_correlation_id_reaches_every_vendor(
    customer_master: httpx.AsyncClient, vendors: Vendors
) -> None:
    answer = await customer_master.post(
        "/v2/customers", json=v2_customer(), headers={"X-Correlation-ID": "q2c-4711"}
    )
    assert answer.status_code == 201
    assert answer.headers["x-correlation-id"] == "q2c-4711"
    zuora = [r["headers"] for r in vendors.requests("zuora") if r["path"].startswith("/v1/")]
    assert zuora
    assert all(h.get("zuora-track-id") == "q2c-4711" for h in zuora)
    for vendor in ("salesforce", "netsuite"):
        calls = [r["headers"] for r in vendors.requests(vendor) if "token" not in r["path"]]
        assert calls
        assert all(h.get("x-correlation-id") == "q2c-4711" for h in calls), vendor
