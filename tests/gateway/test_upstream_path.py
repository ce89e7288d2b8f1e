"""The service gets the path the gateway routed, checked and authorized: encoded as it came."""

from __future__ import annotations

from collections.abc import Callable

from tests.gateway.conftest import RunningGateway


def test_an_encoded_question_mark_in_an_id_stays_in_the_path(
    gw: RunningGateway, token: Callable[..., str]
) -> None:
    # Routed as GET one customer (id "?limit=1"). Forwarded decoded, it became a list of customers:
    # another operation than the one checked, answered with a shape its document did not promise.
    answer = gw.http.get(
        "/customer-master/v2/customers/%3Flimit=1", headers={"Authorization": f"Bearer {token()}"}
    )
    assert answer.status_code == 200, answer.text
    seen = answer.json()
    assert (seen["path"], seen["query"]) == ("/v2/customers/?limit=1", "")


def test_other_characters_reach_the_service_as_they_were_meant(
    gw: RunningGateway, token: Callable[..., str]
) -> None:
    answer = gw.http.get(
        "/customer-master/v2/customers/caf%C3%A9%20%2525%23x?limit=2",
        headers={"Authorization": f"Bearer {token()}"},
    )
    assert answer.status_code == 200, answer.text
    seen = answer.json()
    assert (seen["path"], seen["query"]) == ("/v2/customers/café %25#x", "limit=2")
