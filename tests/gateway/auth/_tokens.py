"""Test doubles for token verification: signing keys, a token maker, a counted JWKS endpoint, a clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any, Final

import httpx
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from gateway.auth import IdentityProviderConfig, TokenVerifier

ISSUER: Final = "https://idp.example.test"
AUDIENCE: Final = "revgate"
JWKS_URL: Final = "https://idp.example.test/keys"
NOW: Final = 1_750_000_000.0

# Generated once: RSA generation is slow, and every test may use the same provider keys.
RSA_KEY: Final = RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "use": "sig"})
EC_KEY: Final = ECKey.generate_key("P-256", parameters={"kid": "ec-1", "alg": "ES256", "use": "sig"})
ROTATED_KEY: Final = ECKey.generate_key("P-256", parameters={"kid": "ec-2", "alg": "ES256", "use": "sig"})
#: A key the provider never published.
STRANGER_KEY: Final = ECKey.generate_key("P-256", parameters={"kid": "ec-1", "alg": "ES256", "use": "sig"})


class Clock:
    """Wall-clock time that moves only when a test says so."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides: Any) -> dict[str, Any]:
    """RFC 9068 claims of a valid token at :data:`NOW`; an override of None removes the claim."""
    values: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "billing-app",
        "client_id": "billing-app",
        "scope": "customers:read customers:write",
        "iat": int(NOW),
        "exp": int(NOW) + 300,
        "jti": "token-1",
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def make_token(
    key: RSAKey | ECKey = EC_KEY,
    alg: str | None = None,
    header: dict[str, Any] | None = None,
    **overrides: Any,
) -> str:
    """A token signed by ``key``: typ at+jwt, the key's kid, and :func:`claims` with ``overrides``."""
    algorithm = alg or str(key.get("alg") or "RS256")
    protected: dict[str, Any] = {"alg": algorithm, "typ": "at+jwt", "kid": key.kid}
    protected.update(header or {})
    protected = {name: value for name, value in protected.items() if value is not None}
    return jwt.encode(protected, claims(**overrides), key, algorithms=[algorithm])


def unsigned_token(header: dict[str, Any], payload: dict[str, Any], secret: bytes | None = None) -> str:
    """A token put together by hand: HS256-signed with ``secret``, or with an empty signature."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = b"" if secret is None else hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def bearer(token: str) -> bytes:
    return b"Bearer " + token.encode()


class IdentityProviderDouble:
    """The provider's discovery document and JWKS over an httpx mock transport, counting fetches."""

    def __init__(self, keys: list[RSAKey | ECKey] | None = None) -> None:
        self.keys: list[RSAKey | ECKey] = [RSA_KEY, EC_KEY] if keys is None else keys
        self.jwks_fetches = 0
        self.discovery_fetches = 0
        self.failing = False
        self.discovered_issuer = ISSUER
        self.raw_keys: list[dict[str, Any]] = []
        """JWKs published as they are, beside :attr:`keys`."""
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        if request.url == JWKS_URL:
            self.jwks_fetches += 1
            if self.failing:
                return httpx.Response(503)
            return httpx.Response(
                200, json={"keys": [*self.raw_keys, *(key.as_dict(private=False) for key in self.keys)]}
            )
        if request.url == f"{ISSUER}/.well-known/openid-configuration":
            self.discovery_fetches += 1
            return httpx.Response(200, json={"issuer": self.discovered_issuer, "jwks_uri": JWKS_URL})
        return httpx.Response(404)


def make_verifier(
    provider: IdentityProviderDouble, clock: Clock, *, discover: bool = False, **settings: Any
) -> TokenVerifier:
    config = IdentityProviderConfig(
        issuer=ISSUER, audience=AUDIENCE, jwks_url=None if discover else JWKS_URL, **settings
    )
    return TokenVerifier(config, provider.transport, clock=clock)
