"""``Idempotency-Key`` for POSTs that start work (draft-ietf-httpapi-idempotency-key-header).

- no key: 400 ``idempotency-key-required``;
- the key reused with another payload: 422 ``idempotency-key-reused``;
- the key's first request still being processed: 409 ``request-in-progress``;
- the key's request finished: its stored answer, replayed (with ``Idempotent-Replayed: true``).

Keys are scoped per client (the gateway's ``X-Revgate-Client-Id``), so two clients never see each
other's answers. The payload's fingerprint is taken from the decoded body re-encoded, so spacing
and member order do not make a retry look different. A request refused before it did anything
(validation, or a system that could not be read) forgets its key, so the client can fix the deal
and send the same key again. A process that dies while holding a key leaves it held until its lease
runs out; a retry then continues the same workflow id, never a second one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from typing import Any, Final

import msgspec
from litestar import Request, Response

from services.runtime.problems import ProblemError
from services.workflow._store import KeyState, WorkflowStore

HEADER: Final = "idempotency-key"
CLIENT_HEADER: Final = "x-revgate-client-id"
"""Set by the gateway from the verified token (the gateway strips it from what callers send)."""
REPLAYED_HEADER: Final = "Idempotent-Replayed"
_KEY: Final = re.compile(r'^"?([\x21\x23-\x7e]{1,255})"?$')


class StoredAnswer(msgspec.Struct, frozen=True):
    status: int
    body: bytes
    location: str | None = None


_answer_decoder = msgspec.json.Decoder(StoredAnswer)


class IdempotentPost:
    """Runs a POST at most once per (client, key), answering repeats from the store."""

    def __init__(self, store: WorkflowStore, *, lease: float = 30.0, ttl: float = 86_400.0) -> None:
        self.store = store
        self.lease = lease
        """Seconds a first request holds its key; a retry after that continues its workflow."""
        self.ttl = ttl
        """Seconds a key and its answer are kept (24 hours, like Zuora and Stripe)."""

    async def __call__(
        self,
        request: Request[Any, Any, Any],
        payload: msgspec.Struct,
        new_id: Callable[[], str],
        handle: Callable[[str], Awaitable[Response[bytes]]],
    ) -> Response[bytes]:
        """Answer the request: ``handle(workflow_id)`` runs once per key, or a stored answer is replayed."""
        key = _key(request.headers.get(HEADER))
        scope = request.headers.get(CLIENT_HEADER, "-")
        fingerprint = hashlib.sha256(msgspec.json.encode(payload)).hexdigest()
        claim = await self.store.begin_request(scope, key, fingerprint, new_id(), self.lease, self.ttl)
        if claim.state is KeyState.MISMATCH:
            raise ProblemError(
                "idempotency-key-reused",
                "This Idempotency-Key was sent before with a different body; use a new key for a new request",
            )
        if claim.state is KeyState.IN_FLIGHT:
            raise ProblemError(
                "request-in-progress",
                "The first request with this Idempotency-Key is still being processed; retry shortly",
                retry_after=1,
                headers={"Retry-After": "1"},
            )
        if claim.state is KeyState.DONE and claim.response is not None:
            stored = _answer_decoder.decode(claim.response)
            headers = {REPLAYED_HEADER: "true"}
            if stored.location:
                headers["Location"] = stored.location
            return Response(
                stored.body, status_code=stored.status, headers=headers, media_type="application/json"
            )
        try:
            response = await handle(claim.workflow_id)
        except Exception:
            # ``handle`` fails only before it starts the workflow: nothing was done, the key is free.
            await self.store.abandon_request(scope, key)
            raise
        answer = StoredAnswer(response.status_code or 200, response.content, response.headers.get("Location"))
        await self.store.finish_request(scope, key, msgspec.json.encode(answer))
        return response


def _key(value: str | None) -> str:
    if value is None:
        raise ProblemError(
            "idempotency-key-required",
            "Send an Idempotency-Key header (a unique value, e.g. a UUID, per order) so a retry is safe",
        )
    match = _KEY.match(value.strip())
    if match is None:
        raise ProblemError(
            "invalid-request", "Idempotency-Key must be 1 to 255 visible ASCII characters, optionally quoted"
        )
    return match.group(1)
