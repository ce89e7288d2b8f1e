"""The ``[rate_limit]`` section of the gateway config, and which policy applies to a request."""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from ._memory import MemoryRateLimiter
from ._policy import POLICY_NAME, RateLimitPolicy
from ._redis import RedisRateLimiter
from ._target import RedisTarget


def _default_policies() -> dict[str, RateLimitPolicy]:
    return {"default": RateLimitPolicy(name="default", limit=600, window=60.0)}


class RateLimitConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Rate limiting: where the shared state lives, the policies, and who gets which.

    Which policy applies to a request (most specific first): ``client_routes[client][operation]``,
    then ``clients[client]``, then ``routes[operation]``, then ``default_policy``. A client
    override wins over a route override because it is a promise made to that client; to hold
    one client to a stricter policy on one route, use ``client_routes``. Every policy has its
    own bucket per client: routes that share a policy share the client's quota.
    """

    redis_url: str | None = None
    """Redis holding the shared buckets, e.g. ``redis://127.0.0.1:6379/0``. Left out or empty: an
    in-process limiter only (the embedded default; exact for one gateway process)."""
    connect_timeout: float = 0.1
    """Seconds to connect to Redis (and log in) before falling back."""
    timeout: float = 0.1
    """Seconds to wait for Redis's answer to a check before falling back."""
    retry_interval: float = 1.0
    """After a Redis failure, seconds during which Redis is not tried again (checks fall back at once)."""
    fail_closed: bool = False
    """While Redis is unavailable, deny every request (true) instead of limiting per process (false)."""
    key_prefix: str = "revgate:rl:"
    """Prefix of the Redis keys; the key is ``{key_prefix}{policy}:{client id}``."""
    max_local_keys: int = 100_000
    """Buckets the in-process limiter keeps at most (idle ones are dropped first)."""
    policies: dict[str, RateLimitPolicy] = msgspec.field(default_factory=_default_policies)
    """The policies, by name; a policy's ``name`` may be left out (it is the table key)."""
    default_policy: str = "default"
    """The policy of requests that no override matches."""
    routes: dict[str, str] = {}
    """Per-route override: operation key (``capability:vN:operationId``, e.g.
    ``customer-master:v2:createCustomer``) -> policy name."""
    clients: dict[str, str] = {}
    """Per-client override: client id -> policy name."""
    client_routes: dict[str, dict[str, str]] = {}
    """Per-client, per-route override: client id -> operation key -> policy name."""

    def __post_init__(self) -> None:
        for key, policy in list(self.policies.items()):
            if not policy.name:
                policy = self.policies[key] = msgspec.structs.replace(policy, name=key)
            if policy.name != key:
                raise ValueError(f"policy {key!r} has name {policy.name!r}; leave it out or make it {key!r}")
            if not POLICY_NAME.fullmatch(key):
                raise ValueError(f"policy name {key!r} must be letters, digits, '_', '.' or '-'")
        self._check_known("default_policy", {"": self.default_policy})
        self._check_known("routes", self.routes)
        self._check_known("clients", self.clients)
        for client, routes in self.client_routes.items():
            self._check_known(f"client_routes.{client}", routes)
        if self.redis_url:
            RedisTarget.from_url(self.redis_url)
        if self.connect_timeout <= 0 or self.timeout <= 0:
            raise ValueError("connect_timeout and timeout must be more than 0 seconds")
        if self.retry_interval < 0:
            raise ValueError("retry_interval must not be negative")

    def _check_known(self, field: str, mapping: dict[str, str]) -> None:
        for where, name in mapping.items():
            if name not in self.policies:
                at = f"{field}.{where}" if where else field
                known = ", ".join(sorted(self.policies)) or "none"
                raise ValueError(f"{at} names policy {name!r}, which is not defined (defined: {known})")

    def policy_for(self, client_id: str, operation: str) -> RateLimitPolicy:
        """The policy of a request by ``client_id`` to ``operation`` (see the class doc for the order)."""
        policies = self.policies
        if self.client_routes:
            by_route = self.client_routes.get(client_id)
            if by_route is not None and (name := by_route.get(operation)) is not None:
                return policies[name]
        name = self.clients.get(client_id) or self.routes.get(operation) or self.default_policy
        return policies[name]

    def build_limiter(
        self, *, on_fallback: Callable[[], None] | None = None
    ) -> MemoryRateLimiter | RedisRateLimiter:
        """The limiter this config asks for: Redis-backed with a local fallback, or local only."""
        local = MemoryRateLimiter(max_keys=self.max_local_keys)
        if not self.redis_url:
            return local
        return RedisRateLimiter(
            self.redis_url,
            connect_timeout=self.connect_timeout,
            timeout=self.timeout,
            retry_interval=self.retry_interval,
            fail_closed=self.fail_closed,
            key_prefix=self.key_prefix,
            on_fallback=on_fallback,
            fallback=local,
        )
