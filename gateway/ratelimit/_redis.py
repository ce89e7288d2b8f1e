"""The shared limiter: GCRA as one atomic Lua script in Redis, on Redis's clock."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Final

from ._memory import MemoryRateLimiter
from ._policy import Decision, RateLimitPolicy, decision_from_gcra
from ._resp import ReplyError, RespConnection
from ._target import RedisTarget

_log = logging.getLogger(__name__)

# One bucket per key. Redis's own clock (TIME) makes every gateway process agree on "now";
# the script runs atomically, so concurrent checks from any number of processes serialise.
# The TAT is kept in integer microseconds and written with %.0f: Lua numbers are doubles, exact
# to 2^53 µs, but their default string form keeps only 14 digits. The key expires when the
# bucket is full again, so idle clients cost nothing.
GCRA_SCRIPT: Final = b"""
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
if new_tat - tolerance > now then
  return {0, 0, tat - now, new_tat - tolerance - now}
end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
local retry = new_tat + interval - tolerance - now
if retry < 0 then retry = 0 end
return {1, math.floor((now - (new_tat - tolerance)) / interval), new_tat - now, retry}
"""
GCRA_SHA: Final = hashlib.sha1(GCRA_SCRIPT, usedforsecurity=False).hexdigest().encode()


class _Compiled:
    """A policy's command, encoded once: only the key changes between requests."""

    __slots__ = ("eval_head", "evalsha_head", "prefix", "tail")

    def __init__(self, policy: RateLimitPolicy, key_prefix: str) -> None:
        self.evalsha_head = b"*6\r\n$7\r\nEVALSHA\r\n$40\r\n" + GCRA_SHA + b"\r\n$1\r\n1\r\n"
        self.eval_head = b"*6\r\n$4\r\nEVAL\r\n$%d\r\n%s\r\n$1\r\n1\r\n" % (len(GCRA_SCRIPT), GCRA_SCRIPT)
        self.prefix = f"{key_prefix}{policy.name}:".encode()
        interval, tolerance = str(policy.interval_us).encode(), str(policy.tolerance_us).encode()
        self.tail = b"$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(interval), interval, len(tolerance), tolerance)

    def command(self, key: str, head: bytes) -> bytes:
        raw = key.encode()
        return b"%s$%d\r\n%s%s\r\n%s" % (head, len(self.prefix) + len(raw), self.prefix, raw, self.tail)


class RedisRateLimiter:
    """GCRA in Redis, shared by every gateway process; falls back to a local limiter when Redis is away.

    Keys are ``{key_prefix}{policy name}:{key}``. On a Redis failure (refused, timed out, lost,
    error reply) the check is answered by the per-process :class:`MemoryRateLimiter` (or
    denied, with ``fail_closed``), ``on_fallback`` is called, and Redis is left alone for
    ``retry_interval`` seconds so that an outage costs requests nothing; the first check after
    that tries again, which is how the limiter recovers by itself.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        connect_timeout: float = 0.1,
        timeout: float = 0.1,
        retry_interval: float = 1.0,
        fail_closed: bool = False,
        key_prefix: str = "revgate:rl:",
        on_fallback: Callable[[], None] | None = None,
        fallback: MemoryRateLimiter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``clock`` (monotonic seconds) times the back-off; tests inject one."""
        self._target = RedisTarget.from_url(url)
        self._connect_timeout = connect_timeout
        self._timeout = timeout
        self._retry_interval = retry_interval
        self._fail_closed = fail_closed
        self._key_prefix = key_prefix
        self._on_fallback = on_fallback
        self._fallback = fallback if fallback is not None else MemoryRateLimiter()
        self._clock = clock
        self._compiled: dict[RateLimitPolicy, _Compiled] = {}
        self._conn: RespConnection | None = None
        self._connecting: asyncio.Task[RespConnection | None] | None = None
        self._down_until = float("-inf")
        self.fallbacks = 0
        """Checks answered without Redis since start."""
        self.connect_attempts = 0
        """Times a connection to Redis was tried since start."""

    async def check(self, key: str, policy: RateLimitPolicy) -> Decision:
        """Decide for ``key`` under ``policy`` (the :class:`RateLimiter` protocol)."""
        conn = self._conn
        if conn is None or conn.closed:
            conn = await self._reconnect()
            if conn is None:
                return self._degraded(key, policy)
        compiled = self._compiled.get(policy)
        if compiled is None:
            compiled = self._compiled[policy] = _Compiled(policy, self._key_prefix)
        try:
            reply = await conn.call(compiled.command(key, compiled.evalsha_head))
            if type(reply) is not list:
                if isinstance(reply, ReplyError) and str(reply).startswith("NOSCRIPT"):
                    # The script cache was flushed (SCRIPT FLUSH, or a failover to a replica
                    # that never saw it): EVAL runs the script and caches it again.
                    reply = await conn.call(compiled.command(key, compiled.eval_head))
                if type(reply) is not list:
                    raise ConnectionError(f"unexpected Redis reply {reply!r}")
        except (ConnectionError, TimeoutError, OSError) as exc:
            self._went_down(conn, exc)
            return self._degraded(key, policy)
        return decision_from_gcra(policy, reply[0], reply[1], reply[2], reply[3], False)

    async def warm_up(self) -> bool:
        """Connect now (at start-up) rather than on the first request; whether Redis answered."""
        return await self._reconnect() is not None

    async def aclose(self) -> None:
        """Close the connection."""
        if self._connecting is not None:
            self._connecting.cancel()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def _reconnect(self) -> RespConnection | None:
        if self._clock() < self._down_until:
            return None
        if self._connecting is None:
            self._connecting = asyncio.get_running_loop().create_task(self._connect())
        # Checks arriving while one attempt runs wait for that same attempt (at most
        # connect_timeout); shield: a cancelled request must not cancel it for the others.
        return await asyncio.shield(self._connecting)

    async def _connect(self) -> RespConnection | None:
        self.connect_attempts += 1
        conn = None
        try:
            conn = await RespConnection.open(
                self._target, reply_timeout=self._timeout, connect_timeout=self._connect_timeout
            )
            # Load the script once per connection; after a Redis restart this is what puts it back.
            async with asyncio.timeout(self._connect_timeout):
                await conn.command(b"SCRIPT", b"LOAD", GCRA_SCRIPT)
        except Exception as exc:  # whatever stops the connection, requests go on without Redis
            self._went_down(conn, exc)
            return None
        finally:
            self._connecting = None
        if self._down_until != float("-inf"):
            _log.warning("Redis is back: rate limits are shared again")
        self._down_until = float("-inf")
        self._conn = conn
        return conn

    def _went_down(self, conn: RespConnection | None, exc: BaseException) -> None:
        if conn is not None:
            conn.close()
        if self._conn is conn:
            self._conn = None
        if self._down_until == float("-inf"):
            # Logged once per outage (and not per request), then again when Redis is back.
            mode = "denying requests" if self._fail_closed else "limiting per process"
            _log.warning("Redis unavailable for rate limiting (%s): %s", mode, exc)
        self._down_until = self._clock() + self._retry_interval

    def _degraded(self, key: str, policy: RateLimitPolicy) -> Decision:
        self.fallbacks += 1
        if self._on_fallback is not None:
            self._on_fallback()
        if self._fail_closed:
            wait = self._retry_interval
            return Decision(False, policy.limit, 0, wait, wait, True)
        return self._fallback.decide(key, policy, degraded=True)
