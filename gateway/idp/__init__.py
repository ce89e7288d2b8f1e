"""The built-in dev identity provider: OAuth2 client credentials, RFC 9068 access tokens, JWKS.

It stands in for a real OIDC provider in the embedded stack; the gateway trusts it through the same
:class:`gateway.auth.IdentityProviderConfig` as any other (issuer, audience, discovery).
"""

from gateway.idp._app import DevIdentityProvider, create_identity_provider_app, run_identity_provider
from gateway.idp._config import DevClient, DevIdentityProviderConfig
from gateway.idp._keys import SigningKeys
from gateway.idp._secrets import hash_secret, verify_secret
from gateway.idp._tokens import TokenRefused, issue_access_token, mint_token, print_token

__all__ = [
    "DevClient",
    "DevIdentityProvider",
    "DevIdentityProviderConfig",
    "SigningKeys",
    "TokenRefused",
    "create_identity_provider_app",
    "hash_secret",
    "issue_access_token",
    "mint_token",
    "print_token",
    "run_identity_provider",
    "verify_secret",
]
