"""The workflow store in Redis: shared by every process, each multi-step operation one Lua script.

Keys (``prefix`` defaults to ``revgate:wf:``):

- ``{prefix}req:{len(scope)}:{scope}:{key}`` — a request key, a hash {fingerprint, workflow_id,
  lease_until, response}; it expires ``ttl`` seconds after it was claimed. The scope's length
  keeps two clients' keys apart whatever characters either contains.
- ``{prefix}wf:{id}`` — a workflow record, a hash {data, version}; no expiry.
- ``{prefix}unfinished`` — the set of workflows that still have work to do.
- ``{prefix}lease:{id}`` — the execution lease, a string holding the owner, with PX expiry.
- ``{prefix}link:{name}`` — a link, a string holding the workflow id.

Times come from Redis (``TIME``, ``PX``), never from the client, so processes on hosts whose
clocks disagree still agree on leases. Every script touches one key, so the layout also works on
Redis Cluster.
"""

from __future__ import annotations

import math
from typing import Final, Self

import redis.asyncio as aioredis

from ._store import KeyClaim, KeyState, Versioned

# lease_until is kept in milliseconds of Redis's clock, written with %.0f: Lua's default number
# format keeps only 14 significant digits.
_BEGIN_REQUEST: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease_until = string.format('%.0f', now + tonumber(ARGV[3]))
local rec = redis.call('HMGET', KEYS[1], 'fingerprint', 'workflow_id', 'response', 'lease_until')
if not rec[1] then
  redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'workflow_id', ARGV[2], 'lease_until', lease_until)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return {'new', ARGV[2]}
end
if rec[1] ~= ARGV[1] then return {'mismatch', rec[2]} end
if rec[3] then return {'done', rec[2], rec[3]} end
if tonumber(rec[4]) > now then return {'in-flight', rec[2]} end
redis.call('HSET', KEYS[1], 'lease_until', lease_until)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {'new', rec[2]}
"""

# HSET on an existing hash keeps its expiry; the EXISTS check keeps an expired record from
# coming back without one.
_FINISH_REQUEST: Final = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'response', ARGV[1]) end
return 0
"""

