"""The Zuora sandbox's own controls, beside the kernel's (:mod:`services.sandbox._kernel`).

- ``PUT /__sandbox/callouts`` ``{"url", "username", "password"}`` — send the Payment Declined
  callout there (answers ``{"url", "username"}``);
- ``GET /__sandbox/callouts`` — the callouts sent, oldest first: ``{"id", "url", "eventType",
  "requestId", "payload", "attempts", "status", "error"}``, ``status`` being what the last
  attempt got (null while none got an answer), ``error`` null once one got a 2xx;
- ``POST /__sandbox/idempotency-keys/expire`` — forget every ``Idempotency-Key``, as 24 hours
  later (to test what happens beyond Zuora's idempotency window).

``POST /__sandbox/reset`` also forgets the callouts and the keys, and sets the callout back to the one
configured at start (``REVGATE_SANDBOX_CALLOUT_URL``), or off.
"""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from services.sandbox._kernel import CONTROL_PREFIX
from services.sandbox.zuora._callouts import Callouts, CalloutTarget, SentCallout
from services.sandbox.zuora._idempotency import IdempotencyKeys


class CalloutTargetShown(msgspec.Struct, frozen=True):
    url: str
    username: str


class ZuoraControlsController(Controller):
    """Zuora-specific ``/__sandbox`` controls (see the module docstring)."""

    path = CONTROL_PREFIX
    include_in_schema = False

    @put("/callouts")
    async def configure_callouts(
        self, callouts: NamedDependency[Callouts], data: JSONBody[CalloutTarget]
    ) -> CalloutTargetShown:
        callouts.target = data
        return CalloutTargetShown(url=data.url, username=data.username)

    @get("/callouts")
    async def sent_callouts(self, callouts: NamedDependency[Callouts]) -> list[SentCallout]:
        return list(callouts.sent)

    @post("/idempotency-keys/expire", status_code=204)
    async def expire_keys(self, idempotency_keys: NamedDependency[IdempotencyKeys]) -> None:
        idempotency_keys.clear()
