"""The identity provider's signing keys: fetched from its JWKS, kept, refreshed sparingly."""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx
import msgspec
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, Key, OKPKey, RSAKey

from gateway.auth._config import SUPPORTED_ALGORITHMS, IdentityProviderConfig

_T = TypeVar("_T")

_KEY_CLASSES: dict[str, type[RSAKey] | type[ECKey] | type[OKPKey]] = {
    "RSA": RSAKey,
    "EC": ECKey,
    "OKP": OKPKey,
}
# RFC 7518 section 3.3: RSA signing keys must have at least 2048 bits.
_MIN_RSA_BITS = 2048
# Seconds between background attempts to load the keys at all, when the cooldown is set to zero.
_MIN_LOAD_RETRY = 0.1


class JwksUnavailable(Exception):
    """The keys could not be fetched (network, status, or not a JWKS)."""


class _Discovery(msgspec.Struct):
    issuer: str
    jwks_uri: str


class _JwkSet(msgspec.Struct):
    keys: list[dict[str, Any]]


def key_fits(key: Key, algorithm: str) -> bool:
    """Whether ``key`` may verify ``algorithm``: the right type and curve, and not meant for another."""
    kty, crv = SUPPORTED_ALGORITHMS[algorithm]
    if key.key_type != kty or (crv is not None and key.get("crv") != crv):
        return False
    designed = key.get("alg")
    return designed is None or designed == algorithm


def _modulus_bits(document: dict[str, Any]) -> int:
    encoded = str(document.get("n", ""))
    return int.from_bytes(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)), "big").bit_length()


def _import_keys(documents: list[dict[str, Any]]) -> tuple[dict[str, Key], list[Key]]:
    """Signature keys by ``kid``, and those without one. Keys that are unusable are left out rather
    than failing the set: one odd key must not lock every client out."""
    by_kid: dict[str, Key] = {}
    anonymous: list[Key] = []
    for document in documents:
        key_class = _KEY_CLASSES.get(str(document.get("kty")))
        if key_class is None or document.get("use", "sig") != "sig" or document.get("d") is not None:
            continue
        ops = document.get("key_ops")
        if ops is not None and "verify" not in ops:
            continue
        try:
            # Checked before importing, which would only warn about it.
            if key_class is RSAKey and _modulus_bits(document) < _MIN_RSA_BITS:
                continue
            key: Key = key_class.import_key(document)
        except (JoseError, ValueError, TypeError, binascii.Error):
            continue
        kid = document.get("kid")
        if isinstance(kid, str):
            by_kid.setdefault(kid, key)
        else:
            anonymous.append(key)
    return by_kid, anonymous


