"""Salesforce's JSON shapes as the adapter reads and writes them (decoders built once, reused)."""

from __future__ import annotations

from typing import Any, Final, Generic, TypeVar

import httpx
import msgspec

from services.adapters._session import VendorSession
from services.adapters.errors import Unavailable

SYSTEM: Final = "salesforce"
CALL_OPTIONS: Final = {"Sforce-Call-Options": "client=revgate"}
"""Tells Salesforce (and its API usage reports) which integration made the call."""
T = TypeVar("T")


class TokenAnswer(msgspec.Struct):
    """The token endpoint's answer; the access token has no stated lifetime."""

    access_token: str
    instance_url: str
    token_type: str = "Bearer"
    issued_at: str | None = None


class AccountFields(msgspec.Struct, kw_only=True):
    """The Account fields revgate writes. None is sent as null, clearing the field."""

    name: str = msgspec.field(name="Name")
    industry: str | None = msgspec.field(default=None, name="Industry")
    parent_id: str | None = msgspec.field(default=None, name="ParentId")
    match_key: str | None = msgspec.field(default=None, name="Revgate_Match_Key__c")
    billing_street: str | None = msgspec.field(default=None, name="BillingStreet")
    billing_city: str | None = msgspec.field(default=None, name="BillingCity")
    billing_state: str | None = msgspec.field(default=None, name="BillingState")
    billing_postal_code: str | None = msgspec.field(default=None, name="BillingPostalCode")
    billing_country: str | None = msgspec.field(default=None, name="BillingCountry")
    shipping_street: str | None = msgspec.field(default=None, name="ShippingStreet")
    shipping_city: str | None = msgspec.field(default=None, name="ShippingCity")
    shipping_state: str | None = msgspec.field(default=None, name="ShippingState")
    shipping_postal_code: str | None = msgspec.field(default=None, name="ShippingPostalCode")
    shipping_country: str | None = msgspec.field(default=None, name="ShippingCountry")


class AccountRecord(AccountFields, kw_only=True):
    """An Account as read back: the written fields plus its ids."""

    id: str = msgspec.field(name="Id")
    customer_id: str | None = msgspec.field(default=None, name="Revgate_Id__c")


ACCOUNT_COLUMNS: Final = tuple(f.encode_name for f in msgspec.structs.fields(AccountRecord))
"""Every field the adapter reads, for ``?fields=`` and SOQL ``SELECT``."""


class QueryPage(msgspec.Struct, Generic[T], rename="camel"):
    """A page of a SOQL query's answer; ``nextRecordsUrl`` fetches the next one."""

    total_size: int
    done: bool
    records: list[T]
    next_records_url: str | None = None


class SaveResult(msgspec.Struct):
    id: str
    success: bool
    errors: list[Any] = msgspec.field(default_factory=list)
    created: bool | None = None


class ApiErrorEntry(msgspec.Struct, rename="camel"):
    """One entry of Salesforce's error array (``fields`` is left out by some answers)."""

    error_code: str
    message: str = ""
    fields: list[str] = msgspec.field(default_factory=list)


class OAuthError(msgspec.Struct):
    error: str
    error_description: str = ""


ERRORS: Final = msgspec.json.Decoder(list[ApiErrorEntry])
OAUTH_ERROR: Final = msgspec.json.Decoder(OAuthError)
TOKEN: Final = msgspec.json.Decoder(TokenAnswer)
ACCOUNT: Final = msgspec.json.Decoder(AccountRecord)
ACCOUNT_PAGE: Final = msgspec.json.Decoder(QueryPage[AccountRecord])
SAVE_RESULT: Final = msgspec.json.Decoder(SaveResult)


def decode(decoder: msgspec.json.Decoder[T], response: httpx.Response) -> T:
    """The successful answer in its shape; ``Unavailable`` when it is not what Salesforce sends."""
    try:
        return decoder.decode(response.content)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise Unavailable(
            SYSTEM,
            f"unreadable answer to {response.request.method} {response.request.url.path}: {exc}",
            status=response.status_code,
        ) from None


async def query_records(
    session: VendorSession,
    query_path: str,
    soql: str,
    decoder: msgspec.json.Decoder[QueryPage[T]],
    limit: int | None = None,
) -> list[T]:
    """Run the query and follow ``nextRecordsUrl`` until ``limit`` records (when given) or the end."""
    response = await session.request("GET", query_path, params={"q": soql}, headers=CALL_OPTIONS)
    records: list[T] = []
    while True:
        page = decode(decoder, response)
        records.extend(page.records)
        if page.done or page.next_records_url is None or (limit is not None and len(records) >= limit):
            return records[:limit]
        response = await session.request("GET", page.next_records_url, headers=CALL_OPTIONS)
