"""What the routes of every major share: operation metadata, creation, listing with cursors.

The majors differ in their models only; operation ids, scopes, documented problems and
query parameters are the same, and are defined once here.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Annotated, Any, Final, TypeVar

import msgspec
from litestar import Response
from litestar.di import Provide
from litestar.params import PathParameter, QueryParameter

from contracts.common import CUSTOMER_ID_PATTERN
from services.customer_master.errors import DuplicateCustomer
from services.customer_master.master import CustomerMaster
from services.domain.customer import Customer, CustomerProfile, CustomerSummary
from services.runtime.openapi import LOCATION, problem_responses
from services.runtime.problems import ProblemError

T = TypeVar("T")

_ID: Final = re.compile(CUSTOMER_ID_PATTERN)
_ONE_LOOKUP: Final = "Give at most one of salesforceId, zuoraAccountId and netsuiteId (400 otherwise)."

NamePrefix = Annotated[
    str | None,
    QueryParameter(name="namePrefix", min_length=1, max_length=80, description="Names starting with this."),
]
Cursor = Annotated[
    str | None,
    QueryParameter(
        name="cursor",
        max_length=200,
        description="`next` of the previous page; no other value is accepted (400).",
    ),
]
Limit = Annotated[int, QueryParameter(name="limit", ge=1, le=100, description="Page size.")]
SalesforceId = Annotated[
    str | None,
    QueryParameter(
        name="salesforceId",
        pattern="^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$",
        description=f"Salesforce Account Id. {_ONE_LOOKUP}",
    ),
]
ZuoraAccountId = Annotated[
    str | None,
    QueryParameter(
        name="zuoraAccountId", max_length=64, description=f"Zuora account id or number. {_ONE_LOOKUP}"
    ),
]
NetsuiteId = Annotated[
    str | None,
    QueryParameter(
        name="netsuiteId",
        pattern="^[0-9]{1,12}$",
        description=f"NetSuite customer internal id. {_ONE_LOOKUP}",
    ),
]
CustomerIdPath = Annotated[
    str, PathParameter(pattern=CUSTOMER_ID_PATTERN, description="revgate customer id.")
]


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError:  # not base64 (binascii.Error), not ASCII, or not UTF-8 inside: all ValueErrors
        value = ""
    if not _ID.match(value):
        raise ProblemError("invalid-request", "cursor is not one this API handed out")
    return value


class ListQuery(msgspec.Struct, frozen=True):
    """The query of a list request: a page by name prefix, or one customer by an external id."""

    name_prefix: str | None
    cursor: str | None
    limit: int
    salesforce_id: str | None
    zuora_account_id: str | None
    netsuite_id: str | None

    async def run(self, master: CustomerMaster) -> tuple[list[CustomerSummary], str | None]:
        """One page of summaries and the next cursor; an external id narrows it to that customer."""
        lookups = [
            (system, value)
            for system, value in (
                ("salesforce", self.salesforce_id),
                ("zuora", self.zuora_account_id),
                ("netsuite", self.netsuite_id),
            )
            if value is not None
        ]
        if len(lookups) > 1:
            raise ProblemError(
                "invalid-request", "Give at most one of salesforceId, zuoraAccountId, netsuiteId"
            )
        if lookups:
            system, value = lookups[0]
            found = await master.find_by_external_id(system, value)  # type: ignore[arg-type]
            return ([found] if found else []), None
        after = decode_cursor(self.cursor)
        items, more = await master.search(name_prefix=self.name_prefix, after=after, limit=self.limit)
        return items, encode_cursor(items[-1].id) if more and items else None


async def list_query(
    name_prefix: NamePrefix = None,
    cursor: Cursor = None,
    limit: Limit = 20,
    salesforce_id: SalesforceId = None,
    zuora_account_id: ZuoraAccountId = None,
    netsuite_id: NetsuiteId = None,
) -> ListQuery:
    """Dependency: the list query parameters, the same in every major."""
    return ListQuery(name_prefix, cursor, limit, salesforce_id, zuora_account_id, netsuite_id)


async def create_customer(
    master: CustomerMaster, profile: CustomerProfile, collection: str, view: Callable[[Customer], T]
) -> Response[T]:
    """Create; 201 with the customer as the caller's major shows it (``view``) and its ``Location``.

    A duplicate's problem links to the existing customer in the caller's major.
    """
    try:
        customer = await master.create(profile)
    except DuplicateCustomer as duplicate:
        duplicate.headers["Location"] = f"{collection}/{duplicate.customer_id}"
        raise
    return Response(view(customer), status_code=201, headers={"Location": f"{collection}/{customer.id}"})


_READ = [{"oauth2": ["customers:read"]}]
_WRITE = [{"oauth2": ["customers:write"]}]

CREATE: Final[dict[str, Any]] = {
    "operation_id": "createCustomer",
    "summary": "Create a customer in Salesforce, Zuora and NetSuite",
    "return_dto": None,
    "response_headers": [LOCATION],
    "security": _WRITE,
    "responses": problem_responses(400, 409, 415, 422, 500, 503),
}
GET_ONE: Final[dict[str, Any]] = {
    "operation_id": "getCustomer",
    "summary": "Get a customer, merged from the three systems",
    "security": _READ,
    "responses": problem_responses(400, 404, 409, 500, 503),
}
LIST: Final[dict[str, Any]] = {
    "operation_id": "listCustomers",
    "summary": "List customers, or find one by its id in a system of record",
    "security": _READ,
    "responses": problem_responses(400, 500, 503),
    "dependencies": {"listing": Provide(list_query)},
}
UPDATE: Final[dict[str, Any]] = {
    "operation_id": "updateCustomer",
    "summary": "Change fields of a customer; each goes to the system that owns it",
    "return_dto": None,
    "security": _WRITE,
    "responses": problem_responses(400, 404, 409, 415, 422, 500, 503),
}
