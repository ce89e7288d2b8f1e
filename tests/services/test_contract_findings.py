"""What schemathesis found through the gateway, each pinned where it was fixed.

Every one made a service answer other than its document says: a 500, or a refusal of data the
document allows. ``tests/contracts/test_schemathesis.py`` finds such things; these keep them found.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import httpx
import jsonschema_rs
import msgspec
import pytest
from litestar import Litestar, post
from litestar.params import JSONBody

from contracts._base import Model
from contracts.common import Email
from services.customer_master._routes import decode_cursor
from services.runtime.problems import ProblemError, problem_handlers
from services.runtime.serve import serve_in_thread
from services.runtime.strict_body import StrictBody
from services.sandbox.salesforce import normalize_id

DOCUMENTS = Path(__file__).resolve().parents[2] / "contracts" / "openapi"
JSON = {"content-type": "application/json"}


class Line(Model):
    quantity: Annotated[int, msgspec.Meta(ge=1)]
    price: float


@post("/lines", dto=StrictBody[Line], return_dto=None)
async def take(data: JSONBody[Line]) -> dict[str, object]:
    return {"quantity": data.quantity, "price": data.price}


@pytest.fixture
def lines() -> Iterator[httpx.Client]:
    app = Litestar([take], exception_handlers=problem_handlers())
    with serve_in_thread(app) as url, httpx.Client(base_url=url, headers=JSON) as client:
        yield client


def test_an_integer_written_with_a_fraction_of_zero_is_an_integer(lines: httpx.Client) -> None:
    # JSON Schema, and so every document, counts 3.0 as an integer; the strict decoder did not.
    answer = lines.post("/lines", content=b'{"quantity": 3.0, "price": 2}')
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"quantity": 3, "price": 2.0}
    # Still strict: a fraction, a string or too small a number is refused, with where.
    for body, pointer in (
        (b'{"quantity": 3.5, "price": 2}', "/quantity"),
        (b'{"quantity": "3", "price": 2}', "/quantity"),
        (b'{"quantity": 0.0, "price": 1}', "/quantity"),
    ):
        refused = lines.post("/lines", content=body)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["pointer"] == pointer


@pytest.mark.parametrize("cursor", ["garbage", "é", "\u00aeq\u00ab", "Y3VzXw"])
def test_any_cursor_not_handed_out_is_a_400_never_a_500(cursor: str) -> None:
    with pytest.raises(ProblemError) as refused:
        decode_cursor(cursor)
    assert refused.value.slug == "invalid-request"


def test_the_salesforce_sandbox_finds_no_record_for_an_id_with_a_bad_checksum() -> None:
    # "9" is no checksum character (A-Z and 0-5 are): real Salesforce answers "not found", not 500.
    assert normalize_id("0TTklaIjsgz7V2y9bW") is None


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("ap@acme.example", True),
        ("a\x1eb@acme.example", True),  # not white space to ECMA-262, which the document speaks
        ("a\x85b@acme.example", True),
        ("a b@acme.example", False),
        ("a\u3000b@acme.example", False),
        ("a\ufeffb@acme.example", False),
        ("ap@acme", False),
    ],
)
def test_email_addresses_mean_the_same_to_the_document_and_the_services(address: str, valid: bool) -> None:
    document = json.loads((DOCUMENTS / "customer-master.v2.json").read_text())
    schema = document["components"]["schemas"]["Contact"]["properties"]["email"]
    assert jsonschema_rs.validator_for(schema).is_valid(address) is valid
    pattern = typing.get_args(Email)[1].pattern
    try:
        msgspec.convert(address, Email)
    except msgspec.ValidationError:
        assert not valid, f"the services refuse {address!r}, which {pattern} allows"
    else:
        assert valid


def test_address_lines_carry_their_limits_in_the_document() -> None:
    # Litestar drops the constraints of array items; the document must refuse what the service does.
    document = json.loads((DOCUMENTS / "customer-master.v2.json").read_text())
    items = document["components"]["schemas"]["Address"]["properties"]["lines"]["items"]
    assert items == {"type": "string", "minLength": 1, "maxLength": 100}
