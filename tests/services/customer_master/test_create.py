"""Creating customers: three systems, linked by external ids, found again from any of them."""

from __future__ import annotations

import httpx

from services.adapters.netsuite import NetSuiteERP
from services.adapters.salesforce import SalesforceCRM
from services.adapters.zuora import ZuoraBilling
from tests.services.customer_master.conftest import v1_customer, v2_customer


async def test_a_customer_is_written_to_all_three_systems_and_linked(
    customer_master: httpx.AsyncClient,
    salesforce_crm: SalesforceCRM,
    zuora_billing: ZuoraBilling,
    netsuite_erp: NetSuiteERP,
) -> None:
    answer = await customer_master.post("/v2/customers", json=v2_customer())
    assert answer.status_code == 201, answer.text
    customer = answer.json()
    assert answer.headers["location"] == f"/v2/customers/{customer['id']}"
    ids = {(e["system"], e["kind"]): e["id"] for e in customer["externalIds"]}

    account = await salesforce_crm.account_by_customer_id(customer["id"])
    assert account is not None
    assert account.crm_id == ids["salesforce", "account"]
    assert account.name == "Tessellate Robotics Ltd"
    billing = await zuora_billing.billing_account(customer["id"])
    assert billing is not None
    assert billing.crm_id == account.crm_id  # Zuora crmId links to the Salesforce Account
    assert billing.account_id == ids["zuora", "billingAccount"]
    assert (billing.currency, billing.bill_cycle_day, billing.auto_pay) == ("GBP", 15, True)
    erp = await netsuite_erp.customer(external_id=customer["id"])
    assert erp is not None
    assert erp.erp_id == ids["netsuite", "customer"]
    assert (erp.legal_entity, erp.currency, erp.payment_terms) == ("GB01", "GBP", "NET30")
    assert [r.number for r in erp.tax_registrations] == ["GB123456789"]


async def test_the_customer_is_found_again_from_each_systems_id(customer_master: httpx.AsyncClient) -> None:
    customer = (await customer_master.post("/v2/customers", json=v2_customer())).json()
    ids = {e["kind"]: e["id"] for e in customer["externalIds"]}
    for query in (
        {"salesforceId": ids["account"]},
        {"zuoraAccountId": ids["billingAccount"]},
        {"netsuiteId": ids["customer"]},
    ):
        page = (await customer_master.get("/v2/customers", params=query)).json()
        assert [item["id"] for item in page["items"]] == [customer["id"]], query
    unknown = (await customer_master.get("/v2/customers", params={"netsuiteId": "999999"})).json()
    assert unknown["items"] == []
    got = await customer_master.get(f"/v2/customers/{customer['id']}")
    assert got.json() == customer


async def test_creating_an_existing_customer_answers_409_with_a_link(
    customer_master: httpx.AsyncClient,
) -> None:
    first = (await customer_master.post("/v2/customers", json=v2_customer("Tessellate Robotics Ltd"))).json()
    again = await customer_master.post("/v2/customers", json=v2_customer("TESSELLATE robotics, ltd."))
    assert again.status_code == 409
    problem = again.json()
    assert problem["type"] == "https://revgate.dev/problems/duplicate-customer"
    assert problem["customerId"] == first["id"]
    assert again.headers["location"] == f"/v2/customers/{first['id']}"
    # The same name in another legal entity is another customer.
    other = await customer_master.post(
        "/v2/customers",
        json=v2_customer("Tessellate Robotics Ltd", legalEntity="US01", currency="USD", taxRegistrations=[]),
    )
    assert other.status_code == 201, other.text


async def test_business_rules_are_reported_all_at_once(customer_master: httpx.AsyncClient) -> None:
    answer = await customer_master.post(
        "/v2/customers",
        json=v2_customer(legalEntity="GB01", currency="AUD", parentId="cus_01JD8Z6Q3W9R2N7M4K5H6G7F8E"),
    )
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["type"] == "https://revgate.dev/problems/validation-failed"
    assert {e["pointer"] for e in problem["errors"]} == {"/currency", "/parentId"}
    unknown_entity = (
        await customer_master.post("/v2/customers", json=v2_customer(legalEntity="ZZ99"))
    ).json()
    assert "GB01" in unknown_entity["errors"][0]["reason"]  # says which entities exist


async def test_types_are_strict_and_unknown_fields_refused(customer_master: httpx.AsyncClient) -> None:
    as_string = await customer_master.post("/v2/customers", json=v2_customer(billCycleDay="15"))
    assert as_string.status_code == 422
    assert as_string.json()["errors"][0]["pointer"] == "/billCycleDay"
    unknown = await customer_master.post("/v2/customers", json=v2_customer(discount=10))
    assert unknown.status_code == 422
    assert "discount" in unknown.json()["detail"]
    v1_field_in_v2 = await customer_master.post("/v2/customers", json=v2_customer(taxId="GB123456789"))
    assert v1_field_in_v2.status_code == 422


async def test_v1_and_v2_serve_the_same_customer(customer_master: httpx.AsyncClient) -> None:
    created = await customer_master.post("/v1/customers", json=v1_customer())
    assert created.status_code == 201, created.text
    v1 = created.json()
    assert v1["externalIds"]["salesforce"]
    v2 = (await customer_master.get(f"/v2/customers/{v1['id']}")).json()
    assert v2["billTo"] == {
        "lines": ["Friedrichstrasse 68"],
        "city": "Berlin",
        "postalCode": "10117",
        "country": "DE",
    }
    assert v2["taxRegistrations"] == [{"country": "DE", "number": "DE123456789", "scheme": "VAT"}]
    assert v2["billingContact"]["email"] == "rechnung@contoso.example"

    registrations = [
        {"country": "GB", "number": "GB987654321", "scheme": "VAT"},
        {"country": "DE", "number": "DE987654321", "scheme": "VAT"},
    ]
    made_in_v2 = (
        await customer_master.post(
            "/v2/customers", json=v2_customer("Fabrikam UK", taxRegistrations=registrations)
        )
    ).json()
    seen_in_v1 = (await customer_master.get(f"/v1/customers/{made_in_v2['id']}")).json()
    assert seen_in_v1["taxId"] == "GB987654321"
    assert seen_in_v1["billingStreet"] == "1 Canada Square\nFloor 30"
    assert "billTo" not in seen_in_v1
