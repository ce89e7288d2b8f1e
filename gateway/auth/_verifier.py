"""Checking OAuth2 bearer access tokens (RFC 9068 JWTs) on the request path, with a cache of verified ones."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final, Self

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import Key
from joserfc.jws import CompactSignature, JWSRegistry, extract_compact, validate_compact

from gateway.auth._claims import ClaimsCheck
from gateway.auth._config import IdentityProviderConfig
from gateway.auth._jwks import JwksKeys, key_fits
from gateway.auth._principal import Principal
from gateway.auth._refusal import InvalidToken

# RFC 9068 section 2.1; media type names compare case-insensitively (RFC 7515 section 4.1.9).
_ACCESS_TOKEN_TYPES: Final = frozenset({"at+jwt", "application/at+jwt"})
_BEARER: Final = b"Bearer "
# Far above any real access token; refuses absurd input before any decoding.
_MAX_TOKEN_BYTES: Final = 16_384


def _ascii(header: str) -> bytes:
    try:
        return header.encode("ascii")
    except UnicodeEncodeError:
        raise InvalidToken("malformed") from None


def bearer_token(authorization_header: bytes | str | None) -> bytes:
    """The token of an ``Authorization: Bearer`` header value (RFC 6750 section 2.1)."""
    if not authorization_header:
        raise InvalidToken("missing")
    if isinstance(authorization_header, str):
        authorization_header = _ascii(authorization_header)
    # The usual spelling first; the scheme name is case-insensitive (RFC 9110 section 11.1).
    if not (authorization_header.startswith(_BEARER) or authorization_header[:7].lower() == b"bearer "):
        raise InvalidToken("malformed")
    token = authorization_header[7:].strip(b" ")
    if not token:
        raise InvalidToken("malformed")
    return token


class TokenVerifier:
    """Verifies bearer tokens from one identity provider and remembers the verified ones until they expire.

    ``http`` is the client (or a transport for one) used to fetch the provider's keys; a client passed in
    is not closed by :meth:`aclose`. ``clock`` gives seconds since the epoch (injectable for tests).
    """

    def __init__(
        self,
        config: IdentityProviderConfig,
        http: httpx.AsyncClient | httpx.AsyncBaseTransport | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        if isinstance(http, httpx.AsyncClient):
            self._http, self._owns_http = http, False
        else:
            self._http, self._owns_http = httpx.AsyncClient(transport=http), True
        self._clock = clock
        self._leeway = config.leeway
        self._claims = ClaimsCheck(config, clock)
        self._algorithms = frozenset(config.algorithms)
        self._registry = JWSRegistry(algorithms=config.algorithms, strict_check_header=False)
        # Providers may add x5t and the like; joserfc's default of 512 bytes is tight.
        self._registry.max_header_length = 2048
        self.keys = JwksKeys(config, self._http, clock)
        self._cache: OrderedDict[bytes, Principal] = OrderedDict()
        """Verified principals by ``Authorization`` header value, least recently used first."""
        self._cache_size = config.token_cache_size
        # A withdrawn key must stop being honoured even for tokens verified with it before.
        self.keys.on_change = self._cache.clear

    @property
    def ready(self) -> bool:
        """Whether the provider's keys have been loaded."""
        return self.keys.loaded

    async def start(self) -> None:
        """Load the keys now (at start-up) rather than on the first request; on failure, keep trying in
        the background (once per ``jwks_refresh_cooldown``) until they are loaded."""
        await self.keys.refresh()
        self.keys.keep_loading()

    async def aclose(self) -> None:
        """Stop a background key refresh; close the HTTP client if the verifier made it."""
        self.keys.cancel()
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    def verify_cached(self, authorization_header: bytes | str | None) -> Principal | None:
        """The caller of an already verified token, without awaiting; None when the token is not cached.

        Raises :class:`InvalidToken` for a cached token that has since expired.
        """
        if isinstance(authorization_header, str):
            authorization_header = _ascii(authorization_header)
        return None if authorization_header is None else self._cached(authorization_header)

    async def verify(self, authorization_header: bytes | str | None) -> Principal:
        """The caller proven by an ``Authorization`` header value, or :class:`InvalidToken`."""
        if isinstance(authorization_header, str):
            authorization_header = _ascii(authorization_header)
        elif authorization_header is None:
            raise InvalidToken("missing")
        principal = self._cached(authorization_header)
        if principal is not None:
            return principal
        principal = await self._verify(bearer_token(authorization_header))
        if self._cache_size:
            self._cache[authorization_header] = principal
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return principal

    def _cached(self, authorization_header: bytes) -> Principal | None:
        # Keyed by the whole header value, which holds the whole token (signature included): one hash
        # and one lookup per request, with no parsing. A token differing in any byte is a miss.
        principal = self._cache.get(authorization_header)
        if principal is None:
            return None
        if self._clock() >= principal.expires_at + self._leeway:
            del self._cache[authorization_header]
            raise InvalidToken("expired")
        self._cache.move_to_end(authorization_header)
        return principal

    async def _verify(self, token: bytes) -> Principal:
        if len(token) > _MAX_TOKEN_BYTES:
            raise InvalidToken("malformed")
        try:
            signed = extract_compact(token, registry=self._registry)
        except (JoseError, ValueError, TypeError):
            raise InvalidToken("malformed") from None
        header = signed.headers()
        algorithm = header.get("alg")
        # Checked before any key is looked up: "none", HS256 made with the public key as secret, and
        # anything else off the allow-list never reach a verifier.
        if not isinstance(algorithm, str) or algorithm not in self._algorithms:
            raise InvalidToken("bad_alg")
        typ = header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in _ACCESS_TOKEN_TYPES:
            raise InvalidToken("bad_type")
        if "crit" in header or "b64" in header:
            # No access-token profile needs them; refusing is simpler than honouring RFC 7797.
            raise InvalidToken("malformed")
        key = await self._key_for(header.get("kid"), algorithm)
        if not self._signature_valid(signed, key):
            raise InvalidToken("bad_signature")
        return self._claims.principal(signed.payload)

    async def _key_for(self, kid: object, algorithm: str) -> Key:
        if kid is not None and not isinstance(kid, str):
            raise InvalidToken("malformed")
        keys = self.keys
        if keys.stale:
            if keys.loaded:
                keys.refresh_soon()
            else:
                await keys.refresh()
        key = self._lookup(kid, algorithm)
        # An unknown kid may be a key the provider has just rotated in: refresh once (the cooldown
        # keeps a stream of garbage kids from turning into a stream of fetches), then refuse.
        if key is None and await keys.refresh(unknown_kid=True):
            key = self._lookup(kid, algorithm)
        if key is None:
            raise InvalidToken("unknown_kid" if keys.loaded else "jwks_unavailable")
        if not key_fits(key, algorithm):
            raise InvalidToken("bad_alg")
        return key

    def _lookup(self, kid: str | None, algorithm: str) -> Key | None:
        if kid is not None:
            return self.keys.by_kid.get(kid)
        # A token without kid is accepted only when exactly one published key can have signed it.
        published = (*self.keys.anonymous, *self.keys.by_kid.values())
        fitting = [key for key in published if key_fits(key, algorithm)]
        return fitting[0] if len(fitting) == 1 else None

    def _signature_valid(self, signed: CompactSignature, key: Key) -> bool:
        try:
            return validate_compact(signed, key, registry=self._registry)
        except (JoseError, ValueError, TypeError):
            return False
