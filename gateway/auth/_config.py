"""Settings of the OIDC identity provider whose access tokens the gateway accepts."""

from __future__ import annotations

from typing import Final

import msgspec

#: Algorithms the verifier knows how to check, each with the key it needs (JWK ``kty``, ``crv``).
#: Symmetric algorithms (HS*) and ``none`` are absent on purpose: a gateway holding only public keys
#: must never accept them, or anyone who reads the JWKS could forge tokens (algorithm confusion).
SUPPORTED_ALGORITHMS: Final[dict[str, tuple[str, str | None]]] = {
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
    "RS512": ("RSA", None),
    "PS256": ("RSA", None),
    "PS384": ("RSA", None),
    "PS512": ("RSA", None),
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "Ed25519": ("OKP", "Ed25519"),
}


class IdentityProviderConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The OAuth2/OIDC provider that issues the access tokens (RFC 9068) the gateway accepts."""

    issuer: str
    """The provider's issuer identifier; tokens must carry exactly this ``iss``."""
    audience: str
    """This gateway's audience; tokens must name it in ``aud`` (a string or one of a list)."""
    jwks_url: str | None = None
    """Where the provider publishes its signing keys; unset: taken from the ``jwks_uri`` of
    ``{issuer}/.well-known/openid-configuration``."""
    algorithms: tuple[str, ...] = ("RS256", "ES256", "PS256")
    """Signature algorithms accepted (an allow-list); ``none`` and HS* are refused at start."""
    leeway: float = 30
    """Seconds of clock skew tolerated when checking ``exp``, ``nbf`` and ``iat``."""
    jwks_refresh_cooldown: float = 30
    """Seconds between two JWKS fetches at most: a token with an unknown ``kid`` triggers one refresh,
    later unknown ``kid``s within this time are refused without asking the provider again."""
    jwks_max_age: float = 3600
    """Seconds after which the keys are fetched again on the next uncached token, so that a key the
    provider withdrew stops being accepted."""
    jwks_timeout: float = 5
    """Seconds a JWKS or discovery fetch may take before it counts as failed."""
    token_cache_size: int = 10_000
    """How many verified tokens are remembered (least recently used dropped first), so that their
    signatures are not checked again on every request."""

    def __post_init__(self) -> None:
        # msgspec turns these errors into a validation error naming this section, so a bad
        # config is refused at start with the field and the problem.
        if not self.issuer:
            raise ValueError("issuer must not be empty")
        if not self.audience:
            raise ValueError("audience must not be empty")
        if not self.algorithms:
            raise ValueError("algorithms must name at least one algorithm")
        for algorithm in self.algorithms:
            if algorithm.lower() == "none" or algorithm.upper().startswith("HS"):
                raise ValueError(
                    f"algorithms: {algorithm!r} is never accepted (unsigned or symmetric tokens could be "
                    "forged by anyone who knows the public keys)"
                )
            if algorithm not in SUPPORTED_ALGORITHMS:
                choices = ", ".join(SUPPORTED_ALGORITHMS)
                raise ValueError(f"algorithms: {algorithm!r} is not supported; choose from {choices}")
        for name in ("leeway", "jwks_refresh_cooldown", "jwks_max_age", "jwks_timeout"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.jwks_timeout == 0:
            raise ValueError("jwks_timeout must be positive")
        if self.token_cache_size < 0:
            raise ValueError("token_cache_size must not be negative")

    @property
    def discovery_url(self) -> str:
        """The OIDC discovery document of the issuer (OpenID Connect Discovery 1.0, section 4)."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"
