"""What the list endpoints of every major share: cursors and lookups by external id."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated, Final

from litestar.params import PathParameter, QueryParameter

from services.customer_master.master import CustomerMaster
from services.domain.customer import CustomerSummary
from services.runtime.problems import ProblemError

_ID: Final = re.compile(r"^cus_[0-9A-HJKMNP-TV-Z]{26}$")

NamePrefix = Annotated[
    str | None,
    QueryParameter(name="namePrefix", min_length=1, max_length=80, description="Names starting with this."),
]
Cursor = Annotated[
    str | None, QueryParameter(name="cursor", max_length=200, description="`next` of the previous page.")
]
Limit = Annotated[int, QueryParameter(name="limit", ge=1, le=100, description="Page size.")]
SalesforceId = Annotated[
    str | None,
    QueryParameter(
        name="salesforceId",
        pattern="^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$",
        description="Salesforce Account Id.",
    ),
]
ZuoraAccountId = Annotated[
    str | None,
    QueryParameter(name="zuoraAccountId", max_length=64, description="Zuora account id or number."),
]
NetsuiteId = Annotated[
    str | None,
    QueryParameter(name="netsuiteId", pattern="^[0-9]{1,12}$", description="NetSuite customer internal id."),
]
CustomerIdPath = Annotated[
    str, PathParameter(pattern="^cus_[0-9A-HJKMNP-TV-Z]{26}$", description="revgate customer id.")
]


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        value = ""
    if not _ID.match(value):
        raise ProblemError("invalid-request", "cursor is not one this API handed out")
    return value


async def list_summaries(
    master: CustomerMaster,
    *,
    name_prefix: str | None,
    cursor: str | None,
    limit: int,
    salesforce_id: str | None,
    zuora_account_id: str | None,
    netsuite_id: str | None,
) -> tuple[list[CustomerSummary], str | None]:
    """One page of summaries and the next cursor; an external id narrows the list to that customer."""
    lookups = [(s, v) for s, v in (("salesforce", salesforce_id), ("zuora", zuora_account_id),
                                   ("netsuite", netsuite_id)) if v is not None]  # fmt: skip
    if len(lookups) > 1:
        raise ProblemError("invalid-request", "Give at most one of salesforceId, zuoraAccountId, netsuiteId")
    if lookups:
        system, value = lookups[0]
        found = await master.find_by_external_id(system, value)  # type: ignore[arg-type]
        return ([found] if found else []), None
    items, more = await master.search(name_prefix=name_prefix, after=decode_cursor(cursor), limit=limit)
    return items, encode_cursor(items[-1].id) if more and items else None
