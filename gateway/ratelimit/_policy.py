"""What a rate-limit policy is, what a check answers, and the GCRA arithmetic both limiters share.

GCRA (the generic cell rate algorithm) keeps one number per bucket: the theoretical arrival
time (TAT) of the next request. A request at ``now`` is allowed when ``max(TAT, now) + T``
is no more than ``tolerance`` ahead of ``now``; it then moves the TAT on by ``T``. With
``T = window / limit`` and ``tolerance = burst * T`` a full bucket lets exactly ``burst``
requests through at once and then one every ``T``. Both limiters work in integer
microseconds so that they agree to the microsecond (Redis has no floats in its replies).
"""

from __future__ import annotations

import re
from typing import Annotated, Final, Protocol

import msgspec

POLICY_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
MICROS: Final = 1_000_000


class RateLimitPolicy(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A quota: so many requests per window, per client, with a burst tolerance."""

    name: str = ""
    """The policy's name, shown in the ``RateLimit-Policy`` and ``RateLimit`` headers and part of
    the Redis key. In ``RateLimitConfig.policies`` it may be left out: it is taken from the table key."""
    limit: Annotated[int, msgspec.Meta(ge=1)]
    """Requests allowed per window (the ``q`` of ``RateLimit-Policy``)."""
    window: Annotated[float, msgspec.Meta(gt=0)]
    """Length of the window in seconds (the ``w`` of ``RateLimit-Policy``, rounded up to whole seconds)."""
    burst: Annotated[int, msgspec.Meta(ge=1)] | None = None
    """How many requests may arrive at once on a full bucket (the GCRA tolerance); ``None``: ``limit``."""

    def __post_init__(self) -> None:
        # Decoding checks the bounds first (naming the field); these guard direct construction.
        if self.name and not POLICY_NAME.fullmatch(self.name):
            raise ValueError(f"policy name {self.name!r} must be letters, digits, '_', '.' or '-'")
        if self.limit < 1:
            raise ValueError(f"limit must be at least 1, got {self.limit}")
        if not self.window > 0:
            raise ValueError(f"window must be more than 0 seconds, got {self.window}")
        if self.burst is not None and self.burst < 1:
            raise ValueError(f"burst must be at least 1, got {self.burst}")

    @property
    def capacity(self) -> int:
        """Requests a full bucket lets through at once."""
        return self.limit if self.burst is None else self.burst

    @property
    def interval_us(self) -> int:
        """GCRA emission interval T: microseconds one request uses up."""
        return max(1, round(self.window * MICROS / self.limit))

    @property
    def tolerance_us(self) -> int:
        """GCRA tolerance: how far ahead of now the TAT may run, in microseconds."""
        return self.capacity * self.interval_us


class Decision(msgspec.Struct, frozen=True, gc=False):
    """What a check answers for one request."""

    allowed: bool
    """Whether the request may go on; if not, answer 429."""
    limit: Annotated[int, msgspec.Meta(ge=1)]
    """The policy's quota per window."""
    remaining: int
    """Requests that may still be made right now, after this one."""
    reset: float
    """Seconds until the full quota is available again (the ``t`` of the ``RateLimit`` header)."""
    retry_after: float
    """Seconds until the next request would be allowed; 0 when one would be allowed now."""
    degraded: bool = False
    """True when Redis could not be asked: the answer comes from the per-process fallback
    limiter (so limits are not shared between gateway processes), or is a fail-closed denial."""


class RateLimiter(Protocol):
    """Checks one request against a policy and counts it when allowed."""

    async def check(self, key: str, policy: RateLimitPolicy) -> Decision:
        """Decide for the request of ``key`` (usually the client id) under ``policy``."""
        ...


def decision_from_gcra(
    policy: RateLimitPolicy, allowed: int, remaining: int, reset_us: int, retry_us: int, degraded: bool
) -> Decision:
    """Turn the four integers both GCRA implementations compute into a Decision."""
    return Decision(bool(allowed), policy.limit, remaining, reset_us / MICROS, retry_us / MICROS, degraded)
