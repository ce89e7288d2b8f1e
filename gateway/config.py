"""The gateway's configuration: one TOML file, parsed with msgspec into the Structs below.

A bad file is refused at start (and on SIGHUP, while the old configuration keeps serving)
with a :class:`ConfigError` naming the file, the field and the problem. An example with every
section: ``deploy/gateway.example.toml``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import msgspec

from gateway.auth import IdentityProviderConfig
from gateway.idp import DevIdentityProviderConfig
from gateway.ratelimit import RateLimitConfig

PACKAGED_CONTRACTS = Path(__file__).resolve().parent.parent / "contracts" / "openapi"


class ConfigError(Exception):
    """The configuration or a contract document cannot be used; the message says where and why."""


class ServerConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    host: str = "127.0.0.1"
    """Interface the public listener binds."""
    port: int = 8080
    """Port of the public listener."""
    admin_host: str = "127.0.0.1"
    """Interface of the admin listener (metrics, health); keep it private."""
    admin_port: int = 9090
    """Port of the admin listener."""
    max_body_bytes: int = 1_048_576
    """Largest request body accepted; a larger one is refused with 413 without reading further."""
    max_header_bytes: int = 16_384
    """Largest request line and headers together; a larger head is refused with 431."""
    keep_alive_timeout: float = 75.0
    """Seconds an idle keep-alive connection of a caller stays open."""
    request_read_timeout: float = 30.0
    """Seconds a request may take to arrive, head and body, once it has begun; then it is dropped."""
    contracts_dir: str | None = None
    """Folder of the OpenAPI documents (``<capability>.v<major>.json``); by default the packaged ones."""
    access_log: bool = True
    """One JSON line per request on standard output."""
    token_url: str | None = None
    """Token endpoint advertised in ``/openapi.json``; by default the identity provider's issuer
    followed by ``/oauth2/token`` (the dev identity provider's endpoint)."""


class Upstream(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Where one major version of one capability is served, and how hard to try."""

    capability: str
    """Capability name, as in the public path and the document's file name (``customer-master``)."""
    major: int
    """Major version this upstream serves (its paths start with ``/v{major}``)."""
    url: str
    """Base URL of the service, e.g. ``http://127.0.0.1:8201``."""
    connect_timeout: float = 1.0
    """Seconds to open a connection."""
    read_timeout: float = 10.0
    """Seconds to wait for the answer once the request is sent."""
    total_timeout: float = 15.0
    """Seconds for the whole exchange, retries included; past it the caller gets 504."""
    retries: int = 2
    """Extra attempts for idempotent methods after a connection failure or a 502/503/504."""
    pool_size: int = 100
    """Keep-alive connections kept open to this upstream."""
    breaker_failures: int = 5
    """Consecutive failures that open the circuit."""
    breaker_reset: float = 10.0
    """Seconds the circuit stays open before one probe request is let through."""
    deprecated_at: dt.datetime | None = None
    """From this instant answers carry ``Deprecation`` and a ``Link`` to the successor."""
    sunset_at: dt.datetime | None = None
    """From this instant the major answers 410; before it, answers carry ``Sunset``."""


class GatewayConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    identity: IdentityProviderConfig
    """The OIDC provider whose access tokens the gateway accepts."""
    upstreams: list[Upstream]
    """One entry per capability and major version."""
    rate_limit: RateLimitConfig
    """Rate-limit policies and where they are kept."""
    server: ServerConfig = ServerConfig()
    """Listeners and limits."""
    dev_identity_provider: DevIdentityProviderConfig | None = None
    """The built-in identity provider of the embedded default; leave out in production."""

    def contracts_path(self) -> Path:
        return Path(self.server.contracts_dir) if self.server.contracts_dir else PACKAGED_CONTRACTS


def load_config(path: str | Path) -> GatewayConfig:
    """Read and check a config file; raise :class:`ConfigError` naming the file and field on any problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from error
    try:
        config = msgspec.toml.decode(raw, type=GatewayConfig)
    except msgspec.ValidationError as error:
        raise ConfigError(f"{path}: {_where(str(error))}") from error
    except msgspec.DecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    problems = list(_check(config))
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))
    return config


def _where(message: str) -> str:
    """msgspec says "Expected `int`, got `str` - at `$.upstreams[0].major`": lead with the field."""
    text, sep, location = message.rpartition(" - at ")
    return f"{location.strip('`')}: {text}" if sep else message


def _check(config: GatewayConfig) -> list[str]:
    problems = []
    seen: set[tuple[str, int]] = set()
    contracts = config.contracts_path()
    if not contracts.is_dir():
        problems.append(f"$.server.contracts_dir: {contracts} is not a folder of OpenAPI documents")
    for i, upstream in enumerate(config.upstreams):
        where = f"$.upstreams[{i}]"
        key = (upstream.capability, upstream.major)
        if key in seen:
            problems.append(f"{where}: a second upstream for {upstream.capability} v{upstream.major}")
        seen.add(key)
        url = urlsplit(upstream.url)
        if url.scheme not in ("http", "https") or not url.hostname:
            problems.append(f"{where}.url: {upstream.url!r} is not an http(s) URL")
        if upstream.major < 1:
            problems.append(f"{where}.major: must be 1 or more")
        elif contracts.is_dir():
            document = f"{upstream.capability}.v{upstream.major}.json"
            if not (contracts / document).is_file():
                # Routes, scopes and schemas come from the document: an upstream without one serves nothing.
                problems.append(f"{where}: no document {document} in {contracts}")
        deprecated, sunset = upstream.deprecated_at, upstream.sunset_at
        for name, value in (("deprecated_at", deprecated), ("sunset_at", sunset)):
            if value is not None and value.tzinfo is None:
                problems.append(f"{where}.{name}: give a time zone (e.g. 2027-01-31T00:00:00Z)")
        if deprecated and sunset and deprecated.tzinfo and sunset.tzinfo and sunset < deprecated:
            problems.append(f"{where}.sunset_at: before deprecated_at")
    server = config.server
    for name in ("max_body_bytes", "max_header_bytes", "keep_alive_timeout", "request_read_timeout"):
        if getattr(server, name) <= 0:
            problems.append(f"$.server.{name}: must be more than 0")
    limits = config.rate_limit
    if limits.default_policy not in limits.policies:
        problems.append(f"$.rate_limit.default_policy: no policy named {limits.default_policy!r}")
    for section in ("routes", "clients"):
        for key, name in getattr(limits, section).items():
            if name not in limits.policies:
                problems.append(f"$.rate_limit.{section}.{key}: no policy named {name!r}")
    return problems
