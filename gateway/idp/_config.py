"""Settings of the built-in dev identity provider: who may ask for tokens, and what they look like."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import msgspec

from gateway.idp._secrets import check_secret_hash

_VSCHAR = frozenset(chr(c) for c in range(0x20, 0x7F))
_NQCHAR = _VSCHAR - {" ", '"', "\\"}


class DevClient(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One OAuth2 client allowed to use the client-credentials grant."""

    client_id: str
    """The client's name, sent as ``client_id`` and passed upstream as the caller."""
    secret_hash: str
    """The client secret, hashed with ``revgate`` 's ``hash_secret`` (``scrypt$n$r$p$salt$hash``)."""
    scopes: tuple[str, ...] = ()
    """Every scope the client may be granted, e.g. ``customers:read``."""
    description: str = ""
    """Who the client is, for the people reading the config."""

    def __post_init__(self) -> None:
        if not self.client_id or not set(self.client_id) <= _VSCHAR or ":" in self.client_id:
            # RFC 6749 appendix A.1 (VSCHAR); no colon, so that the id survives HTTP Basic unencoded.
            raise ValueError(f"client_id {self.client_id!r} must be printable ASCII without ':'")
        try:
            check_secret_hash(self.secret_hash)
        except ValueError as error:
            raise ValueError(f"secret_hash of client {self.client_id!r}: {error}") from None
        for scope in self.scopes:
            if not scope or not set(scope) <= _NQCHAR:
                raise ValueError(f"scopes of client {self.client_id!r}: {scope!r} is not a scope token")


class DevIdentityProviderConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The built-in identity provider of the embedded stack (not for production)."""

    issuer: str
    """Its issuer identifier and base URL, e.g. ``http://127.0.0.1:8090``; tokens carry it as ``iss``."""
    audience: str = "revgate"
    """The ``aud`` of the tokens it issues: the gateway's audience."""
    token_ttl: int = 900
    """Seconds an access token is valid."""
    state_dir: str = ".revgate"
    """Directory where its signing keys are generated on first run and kept (file mode 0600)."""
    signing_algorithm: Literal["ES256", "RS256"] = "ES256"
    """Algorithm of newly generated signing keys."""
    clients: tuple[DevClient, ...] = ()
    """The clients that may ask for tokens."""

    def __post_init__(self) -> None:
        if not self.issuer.startswith(("http://", "https://")):
            raise ValueError(f"issuer {self.issuer!r} must be an http(s) URL")
        if not self.audience:
            raise ValueError("audience must not be empty")
        if self.token_ttl <= 0:
            raise ValueError("token_ttl must be positive")
        seen: set[str] = set()
        for client in self.clients:
            if client.client_id in seen:
                raise ValueError(f"clients: {client.client_id!r} is configured twice")
            seen.add(client.client_id)

    @property
    def base_url(self) -> str:
        return self.issuer.rstrip("/")

    @property
    def token_endpoint(self) -> str:
        return self.base_url + "/oauth2/token"

    @property
    def jwks_uri(self) -> str:
        return self.base_url + "/.well-known/jwks.json"

    @property
    def keys_path(self) -> Path:
        """The file holding the signing keys (private JWKS)."""
        return Path(self.state_dir) / "identity-provider-keys.json"

    def client(self, client_id: str) -> DevClient | None:
        """The configured client of that id."""
        for client in self.clients:
            if client.client_id == client_id:
                return client
        return None
