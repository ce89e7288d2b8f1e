"""How the NetSuite adapter reaches one NetSuite account."""

from __future__ import annotations

import msgspec

from services.adapters._session import RetryPolicy


class NetSuiteConfig(msgspec.Struct, frozen=True, kw_only=True):
    """An OAuth 2.0 client-credentials (machine-to-machine) integration of one NetSuite account."""

    base_url: str = ""
    """REST web services base, ``https://{account}.suitetalk.api.netsuite.com/services/rest``.
    Empty: derived from ``account_id``. A base without ``/services/rest`` (a sandbox root) is completed."""
    account_id: str = ""
    """The account id, e.g. ``1234567`` or ``1234567_SB1`` for a sandbox account."""
    client_id: str
    """The integration record's client id (Consumer Key): the ``iss`` of every client assertion."""
    certificate_id: str
    """The id NetSuite gave the uploaded certificate (OAuth 2.0 Client Credentials Setup): the JWT ``kid``."""
    private_key: str
    """The certificate's private key as a JWK (JSON): EC P-256/384/521 signs ES256/384/512, RSA PS256."""
    scope: str = "rest_webservices"
    """Scopes asked for in the assertion, comma separated (``rest_webservices``, ``restlets``, ...)."""
    retry: RetryPolicy = RetryPolicy()
    """Timeouts and retries of every call, the token request included."""

    def rest_base(self) -> str:
        if self.base_url:
            base = self.base_url.rstrip("/")
            return base if base.endswith("/services/rest") else base + "/services/rest"
        if not self.account_id:
            raise ValueError("NetSuiteConfig needs base_url or account_id")
        # Account 1234567_SB1 is served from 1234567-sb1.suitetalk.api.netsuite.com.
        host = self.account_id.lower().replace("_", "-")
        return f"https://{host}.suitetalk.api.netsuite.com/services/rest"
