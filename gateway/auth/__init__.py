"""Authentication at the gateway: OAuth2 bearer access tokens (RFC 9068 JWTs) from an OIDC provider.

On the request path::

    principal = await verifier.verify(authorization_header)   # or InvalidToken(reason)
    if not has_scopes(principal, route_scopes): ...            # 403 insufficient_scope
    upstream_headers += identity_headers(principal)

Refusals answer with ``WWW-Authenticate: www_authenticate(...)`` (RFC 6750).
"""

from gateway.auth._config import SUPPORTED_ALGORITHMS, IdentityProviderConfig
from gateway.auth._jwks import JwksKeys
from gateway.auth._principal import (
    CLIENT_ID_HEADER,
    IDENTITY_HEADERS,
    SCOPES_HEADER,
    Principal,
    has_scopes,
    identity_headers,
    www_authenticate,
)
from gateway.auth._refusal import INVALID_TOKEN_REASONS, InvalidToken, InvalidTokenReason
from gateway.auth._verifier import TokenVerifier, bearer_token

__all__ = [
    "CLIENT_ID_HEADER",
    "IDENTITY_HEADERS",
    "INVALID_TOKEN_REASONS",
    "SCOPES_HEADER",
    "SUPPORTED_ALGORITHMS",
    "IdentityProviderConfig",
    "InvalidToken",
    "InvalidTokenReason",
    "JwksKeys",
    "Principal",
    "TokenVerifier",
    "bearer_token",
    "has_scopes",
    "identity_headers",
    "www_authenticate",
]
