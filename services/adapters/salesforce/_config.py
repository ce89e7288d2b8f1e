"""How to reach one Salesforce org."""

from __future__ import annotations

import msgspec

from services.adapters._session import RetryPolicy


class SalesforceConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Connection settings of the Salesforce adapter (a connected app with the client-credentials flow)."""

    base_url: str
    """Login URL the token is asked from: the org's My Domain (``https://acme.my.salesforce.com``),
    ``https://login.salesforce.com``, or a sandbox's address. Data calls go to the token's
    ``instance_url`` instead, as Salesforce requires."""
    client_id: str
    """Consumer key of the connected app."""
    client_secret: str
    """Consumer secret of the connected app."""
    api_version: str = "v62.0"
    """REST API version in every data path (``/services/data/<version>/...``)."""
    retry: RetryPolicy = msgspec.field(default_factory=RetryPolicy)
    """Attempts, backoff and per-attempt timeout for transient failures."""
