"""Tokens from the dev identity provider, fetched over HTTP, accepted by the gateway's verifier."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from gateway.auth import IdentityProviderConfig, InvalidToken, TokenVerifier
from gateway.idp import DevIdentityProvider
from tests.gateway.idp._serve import SECRET, running_identity_provider


async def fetch_token(provider: DevIdentityProvider, scope: str | None = None) -> str:
    form = {"grant_type": "client_credentials", "client_id": "billing-app", "client_secret": SECRET}
    if scope is not None:
        form["scope"] = scope
    async with httpx.AsyncClient() as http:
        response = await http.post(provider.config.token_endpoint, data=form)
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def verifier_for(provider: DevIdentityProvider) -> TokenVerifier:
    # No jwks_url: found through the provider's discovery document, as with any OIDC provider.
    config = IdentityProviderConfig(issuer=provider.config.issuer, audience="revgate")
    return TokenVerifier(config)


async def test_a_token_from_the_dev_provider_is_accepted(tmp_path: Path) -> None:
    with running_identity_provider(tmp_path) as provider:
        async with verifier_for(provider) as verifier:
            principal = await verifier.verify(f"Bearer {await fetch_token(provider, 'customers:read')}")

    assert principal.client_id == "billing-app"
    assert principal.scopes == frozenset({"customers:read"})


async def test_an_rs256_provider_is_accepted_too(tmp_path: Path) -> None:
    with running_identity_provider(tmp_path, signing_algorithm="RS256") as provider:
        async with verifier_for(provider) as verifier:
            principal = await verifier.verify(f"Bearer {await fetch_token(provider)}")

    assert principal.scopes == frozenset({"customers:read", "customers:write", "orders:read"})


async def test_a_rotated_signing_key_is_picked_up_and_the_old_one_still_honoured(tmp_path: Path) -> None:
    with running_identity_provider(tmp_path) as provider:
        async with verifier_for(provider) as verifier:
            await verifier.start()
            old_token = await fetch_token(provider)
            old_kid = provider.keys.active.kid

            new_kid = provider.keys.rotate().kid
            new_token = await fetch_token(provider)
            principal = await verifier.verify(f"Bearer {new_token}")
            still = await verifier.verify(f"Bearer {old_token}")

    assert new_kid != old_kid
    assert principal.client_id == still.client_id == "billing-app"
    assert verifier.keys.fetches == 2  # at start (discovery, then keys), and again for the new kid


async def test_tokens_survive_a_restart_of_the_provider(tmp_path: Path) -> None:
    with running_identity_provider(tmp_path) as provider:
        token = await fetch_token(provider)
        kid = provider.keys.active.kid
    with running_identity_provider(tmp_path) as restarted:
        # Same keys, so a token issued before the restart still verifies against the new JWKS.
        config = IdentityProviderConfig(
            issuer=provider.config.issuer, audience="revgate", jwks_url=restarted.config.jwks_uri
        )
        async with TokenVerifier(config) as verifier:
            principal = await verifier.verify(f"Bearer {token}")

    assert restarted.keys.active.kid == kid
    assert principal.client_id == "billing-app"


async def test_a_token_for_another_audience_is_refused(tmp_path: Path) -> None:
    with running_identity_provider(tmp_path, audience="another-gateway") as provider:
        async with verifier_for(provider) as verifier:
            with pytest.raises(InvalidToken) as refused:
                await verifier.verify(f"Bearer {await fetch_token(provider)}")

    assert refused.value.reason == "wrong_audience"