class JwksKeys:
    """The provider's public keys, with refreshes bounded by a cooldown and shared by concurrent callers.

    Refreshes for unknown ``kid``s and retries after a failed fetch are at most one per
    ``jwks_refresh_cooldown``, so neither garbage ``kid``s nor a failing provider cause a stream of
    fetches. Concurrent callers wanting a refresh wait for the same fetch.
    """

    def __init__(
        self, config: IdentityProviderConfig, http: httpx.AsyncClient, clock: Callable[[], float] = time.time
    ) -> None:
        self._config = config
        self._http = http
        self._clock = clock
        self._jwks_url = config.jwks_url
        self.by_kid: Mapping[str, Key] = {}
        self.anonymous: tuple[Key, ...] = ()
        self.loaded = False
        self.fetches = 0
        """How many fetches were attempted (for metrics and tests)."""
        self._fetched_at = float("-inf")
        self._cooldown_started_at = float("-inf")
        self._in_flight: asyncio.Future[bool] | None = None
        self._background: asyncio.Task[bool] | None = None
        self._loading: asyncio.Task[None] | None = None
        self.on_change: Callable[[], None] | None = None
        """Called when a key the provider published before is gone (cached tokens must go too)."""

    @property
    def stale(self) -> bool:
        """Whether the keys are older than ``jwks_max_age`` (or were never loaded)."""
        return self._clock() - self._fetched_at > self._config.jwks_max_age

    async def refresh(self, *, unknown_kid: bool = False) -> bool:
        """Fetch the keys unless the cooldown forbids it; True when a fetch ran (now or in flight).

        The cooldown starts with a refresh for an unknown kid and with a failed fetch, not with a
        successful routine load: the first unknown kid after start-up is still looked for.
        """
        if self._in_flight is not None:
            await asyncio.shield(self._in_flight)
            return True
        if self._clock() - self._cooldown_started_at < self._config.jwks_refresh_cooldown:
            return False
        if unknown_kid:
            self._cooldown_started_at = self._clock()
        in_flight = self._in_flight = asyncio.get_running_loop().create_future()
        try:
            await self._fetch()
        except JwksUnavailable:
            # Keep the keys we have: a provider outage must not reject tokens we could still check.
            self._cooldown_started_at = self._clock()
        finally:
            # Also on cancellation or an unexpected error: nobody may wait forever.
            if not in_flight.done():
                in_flight.set_result(True)
            self._in_flight = None
        return True

    def refresh_soon(self) -> None:
        """Refresh in the background (keys past their max age): the request that noticed goes on with
        the keys at hand instead of waiting for the provider."""
        if self._background is None and self._in_flight is None:
            self._background = asyncio.get_running_loop().create_task(self.refresh())
            self._background.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Task[bool]) -> None:
        self._background = None

    async def settle(self) -> None:
        """Wait for a background refresh, if one is running."""
        if self._background is not None:
            await asyncio.shield(self._background)

    def cancel(self) -> None:
        """Stop a background refresh and a background first load (at shutdown)."""
        if self._background is not None:
            self._background.cancel()
        if self._loading is not None:
            self._loading.cancel()

    def keep_loading(self) -> None:
        """Until the keys are loaded, try again in the background, once per cooldown.

        A gateway that started while its provider was away must become ready by itself: a
        readiness probe keeps traffic away from it, so no request would ever ask for the keys.
        """
        if not self.loaded and self._loading is None:
            self._loading = asyncio.get_running_loop().create_task(self._load_until_loaded())

    async def _load_until_loaded(self) -> None:
        try:
            while not self.loaded:
                await asyncio.sleep(max(self._config.jwks_refresh_cooldown, _MIN_LOAD_RETRY))
                await self.refresh()
        finally:
            self._loading = None

    async def _fetch(self) -> None:
        self.fetches += 1
        try:
            if self._jwks_url is None:
                discovery = await self._get(self._config.discovery_url, _Discovery)
                if discovery.issuer != self._config.issuer:
                    # OpenID Connect Discovery 1.0 section 4.3: the document must be the issuer's own.
                    raise JwksUnavailable(f"discovery names issuer {discovery.issuer!r}")
                self._jwks_url = discovery.jwks_uri
            jwks = await self._get(self._jwks_url, _JwkSet)
        except (httpx.HTTPError, httpx.InvalidURL, msgspec.ValidationError, msgspec.DecodeError) as error:
            raise JwksUnavailable(str(error)) from error
        by_kid, anonymous = _import_keys(jwks.keys)
        withdrawn = self.loaded and not set(self.by_kid) <= set(by_kid)
        self.by_kid, self.anonymous = by_kid, tuple(anonymous)
        self.loaded = True
        self._fetched_at = self._clock()
        if withdrawn and self.on_change is not None:
            self.on_change()

    async def _get(self, url: str, shape: type[_T]) -> _T:
        response = await self._http.get(
            url, timeout=self._config.jwks_timeout, headers={"accept": "application/json"}
        )
        if response.status_code != 200:
            raise JwksUnavailable(f"{url} answered {response.status_code}")
        return msgspec.json.decode(response.content, type=shape)
