"""Who is calling, and what the gateway tells the upstream and the caller about it."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Collection
from typing import Final

#: Headers carrying the verified caller to the upstream. The gateway removes incoming copies,
#: so an upstream may trust them.
CLIENT_ID_HEADER: Final = b"x-revgate-client-id"
SCOPES_HEADER: Final = b"x-revgate-scopes"
IDENTITY_HEADERS: Final = frozenset({CLIENT_ID_HEADER, SCOPES_HEADER})

# RFC 6749 appendix A: client_id is VSCHAR*, a scope token is NQCHAR+. Checked once per verified
# token so that a provider cannot smuggle CR/LF (or quotes) into headers the gateway writes.
_CLIENT_ID: Final = re.compile(r"[\x20-\x7e]+")
_SCOPE_TOKEN: Final = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


def valid_client_id(value: str) -> bool:
    """Whether ``value`` is a client identifier safe to pass on in a header."""
    return _CLIENT_ID.fullmatch(value) is not None


def valid_scope_token(value: str) -> bool:
    """Whether ``value`` is one scope token as RFC 6749 section 3.3 defines it."""
    return _SCOPE_TOKEN.fullmatch(value) is not None


@dataclasses.dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller of one request: an OAuth2 client, its subject and granted scopes.

    The identity headers for the upstream are built once, when the token is verified, because a
    cached principal serves many requests.
    """

    client_id: str
    """The OAuth2 client the token was issued to (``client_id`` claim)."""
    subject: str
    """The token's ``sub``: the client itself for the client-credentials grant."""
    scopes: frozenset[str]
    """The scopes granted (``scope`` claim)."""
    expires_at: float
    """When the token expires (``exp``), seconds since the epoch."""
    _headers: tuple[tuple[bytes, bytes], ...] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        headers = (
            (CLIENT_ID_HEADER, self.client_id.encode()),
            (SCOPES_HEADER, " ".join(sorted(self.scopes)).encode()),
        )
        object.__setattr__(self, "_headers", headers)


def has_scopes(principal: Principal, required: Collection[str]) -> bool:
    """Whether the caller was granted every scope in ``required`` (pass a frozenset for speed)."""
    return principal.scopes.issuperset(required)


def identity_headers(principal: Principal) -> list[tuple[bytes, bytes]]:
    """The headers that tell the upstream who is calling: client id and space-separated scopes.

    Made once per verified token rather than per request.
    """
    return list(principal._headers)


@functools.lru_cache(maxsize=512)
def www_authenticate(error: str | None, scope: str | None = None) -> bytes:
    """The RFC 6750 ``WWW-Authenticate`` value of a refusal (cached: routes have few distinct scopes).

    ``www_authenticate("invalid_token", None)`` gives ``Bearer error="invalid_token"``;
    ``www_authenticate("insufficient_scope", "customers:write")`` adds ``scope="customers:write"``;
    ``error=None`` gives a bare ``Bearer`` challenge (RFC 6750 section 3.1, no credentials sent).
    """
    params: list[str] = []
    if error is not None:
        if error not in ("invalid_request", "invalid_token", "insufficient_scope"):
            raise ValueError(f"not an RFC 6750 error code: {error!r}")
        params.append(f'error="{error}"')
    if scope is not None:
        if not all(valid_scope_token(token) for token in scope.split(" ")):
            raise ValueError(f"not a space-separated list of scope tokens: {scope!r}")
        params.append(f'scope="{scope}"')
    return ("Bearer " + ", ".join(params) if params else "Bearer").encode("ascii")
