"""Reads the billing state of a customer or an order, and keeps the CRM told of payment failures."""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging

import msgspec

from contracts.billing_status import v1
from services.billing_status.reconcile import Documents, status
from services.order_submission.plan import stored_order
from services.ports import BillingAccount
from services.quote_to_cash import AccountBillingState, SystemsOfRecord
from services.runtime.problems import ProblemError
from services.workflow import WorkflowStore

log = logging.getLogger("revgate.billing_status")


class PaymentCallout(msgspec.Struct, rename="camel", frozen=True):
    """Zuora's Payment Declined callout, as its notification template is set up for revgate.

    Only the account is trusted from it: the payments are read again from Zuora.
    """

    event_type: str
    account_number: str
    payment_number: str | None = None


class CalloutCredentials(msgspec.Struct, frozen=True):
    """The HTTP Basic credentials Zuora's callouts carry (set in Zuora's notification settings)."""

    username: str
    password: str


class BillingDesk:
    def __init__(
        self, systems: SystemsOfRecord, store: WorkflowStore, callouts: CalloutCredentials | None = None
    ) -> None:
        self.systems = systems
        self.store = store
        self.callouts = callouts

    async def customer(self, customer_id: str) -> v1.BillingStatus:
        account, docs = await self._documents(customer_id)
        return status(customer_id, account.currency, docs, dt.date.today())

    async def order(self, order_id: str) -> v1.BillingStatus:
        order = await stored_order(self.store, order_id)
        if order is None:
            raise ProblemError("not-found", f"There is no order {order_id}")
        customer_id = order.plan.customer_id
        account, docs = await self._documents(customer_id)
        subscriptions = {n for n in (order.outputs.get("subscription_number"),) if n}
        mine = docs.for_order(subscriptions, {order_id})
        answer = status(customer_id, account.currency, mine, dt.date.today())
        return msgspec.structs.replace(
            answer, order_id=order_id, subscription_numbers=tuple(sorted(subscriptions))
        )

    async def _documents(self, customer_id: str) -> tuple[BillingAccount, Documents]:
        account = await self.systems.billing_accounts.billing_account(customer_id)
        if account is None:
            raise ProblemError("not-found", f"Zuora has no account for customer {customer_id}")
        invoices, payments, erp_invoices, erp_payments = await asyncio.gather(
            self.systems.billing.invoices(customer_id),
            self.systems.billing.payments(customer_id),
            self.systems.erp.invoices(customer_id),
            self.systems.erp.payments(customer_id),
        )
        return account, Documents(invoices, payments, erp_invoices, erp_payments)

    def authentic(self, username: str, password: str) -> bool:
        expected = self.callouts
        return (
            expected is not None
            and hmac.compare_digest(username.encode(), expected.username.encode())
            and hmac.compare_digest(password.encode(), expected.password.encode())
        )

    async def payment_event(self, callout: PaymentCallout) -> AccountBillingState:
        """Show the account's payment state in the CRM, as Zuora has it now (not as the callout says)."""
        account, docs = await self._documents(callout.account_number)
        current = status(callout.account_number, account.currency, docs, dt.date.today())
        latest = current.payment_failures[-1] if current.payment_failures else None
        state = (
            AccountBillingState(
                "Payment Failed",
                f"{latest.payment_number} of {latest.amount.amount} {latest.amount.currency} failed: "
                f"{latest.failure_reason or 'declined'}",
            )
            if latest
            else AccountBillingState("Current", "")
        )
        await self.systems.deals.update_account_billing_state(account.crm_id, state)
        log.info("account %s payment state: %s", callout.account_number, state.payment_status)
        return state
