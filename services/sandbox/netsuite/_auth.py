"""NetSuite's OAuth 2.0 client-credentials grant with a signed client assertion (RFC 7523).

The integration signs a JWT with the private key whose certificate it uploaded to NetSuite;
the JWT header ``kid`` is that certificate's id. NetSuite accepts only PS* and ES* signatures.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any, Final

import msgspec
from joserfc import jws, jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import Key, KeySet

ALLOWED_ALGORITHMS: Final = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME: Final = 3600
CLOCK_SKEW: Final = 60
REQUIRED_SCOPE: Final = "rest_webservices"


class TokenError(Exception):
    """Answered as ``400 {"error": code, "error_description": description}``."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


class OAuthError(msgspec.Struct):
    error: str
    error_description: str


class AccessToken(msgspec.Struct):
    access_token: str
    expires_in: str
    """A string: NetSuite sends ``"3600"``, not a number."""
    token_type: str = "Bearer"


def _scopes(value: Any) -> set[str]:
    if isinstance(value, str):
        return set(value.replace(",", " ").split())
    if isinstance(value, list):
        return {s for s in value if isinstance(s, str)}
    return set()


class ClientAssertionVerifier:
    """Checks client assertions against the certificates (public JWKs) of the one integration."""

    def __init__(self, client_id: str, public_keys: str | None) -> None:
        self.client_id = client_id
        self.keys = KeySet.import_key_set(msgspec.json.decode(public_keys)) if public_keys else KeySet([])
        self._used: dict[str, float] = {}

    def forget_used(self) -> None:
        self._used.clear()

    def verify(self, form: dict[str, str], token_url: str) -> None:
        if form.get("grant_type") != "client_credentials":
            raise TokenError("unsupported_grant_type", "grant_type must be client_credentials")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise TokenError("invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}")
        assertion = form.get("client_assertion")
        if not assertion:
            raise TokenError("invalid_request", "client_assertion is missing")
        claims = self._verified_claims(assertion)
        now = time.time()
        if claims.get("iss") != self.client_id:
            raise TokenError("invalid_client", "iss is not the client id of an enabled integration")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if token_url not in audiences:
            raise TokenError("invalid_grant", f"aud must be {token_url}")
        if REQUIRED_SCOPE not in _scopes(claims.get("scope")):
            raise TokenError("invalid_grant", f"scope must contain {REQUIRED_SCOPE}")
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int | float) or not isinstance(exp, int | float):
            raise TokenError("invalid_grant", "iat and exp are required numeric claims")
        if iat > now + CLOCK_SKEW:
            raise TokenError("invalid_grant", "iat is in the future")
        if exp - iat > MAX_ASSERTION_LIFETIME:
            raise TokenError("invalid_grant", "exp must be at most 60 minutes after iat")
        if exp <= now:
            raise TokenError("invalid_grant", "the client assertion has expired")
        self._remember(claims, assertion, float(exp))

    def _verified_claims(self, assertion: str) -> dict[str, Any]:
        try:
            header = jws.extract_compact(assertion.encode()).headers()
        except (JoseError, ValueError) as exc:
            raise TokenError("invalid_client", f"client_assertion is not a JWT: {exc}") from None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise TokenError("invalid_client", f"signature algorithm {algorithm} is not supported")
        if not isinstance(kid, str) or not kid:
            raise TokenError("invalid_client", "kid (certificate id) is missing from the JWT header")
        try:
            key: Key = self.keys.get_by_kid(kid)
        except InvalidKeyIdError:
            raise TokenError("invalid_client", f"no certificate with id {kid}") from None
        try:
            token = jwt.decode(assertion, key, algorithms=ALLOWED_ALGORITHMS)
        except (JoseError, ValueError) as exc:
            raise TokenError("invalid_client", f"the signature does not verify: {exc}") from None
        return dict(token.claims)

    def _remember(self, claims: dict[str, Any], assertion: str, expires: float) -> None:
        """Each assertion is good for one token: by ``jti``, or by the whole JWT when there is none."""
        now = time.time()
        self._used = {k: v for k, v in self._used.items() if v > now}
        jti = claims.get("jti")
        marker = (
            f"jti:{jti}" if isinstance(jti, str) and jti else hashlib.sha256(assertion.encode()).hexdigest()
        )
        if marker in self._used:
            raise TokenError("invalid_grant", "the client assertion has already been used")
        self._used[marker] = expires