_CREATE: Final = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'version', 1)
return 1
"""

_SAVE: Final = """
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'version', tonumber(ARGV[2]) + 1)
return 1
"""

_ACQUIRE: Final = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

# Releases a lease and unlinks a link alike: delete the key only if it still holds the value.
_DELETE_IF_EQUAL: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_LINK: Final = """
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
"""


def _ms(seconds: float) -> int:
    """Seconds as the whole, positive milliseconds PX and PEXPIRE take."""
    return max(1, math.ceil(seconds * 1000))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisWorkflowStore:
    """:class:`~services.workflow._store.WorkflowStore` in Redis.

    ``client`` must answer bytes (``decode_responses`` off, the default): responses and records
    are opaque bytes. The store closes the client in :meth:`aclose` only if it made it
    (:meth:`from_url`).
    """

    def __init__(self, client: aioredis.Redis, prefix: str = "revgate:wf:") -> None:
        self._client = client
        self._prefix = prefix
        self._owns_client = False
        self._unfinished_key = f"{prefix}unfinished"
        # Registered once: each call sends EVALSHA and loads the script again after a flush.
        self._begin_request = client.register_script(_BEGIN_REQUEST)
        self._finish_request = client.register_script(_FINISH_REQUEST)
        self._create = client.register_script(_CREATE)
        self._save = client.register_script(_SAVE)
        self._acquire = client.register_script(_ACQUIRE)
        self._delete_if_equal = client.register_script(_DELETE_IF_EQUAL)
        self._link = client.register_script(_LINK)

    @classmethod
    def from_url(cls, url: str, prefix: str = "revgate:wf:") -> Self:
        """A store on a client of its own, with tight timeouts: a hung Redis fails fast."""
        store = cls(aioredis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=2.0), prefix)
        store._owns_client = True
        return store

    async def aclose(self) -> None:
        """Close the client if the store made it."""
        if self._owns_client:
            await self._client.aclose()

    # --- Idempotency keys ------------------------------------------------------------------------

    def _request_key(self, scope: str, key: str) -> str:
        return f"{self._prefix}req:{len(scope)}:{scope}:{key}"

    async def begin_request(
        self, scope: str, key: str, fingerprint: str, workflow_id: str, lease: float, ttl: float
    ) -> KeyClaim:
        """Claim ``key`` within ``scope``; see :meth:`WorkflowStore.begin_request`.

        ``MISMATCH``, ``IN_FLIGHT`` and ``DONE`` carry the workflow id stored with the key. A claim
        taken over from a holder whose lease ran out renews the lease and starts the ttl afresh.
        """
        answer: list[bytes] = await self._begin_request(
            keys=[self._request_key(scope, key)], args=[fingerprint, workflow_id, _ms(lease), _ms(ttl)]
        )
        state = KeyState(_text(answer[0]))
        response = bytes(answer[2]) if len(answer) > 2 else None
        return KeyClaim(state, _text(answer[1]), response)

    async def finish_request(self, scope: str, key: str, response: bytes) -> None:
        """Store the answer, keeping the record's expiry; nothing happens if the record expired."""
        await self._finish_request(keys=[self._request_key(scope, key)], args=[response])

    async def abandon_request(self, scope: str, key: str) -> None:
        """Forget the key so it can be used again."""
        await self._client.delete(self._request_key(scope, key))

    # --- Workflow records ------------------------------------------------------------------------

    def _record_key(self, workflow_id: str) -> str:
        return f"{self._prefix}wf:{workflow_id}"

    async def create(self, workflow_id: str, data: bytes) -> bool:
        """Store a new record at version 1; False when the id exists already."""
        return bool(await self._create(keys=[self._record_key(workflow_id)], args=[data]))

    async def load(self, workflow_id: str) -> Versioned | None:
        """The record and its version, or None."""
        data, version = await self._client.hmget(self._record_key(workflow_id), ["data", "version"])
        if data is None or version is None:
            return None
        return Versioned(data if isinstance(data, bytes) else data.encode(), int(version))

    async def save(self, workflow_id: str, data: bytes, expected_version: int) -> bool:
        """Replace the record if its version is still ``expected_version``."""
        return bool(await self._save(keys=[self._record_key(workflow_id)], args=[data, expected_version]))

    async def set_unfinished(self, workflow_id: str, unfinished: bool) -> None:
        """Add the id to the unfinished set, or take it out."""
        if unfinished:
            await self._client.sadd(self._unfinished_key, workflow_id)
        else:
            await self._client.srem(self._unfinished_key, workflow_id)

    async def unfinished(self) -> list[str]:
        """The ids of workflows that still have work to do, sorted."""
        return sorted(_text(member) for member in await self._client.smembers(self._unfinished_key))

    # --- Execution leases ------------------------------------------------------------------------

    def _lease_key(self, workflow_id: str) -> str:
        return f"{self._prefix}lease:{workflow_id}"

    async def acquire(self, workflow_id: str, owner: str, lease: float) -> bool:
        """Take or renew the lease; False while another owner holds it."""
        return bool(await self._acquire(keys=[self._lease_key(workflow_id)], args=[owner, _ms(lease)]))

    async def release(self, workflow_id: str, owner: str) -> None:
        """Give the lease up if ``owner`` holds it."""
        await self._delete_if_equal(keys=[self._lease_key(workflow_id)], args=[owner])

    # --- Links -----------------------------------------------------------------------------------

    def _link_key(self, name: str) -> str:
        return f"{self._prefix}link:{name}"

    async def link(self, name: str, workflow_id: str) -> str:
        """Set ``name`` to ``workflow_id`` unless it is set; the id it points at now."""
        answer: bytes = await self._link(keys=[self._link_key(name)], args=[workflow_id])
        return _text(answer)

    async def linked(self, name: str) -> str | None:
        """The id ``name`` points at, or None."""
        value = await self._client.get(self._link_key(name))
        return None if value is None else _text(value)

    async def unlink(self, name: str, workflow_id: str) -> None:
        """Remove ``name`` if it still points at ``workflow_id``."""
        await self._delete_if_equal(keys=[self._link_key(name)], args=[workflow_id])
