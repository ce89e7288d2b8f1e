"""The rate-limit response headers of draft-ietf-httpapi-ratelimit-headers-11, as bytes.

``RateLimit-Policy: "default";q=600;w=60`` names the policy, its quota and window (whole
seconds); ``RateLimit: "default";r=42;t=17`` gives the requests left and the seconds until the
full quota is back. Both are structured-field lists with the policy name as an sf-string;
policy names are restricted (see RateLimitPolicy) so that they never need escaping.
"""

from __future__ import annotations

import math
from typing import Final

from ._policy import Decision, RateLimitPolicy

RATELIMIT_POLICY: Final = b"ratelimit-policy"
RATELIMIT: Final = b"ratelimit"
RETRY_AFTER: Final = b"retry-after"

# Both limiters compute in whole microseconds; a float a hair above a whole second
# (0.7 * 10 = 7.000000000000001) must not round up to the next second.
_EPSILON: Final = 1e-7

_policy_values: dict[RateLimitPolicy, tuple[bytes, bytes]] = {}


def _seconds_up(seconds: float) -> int:
    return max(0, math.ceil(seconds - _EPSILON))


def _policy_value(policy: RateLimitPolicy) -> tuple[bytes, bytes]:
    cached = _policy_values.get(policy)
    if cached is None:
        name = b'"%s"' % policy.name.encode()
        window = max(1, _seconds_up(policy.window))
        cached = _policy_values[policy] = (b"%s;q=%d;w=%d" % (name, policy.limit, window), name)
    return cached


def policy_header(policy: RateLimitPolicy) -> bytes:
    """The ``RateLimit-Policy`` value, e.g. ``"default";q=600;w=60`` (cached per policy)."""
    return _policy_value(policy)[0]


def ratelimit_headers(policy: RateLimitPolicy, decision: Decision) -> tuple[bytes, bytes]:
    """The ``RateLimit-Policy`` and ``RateLimit`` values for a checked request, in that order."""
    policy_value, name = _policy_value(policy)
    return policy_value, b"%s;r=%d;t=%d" % (name, decision.remaining, _seconds_up(decision.reset))


def retry_after_header(decision: Decision) -> bytes:
    """The ``Retry-After`` value for a 429: whole seconds, rounded up, at least 1."""
    return b"%d" % retry_after_seconds(decision)


def retry_after_seconds(decision: Decision) -> int:
    """The same number as :func:`retry_after_header`, for the problem body's ``retryAfter``."""
    return max(1, _seconds_up(decision.retry_after))
