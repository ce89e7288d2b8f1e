"""Rate limiting: GCRA per client and policy, in Redis (shared by all gateway processes) or in process.

Per request::

    policy = config.policy_for(client_id, operation)
    decision = await limiter.check(client_id, policy)
    policy_value, ratelimit_value = ratelimit_headers(policy, decision)
    if not decision.allowed:
        ...  # 429 quota-exceeded with Retry-After: retry_after_header(decision)
"""

from ._config import RateLimitConfig
from ._headers import (
    RATELIMIT,
    RATELIMIT_POLICY,
    RETRY_AFTER,
    policy_header,
    ratelimit_headers,
    retry_after_header,
    retry_after_seconds,
)
from ._memory import MemoryRateLimiter
from ._metrics import fallback_counter
from ._policy import Decision, RateLimiter, RateLimitPolicy
from ._redis import GCRA_SCRIPT, RedisRateLimiter

__all__ = [
    "GCRA_SCRIPT",
    "RATELIMIT",
    "RATELIMIT_POLICY",
    "RETRY_AFTER",
    "Decision",
    "MemoryRateLimiter",
    "RateLimitConfig",
    "RateLimitPolicy",
    "RateLimiter",
    "RedisRateLimiter",
    "fallback_counter",
    "policy_header",
    "ratelimit_headers",
    "retry_after_header",
    "retry_after_seconds",
]
