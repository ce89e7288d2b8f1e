"""``SubscriptionBilling`` and ``SubscriptionOrders`` over Zuora's v1 REST API."""

from __future__ import annotations

import httpx
import msgspec

from services.adapters._session import CachedToken, VendorSession, new_http_client
from services.adapters.errors import Conflict, NotFound, Rejected, VendorError
from services.adapters.zuora import _documents, _orders
from services.adapters.zuora._calls import TRACK_HEADER, headers, key, read
from services.adapters.zuora._config import ZuoraConfig
from services.adapters.zuora._errors import SYSTEM, translate
from services.adapters.zuora._mapping import billing_account, create_body, update_body
from services.adapters.zuora._wire import ACCOUNT_CREATED, ACCOUNT_READ, TOKEN_GRANTED
from services.ports import BillingAccount
from services.quote_to_cash import (
    AmendmentOutcome,
    BillingInvoice,
    BillingPayment,
    CatalogProduct,
    NewSubscription,
    Subscription,
    SubscriptionAmendment,
)


class ZuoraBilling:
    """Zuora as billing accounts (:class:`services.ports.SubscriptionBilling`) and as catalog,
    subscriptions and billing documents (:class:`services.quote_to_cash.SubscriptionOrders`)."""

    def __init__(self, config: ZuoraConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._config = config
        self._client = new_http_client(config.base_url, config.retry, transport)
        self._session = VendorSession(
            system=SYSTEM,
            client=self._client,
            tokens=CachedToken(self._fetch_token),
            translate=translate,
            retry=config.retry,
            correlation_header=TRACK_HEADER,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def billing_account(self, account_key: str) -> BillingAccount | None:
        try:
            response = await self._session.request(
                "GET", f"/v1/accounts/{key(account_key)}", headers=headers()
            )
        except NotFound:
            return None
        return billing_account(read(ACCOUNT_READ, response, "account"))

    async def create_billing_account(self, account: BillingAccount) -> BillingAccount:
        """Create the account under its own account number.

        Retries reuse the ``Idempotency-Key`` ``revgate-account-<account number>``, so Zuora
        answers a retry with the first result. An account number that already exists counts
        as success when that account belongs to the same CRM account (the create already
        happened), and as ``Conflict`` otherwise.
        """
        sent = headers(**{"Idempotency-Key": f"revgate-account-{account.account_number}"})
        try:
            response = await self._session.request(
                "POST", "/v1/accounts", json=create_body(account), headers=sent, idempotent=True
            )
        except Conflict as exc:
            return await self._already_created(account, exc)
        except Rejected as exc:
            if exc.status != 422:
                raise
            # The key was used before with another payload: the account may well exist.
            return await self._already_created(account, exc)
        created = read(ACCOUNT_CREATED, response, "create")
        return msgspec.structs.replace(
            account, account_id=created.account_id, account_number=created.account_number
        )

    async def update_billing_account(self, account: BillingAccount) -> None:
        account_key = account.account_id or account.account_number
        await self._session.request(
            "PUT", f"/v1/accounts/{key(account_key)}", json=update_body(account), headers=headers()
        )

    # --- SubscriptionOrders (see _orders and _documents) ------------------------------------

    async def catalog(self) -> list[CatalogProduct]:
        return await _documents.catalog(self._session)

    async def create_subscription(self, new: NewSubscription) -> Subscription:
        """Create it with an order, or answer the subscription already made for ``new.order_ref``."""
        return await _orders.create_subscription(self._session, new)

    async def subscription(self, subscription_number: str) -> Subscription | None:
        return await _orders.subscription(self._session, subscription_number)

    async def amend(self, amendment: SubscriptionAmendment) -> AmendmentOutcome:
        """Apply it with an order, or answer the outcome of the order already made for its ref."""
        return await _orders.amend(self._session, amendment)

    async def invoices(self, account_number: str) -> list[BillingInvoice]:
        return await _documents.invoices(self._session, account_number)

    async def payments(self, account_number: str) -> list[BillingPayment]:
        return await _documents.payments(self._session, account_number)

    async def _already_created(self, account: BillingAccount, error: VendorError) -> BillingAccount:
        existing = await self.billing_account(account.account_number)
        if existing is None:
            raise error
        if existing.crm_id != account.crm_id:
            raise Conflict(
                SYSTEM,
                f"account number {account.account_number} belongs to CRM account {existing.crm_id!r}",
                reasons=error.reasons,
                status=error.status,
            ) from error
        return existing

    async def _fetch_token(self, session: VendorSession) -> tuple[str, float | None]:
        """``POST /oauth/token`` with the client credentials."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self._config.client_id,
            "client_secret": self._config.client_secret,
        }
        response = await session.post_form("/oauth/token", form, headers=headers())
        granted = read(TOKEN_GRANTED, response, "token")
        return granted.access_token, granted.expires_in
