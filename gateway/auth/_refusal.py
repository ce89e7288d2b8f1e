"""Why a request's token was refused."""

from __future__ import annotations

from typing import Final, Literal, get_args

InvalidTokenReason = Literal[
    "missing",
    "malformed",
    "bad_alg",
    "unknown_kid",
    "bad_signature",
    "expired",
    "not_yet_valid",
    "wrong_issuer",
    "wrong_audience",
    "bad_type",
    "jwks_unavailable",
]
#: Every reason, so that metrics can be registered with all their label values up front.
INVALID_TOKEN_REASONS: Final[tuple[InvalidTokenReason, ...]] = get_args(InvalidTokenReason)


class InvalidToken(Exception):
    """The request carries no acceptable access token; ``reason`` is a short label for metrics."""

    def __init__(self, reason: InvalidTokenReason) -> None:
        super().__init__(reason)
        self.reason: InvalidTokenReason = reason
