from __future__ import annotations

import httpx

from tests.services.customer_master.conftest import v2_customer


async def test_pages_follow_each_other_without_gaps_or_repeats(customer_master: httpx.AsyncClient) -> None:
    made = []
    for n in range(5):
        answer = await customer_master.post("/v2/customers", json=v2_customer(f"Paging Test {n}"))
        assert answer.status_code == 201
        made.append(answer.json()["id"])
    seen: list[str] = []
    params: dict[str, str | int] = {"namePrefix": "Paging Test", "limit": 2}
    while True:
        page = (await customer_master.get("/v2/customers", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        if "next" not in page:
            break
        params["cursor"] = page["next"]
    assert seen == sorted(made)


async def test_bad_list_parameters_are_problems(customer_master: httpx.AsyncClient) -> None:
    for params in (
        {"cursor": "garbage"},
        {"limit": 0},
        {"limit": "ten"},
        {"salesforceId": "001x", "netsuiteId": "1"},
    ):
        answer = await customer_master.get("/v2/customers", params=params)
        assert answer.status_code == 400, params
        assert answer.headers["content-type"] == "application/problem+json"


async def test_a_name_prefix_with_soql_wildcards_matches_literally(
    customer_master: httpx.AsyncClient,
) -> None:
    assert (await customer_master.post("/v2/customers", json=v2_customer("100% Juice Co"))).status_code == 201
    assert (await customer_master.post("/v2/customers", json=v2_customer("1000 Juice Co"))).status_code == 201
    page = (await customer_master.get("/v2/customers", params={"namePrefix": "100%"})).json()
    assert [item["name"] for item in page["items"]] == ["100% Juice Co"]
    quoted = (await customer_master.get("/v2/customers", params={"namePrefix": "O'Brien"})).json()
    assert quoted["items"] == []
