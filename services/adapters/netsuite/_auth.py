"""Access tokens by NetSuite's client-credentials grant: a freshly signed client assertion each time."""

from __future__ import annotations

import secrets
import time
from typing import Final

import msgspec
from joserfc import jwt
from joserfc.jwk import ECKey, Key, RSAKey, import_key

from services.adapters._session import VendorSession
from services.adapters.errors import Unavailable
from services.adapters.netsuite._config import NetSuiteConfig
from services.adapters.netsuite._errors import SYSTEM, decode
from services.adapters.netsuite._wire import TokenAnswer

TOKEN_PATH: Final = "auth/oauth2/v1/token"
ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME: Final = 300
"""Seconds a client assertion is valid; it is only needed for the one token request."""
_EC_ALGORITHMS: Final = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
_token_decoder: Final = msgspec.json.Decoder(TokenAnswer)


def signing_algorithm(key: Key) -> str:
    """NetSuite accepts PS* and ES* only: never RS256."""
    if isinstance(key, ECKey) and key.curve_name in _EC_ALGORITHMS:
        return _EC_ALGORITHMS[key.curve_name]
    if isinstance(key, RSAKey):
        return "PS256"
    raise ValueError("NetSuite client assertions need an EC (P-256/384/521) or RSA private key")


class ClientCredentials:
    """Fetches access tokens; ``fetch`` is the fetch function of a ``CachedToken``."""

    def __init__(self, config: NetSuiteConfig) -> None:
        self.config = config
        self.key = import_key(msgspec.json.decode(config.private_key))
        if not self.key.is_private:
            raise ValueError("NetSuiteConfig.private_key must be a private JWK")
        self.algorithm = signing_algorithm(self.key)
        self.token_url = f"{config.rest_base()}/{TOKEN_PATH}"

    def assertion(self) -> str:
        now = int(time.time())
        header = {"alg": self.algorithm, "typ": "JWT", "kid": self.config.certificate_id}
        claims = {
            "iss": self.config.client_id,
            "scope": self.config.scope,
            "aud": self.token_url,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
            # NetSuite takes each assertion once: a unique jti keeps two tokens in one second apart.
            "jti": secrets.token_urlsafe(16),
        }
        return jwt.encode(header, claims, self.key, algorithms=[self.algorithm])

    async def fetch(self, session: VendorSession) -> tuple[str, float | None]:
        """The token request, with a fresh assertion (NetSuite takes each one once)."""

        def form() -> dict[str, str]:
            return {
                "grant_type": "client_credentials",
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": self.assertion(),
            }

        answer = decode(await session.post_form(TOKEN_PATH, form), _token_decoder)
        try:
            return answer.access_token, float(answer.expires_in)
        except ValueError:
            raise Unavailable(SYSTEM, f"token expires_in {answer.expires_in!r}") from None
