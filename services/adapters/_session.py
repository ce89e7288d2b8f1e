"""The client policy every adapter shares: OAuth tokens, timeouts, retries, correlation.

It sits above an ``httpx.AsyncClient`` (so tests can hand it any transport) and below
the adapters, which keep only their vendor's paths, shapes and error translation.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, Protocol

import httpx
import msgspec

from services.adapters.errors import Throttled, Unavailable, VendorError
from services.runtime.correlation import correlation_id, traceparent

log = logging.getLogger("revgate.adapters")

IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

#: Answers a vendor's response with the error it means, or None when it is a success.
ErrorTranslator = Callable[[httpx.Response], VendorError | None]


class RetryPolicy(msgspec.Struct, frozen=True):
    """How hard an adapter tries before it gives up on a transient failure."""

    attempts: int = 4
    """Tries in all, the first included."""
    base_delay: float = 0.2
    """Seconds before the first retry; doubled each time, with full jitter."""
    max_delay: float = 5.0
    """Upper bound of one backoff wait, in seconds."""
    max_retry_after: float = 30.0
    """A vendor's ``Retry-After`` longer than this is not waited for: we give up at once."""
    timeout: float = 10.0
    """Seconds for one attempt (connect, write, read each), before it counts as unavailable."""

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the given retry (1 for the first)."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))  # noqa: S311


class TokenSource(Protocol):
    """Hands out a bearer token, fetching and caching it; forgets it when the vendor refuses it."""

    async def token(self, session: VendorSession) -> str: ...

    def invalidate(self, token: str) -> None: ...


class CachedToken:
    """A token source over any OAuth token request: single-flight fetch, reuse until shortly before expiry.

    ``fetch`` performs the vendor's own token request (with :meth:`VendorSession.post_form`, so it
    is retried like any call) and answers ``(access_token, expires_in)``, ``expires_in`` None when
    the vendor does not say (Salesforce): then the token lives until the vendor refuses it with 401.
    """

    def __init__(self, fetch: Callable[[VendorSession], Awaitable[tuple[str, float | None]]]) -> None:
        self._fetch = fetch
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self, session: VendorSession) -> str:
        if self._token is not None and time.monotonic() < self._expires_at:
            return self._token
        async with self._lock:
            if self._token is None or time.monotonic() >= self._expires_at:
                token, expires_in = await self._fetch(session)
                # Renew a little early so that a token never expires between check and use.
                lifetime = float("inf") if expires_in is None else max(expires_in * 0.9, expires_in - 60)
                self._token, self._expires_at = token, time.monotonic() + lifetime
            return self._token

    def invalidate(self, token: str) -> None:
        if self._token == token:
            self._token = None


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds, from either of its two forms (RFC 9110 §10.2.3)."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class VendorSession:
    """Sends requests to one vendor with its token, retrying what is safe to retry."""

    def __init__(
        self,
        *,
        system: str,
        client: httpx.AsyncClient,
        tokens: TokenSource,
        translate: ErrorTranslator,
        retry: RetryPolicy,
        correlation_header: str = "X-Correlation-ID",
    ) -> None:
        self.system = system
        self.client = client
        self.tokens = tokens
        self.translate = translate
        self.retry = retry
        self.correlation_header = correlation_header

    async def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send, and answer the successful response; raise the translated error otherwise.

        ``idempotent`` says whether a request that may have reached the vendor can be sent
        again (by default: by its method). Throttling and refused connections are retried
        whatever the method, because the vendor did not act on them.
        """
        safe_to_resend = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        content = msgspec.json.encode(json) if json is not None else None
        refreshed = False

        async def send() -> httpx.Response:
            nonlocal refreshed
            token = await self.tokens.token(self)
            response = await self.client.request(
                method, url, content=content, params=params, headers=self._headers(token, headers, content)
            )
            if response.status_code == 401 and not refreshed:
                # Expired or revoked token: fetch a new one once, without spending an attempt.
                refreshed = True
                self.tokens.invalidate(token)
                return await send()
            return response

        return await self._retrying(send, safe_to_resend, f"{method} {url}")

    async def post_form(
        self,
        url: str,
        form: Mapping[str, str] | Callable[[], Mapping[str, str]],
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """A form POST without a bearer token — the OAuth token request — retried like any call.

        Safe to send again: a second token is harmless. ``form`` may be a function, called for
        every attempt (NetSuite takes each signed client assertion once).
        """

        async def send() -> httpx.Response:
            data = dict(form() if callable(form) else form)
            return await self.client.post(url, data=data, headers=self._headers(None, headers, None))

        return await self._retrying(send, True, f"POST {url}")

    async def _retrying(
        self, send: Callable[[], Awaitable[httpx.Response]], safe_to_resend: bool, what: str
    ) -> httpx.Response:
        """The successful response of ``send``, retrying what the policy allows; else the translated error."""
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await send()
            except httpx.TransportError as exc:
                error: VendorError = Unavailable(self.system, f"{type(exc).__name__} calling {what}")
                retryable = safe_to_resend or isinstance(exc, httpx.ConnectError)
                delay: float | None = self.retry.backoff(attempt)
            else:
                translated = self.translate(response)
                if translated is None:
                    return response
                error = translated
                retryable = isinstance(error, Throttled) or (
                    isinstance(error, Unavailable) and safe_to_resend
                )
                delay = self._delay(error, attempt)
            if not retryable or attempt >= self.retry.attempts or delay is None:
                raise error
            log.warning(
                "%s %s failed (%s); retry %d in %.2fs", self.system, what, error.message, attempt, delay
            )
            await asyncio.sleep(delay)

    def _delay(self, error: VendorError, attempt: int) -> float | None:
        """Seconds to wait before the next attempt; None when the vendor asks for more than we wait."""
        asked = error.retry_after if isinstance(error, Throttled) else None
        if asked is None:
            return self.retry.backoff(attempt)
        return asked if asked <= self.retry.max_retry_after else None

    def _headers(
        self, token: str | None, extra: Mapping[str, str] | None, content: bytes | None
    ) -> dict[str, str]:
        headers = {"Accept": "application/json", self.correlation_header: correlation_id.get()}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if (parent := traceparent.get()) is not None:
            headers["traceparent"] = parent
        if content is not None:
            headers["Content-Type"] = "application/json"
        if extra:
            headers.update(extra)
        return headers


def new_http_client(
    base_url: str, retry: RetryPolicy, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The pooled client one adapter keeps for its vendor."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(retry.timeout),
        transport=transport,
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
    )
