"""Where workflows and idempotency keys live: Redis in production, process memory in the embedded default.

Both implementations keep the same promises and pass the same tests
(``tests/services/workflow/test_store.py``). The store knows nothing of orders: it keeps opaque
records with a version, request keys, leases and links, each operation atomic.
"""

from __future__ import annotations

import enum
from typing import Protocol

import msgspec


class KeyState(enum.StrEnum):
    """What :meth:`WorkflowStore.begin_request` found for an ``Idempotency-Key``."""

    NEW = "new"
    """The caller owns the key now and must finish or abandon it. ``workflow_id`` is the one to use:
    the caller's own, or — when an earlier holder's lease ran out before it finished — the earlier
    holder's, so that a request retried after a crash continues the same workflow."""
    IN_FLIGHT = "in-flight"
    """Another request with this key is being processed (its lease has not run out)."""
    MISMATCH = "mismatch"
    """The key was used with another payload."""
    DONE = "done"
    """The key's request finished; ``response`` is its stored answer."""


class KeyClaim(msgspec.Struct, frozen=True):
    state: KeyState
    workflow_id: str
    response: bytes | None = None


class Versioned(msgspec.Struct, frozen=True):
    """A stored record and its version (1 for a new record, one more with each save)."""

    data: bytes
    version: int


class WorkflowStore(Protocol):
    """Atomic operations on workflow records, request keys, execution leases and links."""

    # --- Idempotency keys (draft-ietf-httpapi-idempotency-key-header) ----------------------------

    async def begin_request(
        self, scope: str, key: str, fingerprint: str, workflow_id: str, lease: float, ttl: float
    ) -> KeyClaim:
        """Claim ``key`` within ``scope`` (the client) for a request whose payload has ``fingerprint``.

        A new key is held for ``lease`` seconds; the record itself lives ``ttl`` seconds.
        """
        ...

    async def finish_request(self, scope: str, key: str, response: bytes) -> None:
        """Store the answer; later requests with the key get ``DONE`` and this answer."""
        ...

    async def abandon_request(self, scope: str, key: str) -> None:
        """Forget the key (the request was refused before it did anything), so it can be used again."""
        ...

    # --- Workflow records ------------------------------------------------------------------------

    async def create(self, workflow_id: str, data: bytes) -> bool:
        """Store a new record at version 1; False when the id exists already (nothing written)."""
        ...

    async def load(self, workflow_id: str) -> Versioned | None: ...

    async def save(self, workflow_id: str, data: bytes, expected_version: int) -> bool:
        """Replace the record if its version is still ``expected_version`` (compare-and-set)."""
        ...

    async def set_unfinished(self, workflow_id: str, unfinished: bool) -> None:
        """Add the id to the set of workflows that still have work to do, or take it out."""
        ...

    async def unfinished(self) -> list[str]: ...

    # --- Execution leases: one runner per workflow at a time, across processes --------------------

    async def acquire(self, workflow_id: str, owner: str, lease: float) -> bool:
        """Take or renew the lease; False while another owner holds it."""
        ...

    async def release(self, workflow_id: str, owner: str) -> None:
        """Give the lease up if ``owner`` holds it."""
        ...

    # --- Links: unique business keys, e.g. an opportunity's one order ------------------------------

    async def link(self, name: str, workflow_id: str) -> str:
        """Set ``name`` to ``workflow_id`` unless it is set; answer the id it points at now."""
        ...

    async def linked(self, name: str) -> str | None: ...

    async def unlink(self, name: str, workflow_id: str) -> None:
        """Remove ``name`` if it still points at ``workflow_id``."""
        ...

    async def aclose(self) -> None: ...
