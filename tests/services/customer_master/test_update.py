"""Updates go to the system that owns each field, and fixed fields stay fixed."""

from __future__ import annotations

import httpx

from services.adapters.netsuite import NetSuiteERP
from services.adapters.zuora import ZuoraBilling
from tests.fixtures.customer_master import Vendors
from tests.services.customer_master.conftest import v2_customer


def _writes(vendors: Vendors, vendor: str, since: int) -> list[str]:
    return [
        f"{r['method']} {r['path']}"
        for r in vendors.requests(vendor)[since:]
        if r["method"] in ("POST", "PUT", "PATCH") and "token" not in r["path"]
    ]


async def _create(client: httpx.AsyncClient) -> str:
    answer = await client.post("/v2/customers", json=v2_customer())
    assert answer.status_code == 201, answer.text
    customer_id: str = answer.json()["id"]
    return customer_id


async def test_a_billing_field_goes_to_zuora_only(
    customer_master: httpx.AsyncClient, vendors: Vendors
) -> None:
    customer_id = await _create(customer_master)
    marks = {v: len(vendors.requests(v)) for v in ("salesforce", "zuora", "netsuite")}
    answer = await customer_master.patch(
        f"/v2/customers/{customer_id}", json={"billCycleDay": 3, "autoPay": False}
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["billCycleDay"], answer.json()["autoPay"]) == (3, False)
    assert _writes(vendors, "salesforce", marks["salesforce"]) == []
    assert _writes(vendors, "netsuite", marks["netsuite"]) == []
    assert len(_writes(vendors, "zuora", marks["zuora"])) == 1


async def test_a_rename_reaches_the_owner_and_the_replicas(
    customer_master: httpx.AsyncClient, zuora_billing: ZuoraBilling, netsuite_erp: NetSuiteERP
) -> None:
    customer_id = await _create(customer_master)
    answer = await customer_master.patch(
        f"/v2/customers/{customer_id}", json={"name": "Tessellate Group Ltd"}
    )
    assert answer.status_code == 200, answer.text
    got = (await customer_master.get(f"/v2/customers/{customer_id}")).json()
    assert got["name"] == "Tessellate Group Ltd"
    billing = await zuora_billing.billing_account(customer_id)
    erp = await netsuite_erp.customer(external_id=customer_id)
    assert billing is not None
    assert billing.name == "Tessellate Group Ltd"
    assert erp is not None
    assert erp.company_name == "Tessellate Group Ltd"
    # The old name is free again; the new one is taken.
    reuse = await customer_master.post("/v2/customers", json=v2_customer("Tessellate Robotics Ltd"))
    assert reuse.status_code == 201
    clash = await customer_master.patch(
        f"/v2/customers/{reuse.json()['id']}", json={"name": "Tessellate Group Ltd"}
    )
    assert clash.status_code == 409


async def test_an_erp_field_goes_to_netsuite(
    customer_master: httpx.AsyncClient, netsuite_erp: NetSuiteERP
) -> None:
    customer_id = await _create(customer_master)
    registrations = [{"country": "DE", "number": "DE123456789", "scheme": "VAT"}]
    answer = await customer_master.patch(
        f"/v2/customers/{customer_id}", json={"taxRegistrations": registrations, "paymentTerms": "NET45"}
    )
    assert answer.status_code == 200, answer.text
    erp = await netsuite_erp.customer(external_id=customer_id)
    assert erp is not None
    assert erp.payment_terms == "NET45"
    assert [(r.country, r.number) for r in erp.tax_registrations] == [("DE", "DE123456789")]


async def test_fixed_fields_are_refused_clearly(customer_master: httpx.AsyncClient) -> None:
    customer_id = await _create(customer_master)
    moved = await customer_master.patch(
        f"/v2/customers/{customer_id}", json={"currency": "EUR", "legalEntity": "DE01"}
    )
    assert moved.status_code == 422
    problem = moved.json()
    assert problem["type"] == "https://revgate.dev/problems/field-not-updatable"
    assert {e["pointer"] for e in problem["errors"]} == {"/currency", "/legalEntity"}
    unchanged = await customer_master.patch(f"/v2/customers/{customer_id}", json={"currency": "GBP"})
    assert unchanged.status_code == 200
    own_parent = await customer_master.patch(f"/v2/customers/{customer_id}", json={"parentId": customer_id})
    assert own_parent.status_code == 422
    assert own_parent.json()["errors"][0]["pointer"] == "/parentId"


async def test_a_v1_update_of_a_flat_field_keeps_the_rest_of_the_address(
    customer_master: httpx.AsyncClient,
) -> None:
    customer_id = await _create(customer_master)
    answer = await customer_master.patch(f"/v1/customers/{customer_id}", json={"billingCity": "Manchester"})
    assert answer.status_code == 200, answer.text
    v2 = (await customer_master.get(f"/v2/customers/{customer_id}")).json()
    assert v2["billTo"]["city"] == "Manchester"
    assert v2["billTo"]["lines"] == ["1 Canada Square", "Floor 30"]


async def test_hierarchy(customer_master: httpx.AsyncClient) -> None:
    parent_id = await _create(customer_master)
    child = await customer_master.post(
        "/v2/customers", json=v2_customer("Tessellate Robotics Ireland", parentId=parent_id)
    )
    assert child.status_code == 201, child.text
    assert child.json()["parentId"] == parent_id
    detached = await customer_master.patch(f"/v2/customers/{child.json()['id']}", json={"parentId": None})
    assert detached.status_code == 200
    assert "parentId" not in detached.json()


async def test_unknown_customers_and_ids(customer_master: httpx.AsyncClient) -> None:
    missing = await customer_master.get("/v2/customers/cus_01JD8Z6Q3W9R2N7M4K5H6G7F8E")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    malformed = await customer_master.get("/v2/customers/not-an-id")
    assert malformed.status_code == 400
    assert (
        await customer_master.patch("/v2/customers/cus_01JD8Z6Q3W9R2N7M4K5H6G7F8E", json={})
    ).status_code == 404
