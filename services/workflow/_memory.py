"""The workflow store in process memory: the embedded default, for one process only.

Every method is free of ``await`` between reading and writing, so each one is atomic on the
event loop without a lock. Leases and request records expire on a monotonic clock the way Redis
keys expire: an expired entry is treated as absent and dropped when next seen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ._store import KeyClaim, KeyState, Versioned

# Request records nobody asks for again are swept once the table has doubled since the last
# sweep, which keeps the cost per request constant on average.
_MIN_SWEEP_SIZE = 1024


@dataclass(slots=True)
class _RequestRecord:
    """What is remembered of one ``Idempotency-Key``."""

    fingerprint: str
    workflow_id: str
    lease_until: float
    expires_at: float
    response: bytes | None = None


@dataclass(slots=True)
class _Lease:
    owner: str
    until: float


class MemoryWorkflowStore:
    """:class:`~services.workflow._store.WorkflowStore` in dicts; state is lost when the process ends."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """``clock`` (monotonic seconds) times leases and request keys."""
        self._clock = clock
        self._requests: dict[tuple[str, str], _RequestRecord] = {}
        self._sweep_at = _MIN_SWEEP_SIZE
        self._records: dict[str, Versioned] = {}
        self._unfinished: set[str] = set()
        self._leases: dict[str, _Lease] = {}
        self._links: dict[str, str] = {}

    async def aclose(self) -> None:
        """Nothing to close; here so that both stores shut down alike."""

    # --- Idempotency keys ------------------------------------------------------------------------

    async def begin_request(
        self, scope: str, key: str, fingerprint: str, workflow_id: str, lease: float, ttl: float
    ) -> KeyClaim:
        """Claim ``key`` within ``scope``; see :meth:`WorkflowStore.begin_request`.

        ``MISMATCH``, ``IN_FLIGHT`` and ``DONE`` carry the workflow id stored with the key. A claim
        taken over from a holder whose lease ran out renews the lease and starts the ttl afresh.
        """
        now = self._clock()
        record = self._live_request(scope, key, now)
        if record is None:
            self._sweep_requests(now)
            self._requests[scope, key] = _RequestRecord(fingerprint, workflow_id, now + lease, now + ttl)
            return KeyClaim(KeyState.NEW, workflow_id)
        if record.fingerprint != fingerprint:
            return KeyClaim(KeyState.MISMATCH, record.workflow_id)
        if record.response is not None:
            return KeyClaim(KeyState.DONE, record.workflow_id, record.response)
        if record.lease_until > now:
            return KeyClaim(KeyState.IN_FLIGHT, record.workflow_id)
        record.lease_until = now + lease
        record.expires_at = now + ttl
        return KeyClaim(KeyState.NEW, record.workflow_id)

    async def finish_request(self, scope: str, key: str, response: bytes) -> None:
        """Store the answer, keeping the record's expiry; nothing happens if the record expired."""
        record = self._live_request(scope, key, self._clock())
        if record is not None:
            record.response = response

    async def abandon_request(self, scope: str, key: str) -> None:
        """Forget the key so it can be used again."""
        self._requests.pop((scope, key), None)

    def _live_request(self, scope: str, key: str, now: float) -> _RequestRecord | None:
        record = self._requests.get((scope, key))
        if record is not None and record.expires_at <= now:
            del self._requests[scope, key]
            return None
        return record

    def _sweep_requests(self, now: float) -> None:
        if len(self._requests) < self._sweep_at:
            return
        self._requests = {k: r for k, r in self._requests.items() if r.expires_at > now}
        self._sweep_at = max(_MIN_SWEEP_SIZE, 2 * len(self._requests))

    # --- Workflow records ------------------------------------------------------------------------

    async def create(self, workflow_id: str, data: bytes) -> bool:
        """Store a new record at version 1; False when the id exists already."""
        if workflow_id in self._records:
            return False
        self._records[workflow_id] = Versioned(data, 1)
        return True

    async def load(self, workflow_id: str) -> Versioned | None:
        """The record and its version, or None."""
        return self._records.get(workflow_id)

    async def save(self, workflow_id: str, data: bytes, expected_version: int) -> bool:
        """Replace the record if its version is still ``expected_version``."""
        current = self._records.get(workflow_id)
        if current is None or current.version != expected_version:
            return False
        self._records[workflow_id] = Versioned(data, expected_version + 1)
        return True

    async def set_unfinished(self, workflow_id: str, unfinished: bool) -> None:
        """Add the id to the unfinished set, or take it out."""
        if unfinished:
            self._unfinished.add(workflow_id)
        else:
            self._unfinished.discard(workflow_id)

    async def unfinished(self) -> list[str]:
        """The ids of workflows that still have work to do, sorted."""
        return sorted(self._unfinished)

    # --- Execution leases ------------------------------------------------------------------------

    async def acquire(self, workflow_id: str, owner: str, lease: float) -> bool:
        """Take or renew the lease; False while another owner holds it."""
        now = self._clock()
        held = self._leases.get(workflow_id)
        if held is not None and held.owner != owner and held.until > now:
            return False
        self._leases[workflow_id] = _Lease(owner, now + lease)
        return True

    async def release(self, workflow_id: str, owner: str) -> None:
        """Give the lease up if ``owner`` holds it."""
        held = self._leases.get(workflow_id)
        if held is not None and held.owner == owner:
            del self._leases[workflow_id]

    # --- Links -----------------------------------------------------------------------------------

    async def link(self, name: str, workflow_id: str) -> str:
        """Set ``name`` to ``workflow_id`` unless it is set; the id it points at now."""
        return self._links.setdefault(name, workflow_id)

    async def linked(self, name: str) -> str | None:
        """The id ``name`` points at, or None."""
        return self._links.get(name)

    async def unlink(self, name: str, workflow_id: str) -> None:
        """Remove ``name`` if it still points at ``workflow_id``."""
        if self._links.get(name) == workflow_id:
            del self._links[name]
