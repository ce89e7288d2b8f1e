"""Issuing RFC 9068 access tokens, for the token endpoint and for ``revgate token``."""

from __future__ import annotations

import secrets
import sys
import time
from collections.abc import Callable, Iterable
from typing import TextIO

from joserfc import jwt

from gateway.idp._config import DevClient, DevIdentityProviderConfig
from gateway.idp._keys import SigningKeys


class TokenRefused(ValueError):
    """A token cannot be issued; ``error`` is the RFC 6749 section 5.2 error code."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def granted_scopes(client: DevClient, requested: str | None) -> tuple[str, ...]:
    """The scopes to grant: all the client's when none are asked for, else exactly those asked for
    (RFC 6749 section 3.3), refused with ``invalid_scope`` when the client may not have one of them."""
    if requested is None or not requested.strip(" "):
        return client.scopes
    asked = tuple(dict.fromkeys(scope for scope in requested.split(" ") if scope))
    missing = [scope for scope in asked if scope not in client.scopes]
    if missing:
        raise TokenRefused("invalid_scope", f"scope not allowed for this client: {' '.join(missing)}")
    return asked


def issue_access_token(
    config: DevIdentityProviderConfig,
    keys: SigningKeys,
    client: DevClient,
    scopes: Iterable[str],
    now: float,
) -> str:
    """A signed access token (RFC 9068: ``typ`` at+jwt) for ``client`` with ``scopes``."""
    key = keys.active
    issued_at = int(now)
    algorithm = str(key.get("alg") or keys.algorithm)
    header = {"alg": algorithm, "typ": "at+jwt", "kid": key.kid}
    claims = {
        "iss": config.issuer,
        "aud": config.audience,
        "sub": client.client_id,
        "client_id": client.client_id,
        "scope": " ".join(scopes),
        "iat": issued_at,
        "exp": issued_at + config.token_ttl,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(header, claims, key, algorithms=[algorithm])


def mint_token(
    config: DevIdentityProviderConfig,
    client_id: str,
    scopes: Iterable[str] | None = None,
    *,
    clock: Callable[[], float] = time.time,
) -> str:
    """A token for a configured client, signed with the keys in ``config.state_dir`` (made if absent).

    No secret is needed: whoever can read the signing keys can sign anyway. ``scopes`` narrows the
    client's scopes; raises :class:`TokenRefused` for an unknown client or a scope it lacks.
    """
    client = config.client(client_id)
    if client is None:
        raise TokenRefused("invalid_client", f"no client {client_id!r} in the configuration")
    granted = granted_scopes(client, None if scopes is None else " ".join(scopes))
    return issue_access_token(config, SigningKeys.load_or_create(config), client, granted, clock())


def print_token(
    config: DevIdentityProviderConfig,
    client_id: str,
    scopes: Iterable[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """``revgate token --client NAME``: print a token on stdout; 0, or 2 with a message on stderr."""
    try:
        token = mint_token(config, client_id, scopes)
    except (TokenRefused, ValueError) as error:
        print(f"revgate token: {error}", file=err or sys.stderr)
        return 2
    print(token, file=out or sys.stdout)
    return 0
