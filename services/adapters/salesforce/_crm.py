"""SalesforceCRM: :class:`services.ports.CustomerRelationshipSystem` and the ``DealDesk`` of
:mod:`services.quote_to_cash` over the Salesforce REST API (deals in ``_deals``)."""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

import httpx

from services.adapters._session import CachedToken, VendorSession, new_http_client
from services.adapters.errors import NotFound
from services.adapters.salesforce._config import SalesforceConfig
from services.adapters.salesforce._deals import SalesforceDeals
from services.adapters.salesforce._errors import translate_error
from services.adapters.salesforce._mapping import soql_like_prefix, soql_string, to_account, to_fields
from services.adapters.salesforce._wire import (
    ACCOUNT,
    ACCOUNT_COLUMNS,
    ACCOUNT_PAGE,
    CALL_OPTIONS,
    SAVE_RESULT,
    SYSTEM,
    TOKEN,
    decode,
    query_records,
)
from services.ports import CrmAccount
from services.quote_to_cash import AccountBillingState, DealUpdate, Opportunity

CUSTOMER_ID_FIELD: Final = "Revgate_Id__c"
MATCH_KEY_FIELD: Final = "Revgate_Match_Key__c"
_SELECT: Final = f"SELECT {', '.join(ACCOUNT_COLUMNS)} FROM Account"  # noqa: S608 - fixed column names


class SalesforceCRM:
    """Accounts in Salesforce, keyed by revgate's customer id (the ``Revgate_Id__c`` external id),
    and opportunities for quote-to-cash (``DealDesk``), over one session and token.

    Tokens come from the client-credentials flow. Salesforce gives them no lifetime, so one is kept
    until a call is refused with 401, then fetched once more. Data calls go to the token's
    ``instance_url``. An account read that has no ``Revgate_Id__c`` yet (a CRM-only prospect)
    comes back with empty ``customer_id`` and ``match_key``.
    """

    def __init__(self, config: SalesforceConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._config = config
        self._client = new_http_client(config.base_url, config.retry, transport)
        self._session = VendorSession(
            system=SYSTEM,
            client=self._client,
            tokens=CachedToken(self._fetch_token),
            translate=translate_error,
            retry=config.retry,
        )
        self._sobjects = f"/services/data/{config.api_version}/sobjects/Account"
        self._query_path = f"/services/data/{config.api_version}/query"
        self._deals = SalesforceDeals(self._session, config.api_version)

    async def aclose(self) -> None:
        await self._client.aclose()

    # --- DealDesk ---------------------------------------------------------------------------------

    async def opportunity(self, crm_id: str) -> Opportunity | None:
        return await self._deals.opportunity(crm_id)

    async def update_deal(self, crm_id: str, update: DealUpdate) -> None:
        await self._deals.update_deal(crm_id, update)

    async def update_account_billing_state(self, account_crm_id: str, state: AccountBillingState) -> None:
        await self._deals.update_account_billing_state(account_crm_id, state)

    # --- CustomerRelationshipSystem ---------------------------------------------------------------

    async def account(self, crm_id: str) -> CrmAccount | None:
        return await self._read(f"{self._sobjects}/{quote(crm_id, safe='')}")

    async def account_by_customer_id(self, customer_id: str) -> CrmAccount | None:
        return await self._read(f"{self._sobjects}/{CUSTOMER_ID_FIELD}/{quote(customer_id, safe='')}")

    async def account_by_match_key(self, match_key: str) -> CrmAccount | None:
        found = await self._query(f"{_SELECT} WHERE {MATCH_KEY_FIELD} = {soql_string(match_key)} LIMIT 1", 1)
        return found[0] if found else None

    async def save_account(self, account: CrmAccount) -> str:
        """Upsert by customer id: the same account saved twice is one record (so safe to resend).

        A match key already on another account answers ``Conflict`` (Salesforce's DUPLICATE_VALUE).
        """
        response = await self._session.request(
            "PATCH",
            f"{self._sobjects}/{CUSTOMER_ID_FIELD}/{quote(account.customer_id, safe='')}",
            json=to_fields(account),
            headers=CALL_OPTIONS,
            idempotent=True,
        )
        return decode(SAVE_RESULT, response).id

    async def accounts(
        self, *, name_prefix: str | None, after_customer_id: str | None, limit: int
    ) -> list[CrmAccount]:
        if limit <= 0:
            return []
        conditions = [f"{CUSTOMER_ID_FIELD} != null"]
        if name_prefix:
            conditions.append(f"Name LIKE {soql_like_prefix(name_prefix)}")
        if after_customer_id is not None:
            conditions.append(f"{CUSTOMER_ID_FIELD} > {soql_string(after_customer_id)}")
        where = " AND ".join(conditions)
        return await self._query(f"{_SELECT} WHERE {where} ORDER BY {CUSTOMER_ID_FIELD} LIMIT {limit}", limit)

    async def _read(self, path: str) -> CrmAccount | None:
        try:
            response = await self._session.request(
                "GET", path, params={"fields": ",".join(ACCOUNT_COLUMNS)}, headers=CALL_OPTIONS
            )
        except NotFound:
            return None
        return to_account(decode(ACCOUNT, response))

    async def _query(self, soql: str, limit: int) -> list[CrmAccount]:
        """Run the query and follow ``nextRecordsUrl`` until ``limit`` accounts or the end."""
        records = await query_records(self._session, self._query_path, soql, ACCOUNT_PAGE, limit)
        return [to_account(record) for record in records]

    async def _fetch_token(self, session: VendorSession) -> tuple[str, float | None]:
        """Client-credentials token, at the login URL.

        Points the client at the token's ``instance_url``: data paths are relative to it, so a
        retried call after a refresh goes wherever the new token says.
        """
        form = {
            "grant_type": "client_credentials",
            "client_id": self._config.client_id,
            "client_secret": self._config.client_secret,
        }
        response = await session.post_form(f"{self._config.base_url.rstrip('/')}/services/oauth2/token", form)
        token = decode(TOKEN, response)
        session.client.base_url = httpx.URL(token.instance_url)
        return token.access_token, None
