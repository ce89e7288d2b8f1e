"""What every sandbox shares: tokens, fault injection, a request log, and the ``/__sandbox`` controls.

Controls (JSON, camelCase), on every sandbox:

- ``GET /__sandbox/faults`` / ``PUT /__sandbox/faults`` with :class:`Faults` — switch faults on or off;
- ``POST /__sandbox/tokens/expire`` — every issued token is refused from now on (as after expiry);
- ``POST /__sandbox/reset`` — faults off, tokens dropped, data back to the seed;
- ``GET /__sandbox/requests`` — the last requests received, with their correlation headers.
"""

from __future__ import annotations

import asyncio
import collections
import random
import secrets
import time
from collections.abc import Callable
from typing import Any, Final, Protocol

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from services.runtime.types import ASGIApp, Receive, Scope, Send

CONTROL_PREFIX: Final = "/__sandbox"
_LOGGED_HEADERS: Final = (
    b"x-correlation-id",
    b"traceparent",
    b"zuora-track-id",
    b"idempotency-key",
    b"content-type",
)


class Faults(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=False):
    """Faults a sandbox injects into every vendor API call (never into ``/__sandbox``)."""

    latency_ms: int = 0
    """Added to every answer, in milliseconds."""
    error_rate: float = 0.0
    """Share of calls, 0 to 1, answered with the vendor's internal server error."""
    throttle: bool = False
    """Answer every call with the vendor's throttling error."""
    throttle_retry_after: int = 1
    """Seconds sent in ``Retry-After`` while throttling."""
    outage: bool = False
    """Answer every call with 503, as during an outage."""
    fail_next: int = 0
    """Answer the next N calls with 503, then recover by itself (for retry tests)."""


class ReceivedRequest(msgspec.Struct, rename="camel"):
    method: str
    path: str
    status: int
    headers: dict[str, str]


class VendorFaultShapes(Protocol):
    """How one vendor answers when it is throttling, down or broken: ``(status, body, headers)``."""

    def throttled(self, retry_after: int) -> tuple[int, Any, dict[str, str]]: ...

    def unavailable(self) -> tuple[int, Any, dict[str, str]]: ...

    def server_error(self) -> tuple[int, Any, dict[str, str]]: ...


class IssuedTokens:
    """Bearer tokens a sandbox has handed out, each valid for ``ttl`` seconds."""

    def __init__(self, ttl: float, prefix: str = "") -> None:
        self.ttl = ttl
        self.prefix = prefix
        self._expiry: dict[str, float] = {}

    def issue(self) -> str:
        token = self.prefix + secrets.token_urlsafe(24)
        self._expiry[token] = time.monotonic() + self.ttl
        return token

    def valid(self, authorization: str | None) -> bool:
        if not authorization or not authorization.lower().startswith("bearer "):
            return False
        expires = self._expiry.get(authorization[7:].strip())
        return expires is not None and time.monotonic() < expires

    def expire_all(self) -> None:
        self._expiry.clear()


class SandboxControls:
    """The run-time state of one sandbox besides its vendor data."""

    def __init__(self, shapes: VendorFaultShapes, tokens: IssuedTokens, reseed: Callable[[], None]) -> None:
        self.shapes = shapes
        self.tokens = tokens
        self.faults = Faults()
        self.requests: collections.deque[ReceivedRequest] = collections.deque(maxlen=500)
        self._reseed = reseed

    def reset(self) -> None:
        self.faults = Faults()
        self.tokens.expire_all()
        self.requests.clear()
        self._reseed()

    def injected(self) -> tuple[int, Any, dict[str, str]] | None:
        """The fault answer for the next call, or None to let it through."""
        faults = self.faults
        if faults.outage:
            return self.shapes.unavailable()
        if faults.fail_next > 0:
            faults.fail_next -= 1
            return self.shapes.unavailable()
        if faults.throttle:
            return self.shapes.throttled(faults.throttle_retry_after)
        if faults.error_rate and random.random() < faults.error_rate:  # noqa: S311
            return self.shapes.server_error()
        return None


class SandboxFront:
    """ASGI wrapper in front of a vendor app: injects faults and logs what arrives."""

    def __init__(self, app: ASGIApp, controls: SandboxControls) -> None:
        self.app = app
        self.controls = controls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        headers = {k.decode(): v.decode("latin-1") for k, v in scope["headers"] if k in _LOGGED_HEADERS}
        entry = ReceivedRequest(method=scope["method"], path=scope["path"], status=0, headers=headers)
        self.controls.requests.append(entry)
        if self.controls.faults.latency_ms:
            await asyncio.sleep(self.controls.faults.latency_ms / 1000)
        fault = self.controls.injected()
        if fault is None:

            async def record_status(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    entry.status = message["status"]
                await send(message)

            await self.app(scope, receive, record_status)  # type: ignore[arg-type]
            return
        status, body, extra = fault
        entry.status = status
        content = msgspec.json.encode(body)
        raw_headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(content)).encode()),
        ]
        raw_headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": content})


class SandboxControlsController(Controller):
    """``/__sandbox``: the controls of the sandbox (see the module docstring)."""

    path = CONTROL_PREFIX
    include_in_schema = False

    @get("/faults")
    async def get_faults(self, sandbox: NamedDependency[SandboxControls]) -> Faults:
        return sandbox.faults

    @put("/faults")
    async def set_faults(self, sandbox: NamedDependency[SandboxControls], data: JSONBody[Faults]) -> Faults:
        sandbox.faults = data
        return data

    @post("/tokens/expire", status_code=204)
    async def expire_tokens(self, sandbox: NamedDependency[SandboxControls]) -> None:
        sandbox.tokens.expire_all()

    @post("/reset", status_code=204)
    async def reset(self, sandbox: NamedDependency[SandboxControls]) -> None:
        sandbox.reset()

    @get("/requests")
    async def received(self, sandbox: NamedDependency[SandboxControls]) -> list[ReceivedRequest]:
        return list(sandbox.requests)


class SandboxConfig(msgspec.Struct, frozen=True):
    """How a sandbox is set up; ``from_env`` reads ``REVGATE_SANDBOX_<FIELD>`` variables."""

    client_id: str = "revgate"
    """The one OAuth client the sandbox knows."""
    client_secret: str = "revgate-sandbox-secret"
    """Its secret (client-credentials grants of Salesforce and Zuora)."""
    client_public_keys: str | None = None
    """JWKS (JSON) of the keys allowed to sign client assertions (NetSuite's JWT grant)."""
    token_ttl: float = 3600.0
    """Seconds an issued access token stays valid."""
    callout_url: str | None = None
    """Zuora: where the Payment Declined callout goes from the start (and again after a reset)."""
    callout_username: str = ""
    """Zuora: the callout's HTTP Basic user name."""
    callout_password: str = ""
    """Zuora: the callout's HTTP Basic password."""

    @classmethod
    def from_env(cls, environ: dict[str, str]) -> SandboxConfig:
        prefix = "REVGATE_SANDBOX_"
        values = {k[len(prefix) :].lower(): v for k, v in environ.items() if k.startswith(prefix)}
        return msgspec.convert(values, cls, strict=False)
