"""The RFC 9068 claims of an access token, checked against the provider settings and the clock."""

from __future__ import annotations

import time
from collections.abc import Callable

import msgspec

from gateway.auth._config import IdentityProviderConfig
from gateway.auth._principal import Principal, valid_client_id, valid_scope_token
from gateway.auth._refusal import InvalidToken


class _Claims(msgspec.Struct):
    """The RFC 9068 claims; all optional here so that a missing one is refused with a reason."""

    iss: str | None = None
    aud: str | list[str] | None = None
    exp: int | float | None = None
    nbf: int | float | None = None
    iat: int | float | None = None
    sub: str | None = None
    client_id: str | None = None
    scope: str | None = None
    jti: str | None = None


_decode_claims = msgspec.json.Decoder(_Claims).decode


class ClaimsCheck:
    """Issuer, audience, validity period (with leeway) and the claims a principal is made of."""

    def __init__(self, config: IdentityProviderConfig, clock: Callable[[], float] = time.time) -> None:
        self._issuer = config.issuer
        self._audience = config.audience
        self._leeway = config.leeway
        self._clock = clock

    def principal(self, payload: bytes) -> Principal:
        """The caller named by a signed payload whose claims hold now, or :class:`InvalidToken`."""
        try:
            claims = _decode_claims(payload)
        except msgspec.DecodeError:
            raise InvalidToken("malformed") from None
        if claims.iss != self._issuer:
            raise InvalidToken("wrong_issuer")
        audience = claims.aud
        if audience is None or (
            audience != self._audience if isinstance(audience, str) else self._audience not in audience
        ):
            raise InvalidToken("wrong_audience")
        exp, iat = claims.exp, claims.iat
        if exp is None or iat is None:
            raise InvalidToken("malformed")
        now = self._clock()
        if now >= exp + self._leeway:
            raise InvalidToken("expired")
        if now + self._leeway < iat or (claims.nbf is not None and now + self._leeway < claims.nbf):
            raise InvalidToken("not_yet_valid")
        client_id, subject = claims.client_id, claims.sub
        if client_id is None or subject is None or claims.jti is None or not valid_client_id(client_id):
            raise InvalidToken("malformed")
        scopes = frozenset(token for token in (claims.scope or "").split(" ") if token)
        if not all(valid_scope_token(token) for token in scopes):
            raise InvalidToken("malformed")
        return Principal(client_id=client_id, subject=subject, scopes=scopes, expires_at=float(exp))
