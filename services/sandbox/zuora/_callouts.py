"""Callout notifications: the sandbox's *Payment Declined* event with an HTTP callout.

In a Zuora tenant an admin sets up a notification for the Payment Declined event whose
callout POSTs a JSON template to a URL with HTTP Basic credentials. The sandbox has one such
notification, switched on with a control (:mod:`._controls`).

When a payment ends in ``Error`` the sandbox POSTs ``{"eventType": "PaymentDeclined",
"eventTimestamp", "accountNumber", "accountId", "paymentId", "paymentNumber", "amount",
"currency", "gatewayResponse"}`` (amount as text, e.g. ``"1200.00"``, like a template's merge
field) with ``Authorization: Basic``, ``Content-Type: application/json`` and a
``Zuora-Request-Id`` kept across retries. It does not wait for the callout: a refused or
failed callout (no answer or not 2xx) is retried up to 3 times, a little later each time,
then logged and given up; the payment itself is never affected.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from typing import Any, Final

import httpx
import msgspec

from services.sandbox.zuora._records import Payment

log = logging.getLogger("revgate.sandbox.zuora")

RETRIES: Final = 3
FIRST_RETRY_DELAY: Final = 0.05
"""Seconds before the first retry; doubled for each further one."""


class CalloutTarget(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Where the Payment Declined callout goes, with its Basic credentials."""

    url: str
    username: str = ""
    password: str = ""


class SentCallout(msgspec.Struct, rename="camel"):
    """One callout and how its delivery went."""

    id: str
    url: str
    event_type: str
    request_id: str
    payload: dict[str, Any]
    attempts: int = 0
    status: int | None = None
    error: str | None = None


class Callouts:
    """The tenant's one callout notification and the callouts it sent."""

    def __init__(self, retries: int = RETRIES, first_delay: float = FIRST_RETRY_DELAY) -> None:
        self.retries = retries
        self.first_delay = first_delay
        self.target: CalloutTarget | None = None
        self.sent: list[SentCallout] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def clear(self) -> None:
        self.target = None
        self.sent = []

    def payment_declined(self, payment: Payment) -> None:
        """Send the callout of a payment that ended in Error, in the background (if switched on)."""
        if self.target is None:
            return
        payload: dict[str, Any] = {
            "eventType": "PaymentDeclined",
            "eventTimestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "accountNumber": payment.account_number,
            "accountId": payment.account_id,
            "paymentId": payment.id,
            "paymentNumber": payment.number,
            "amount": f"{payment.amount:.2f}",
            "currency": payment.currency,
            "gatewayResponse": payment.gateway_response,
        }
        record = SentCallout(
            id=uuid.uuid4().hex,
            url=self.target.url,
            event_type="PaymentDeclined",
            request_id=str(uuid.uuid4()),
            payload=payload,
        )
        self.sent.append(record)
        task = asyncio.get_running_loop().create_task(self._deliver(record, self.target))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, record: SentCallout, target: CalloutTarget) -> None:
        headers = {"Content-Type": "application/json", "Zuora-Request-Id": record.request_id}
        body = msgspec.json.encode(record.payload)
        async with httpx.AsyncClient(timeout=5.0) as client:
            for attempt in range(1, self.retries + 2):
                record.attempts = attempt
                try:
                    answer = await client.post(
                        target.url, content=body, headers=headers, auth=(target.username, target.password)
                    )
                except httpx.HTTPError as exc:
                    record.status, record.error = None, f"{type(exc).__name__}: {exc}"
                else:
                    record.status = answer.status_code
                    record.error = None if answer.is_success else f"HTTP {answer.status_code}"
                    if answer.is_success:
                        return
                if attempt <= self.retries:
                    await asyncio.sleep(self.first_delay * 2 ** (attempt - 1))
        log.warning(
            "callout %s to %s failed after %d attempts: %s",
            record.id,
            record.url,
            record.attempts,
            record.error,
        )
