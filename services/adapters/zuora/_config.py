"""How the Zuora adapter reaches its tenant."""

from __future__ import annotations

import msgspec

from services.adapters._session import RetryPolicy


class ZuoraConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Connection settings of one Zuora tenant (OAuth client-credentials)."""

    base_url: str
    """REST endpoint of the tenant, e.g. ``https://rest.test.zuora.com`` (or a sandbox's URL)."""
    client_id: str
    """Client ID of the OAuth client created for revgate in the Zuora UI."""
    client_secret: str
    """Its client secret."""
    retry: RetryPolicy = msgspec.field(default_factory=RetryPolicy)
    """Timeouts, attempts and backoff for transient failures (throttling, outages)."""
