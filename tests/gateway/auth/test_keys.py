"""The provider's keys: fetched once, refreshed for a new kid, never hammered by garbage kids."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import ECKey

from gateway.auth import InvalidToken, TokenVerifier
from tests.gateway.auth._tokens import (
    EC_KEY,
    ROTATED_KEY,
    RSA_KEY,
    Clock,
    IdentityProviderDouble,
    b64,
    bearer,
    make_token,
    make_verifier,
)


@pytest.fixture
async def verifier(provider: IdentityProviderDouble, clock: Clock) -> AsyncIterator[TokenVerifier]:
    """Here the keys are loaded at start, as the gateway does."""
    verifier = make_verifier(provider, clock)
    await verifier.start()
    yield verifier
    await verifier.aclose()


def garbage_kid_token() -> str:
    key = ECKey.generate_key("P-256", parameters={"kid": secrets.token_hex(8), "alg": "ES256"})
    return make_token(key)


async def reason_of(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as refused:
        await verifier.verify(bearer(token))
    return refused.value.reason


async def test_keys_are_loaded_at_start_and_reused(
    verifier: TokenVerifier, provider: IdentityProviderDouble, clock: Clock
) -> None:
    assert verifier.ready
    for index in range(3):
        clock.advance(40)  # past the cooldown: only an unknown kid or old keys may cause a fetch
        await verifier.verify(
            bearer(make_token(jti=f"token-{index}", iat=int(clock.now), exp=int(clock.now) + 60))
        )

    assert provider.jwks_fetches == 1


async def test_an_unknown_kid_causes_exactly_one_refresh_then_is_refused(
    verifier: TokenVerifier, provider: IdentityProviderDouble
) -> None:
    assert await reason_of(verifier, garbage_kid_token()) == "unknown_kid"
    assert provider.jwks_fetches == 2  # the start, and one refresh for the unknown kid


async def test_a_stream_of_garbage_kids_fetches_at_most_once_per_cooldown(
    verifier: TokenVerifier, provider: IdentityProviderDouble, clock: Clock
) -> None:
    reasons = [await reason_of(verifier, garbage_kid_token()) for _ in range(20)]
    clock.advance(29)
    reasons += [await reason_of(verifier, garbage_kid_token()) for _ in range(5)]
    assert provider.jwks_fetches == 2

    clock.advance(2)  # the cooldown (30 s) has passed: the next unknown kid may refresh once more
    reasons += [await reason_of(verifier, garbage_kid_token()) for _ in range(5)]

    assert provider.jwks_fetches == 3
    assert set(reasons) == {"unknown_kid"}


async def test_concurrent_unknown_kids_share_one_refresh(
    verifier: TokenVerifier, provider: IdentityProviderDouble
) -> None:
    results = await asyncio.gather(
        *(verifier.verify(bearer(garbage_kid_token())) for _ in range(10)), return_exceptions=True
    )

    assert provider.jwks_fetches == 2
    assert {result.reason for result in results if isinstance(result, InvalidToken)} == {"unknown_kid"}
    assert all(isinstance(result, InvalidToken) for result in results)


async def test_a_key_rotated_in_is_picked_up_on_its_first_token(
    verifier: TokenVerifier, provider: IdentityProviderDouble
) -> None:
    provider.keys = [ROTATED_KEY, EC_KEY]

    principal = await verifier.verify(bearer(make_token(ROTATED_KEY)))

    assert principal.client_id == "billing-app"
    assert provider.jwks_fetches == 2


async def test_a_rotated_key_published_during_the_cooldown_waits_for_the_cooldown(
    verifier: TokenVerifier, provider: IdentityProviderDouble, clock: Clock
) -> None:
    assert await reason_of(verifier, garbage_kid_token()) == "unknown_kid"
    provider.keys = [ROTATED_KEY, EC_KEY]
    token = make_token(ROTATED_KEY, iat=int(clock.now), exp=int(clock.now) + 300)
    assert await reason_of(verifier, token) == "unknown_kid"

    clock.advance(31)

    assert (await verifier.verify(bearer(token))).client_id == "billing-app"


async def test_keys_older_than_their_max_age_are_fetched_again(
    provider: IdentityProviderDouble, clock: Clock
) -> None:
    verifier = make_verifier(provider, clock, jwks_max_age=600)
    await verifier.start()
    clock.advance(601)

    provider.failing = True  # the refresh happens in the background: the request does not wait for it

    principal = await verifier.verify(bearer(make_token(iat=int(clock.now), exp=int(clock.now) + 300)))
    await verifier.keys.settle()

    assert principal.client_id == "billing-app"
    assert provider.jwks_fetches == 2
    await verifier.aclose()


async def test_a_withdrawn_key_stops_being_honoured_even_for_cached_tokens(
    provider: IdentityProviderDouble, clock: Clock
) -> None:
    verifier = make_verifier(provider, clock, jwks_max_age=60)
    token = make_token(RSA_KEY, "RS256", exp=int(clock.now) + 3600)
    await verifier.verify(bearer(token))
    provider.keys = [EC_KEY]
    clock.advance(61)
    # Any uncached token after max-age refreshes the keys and notices the withdrawal.
    await verifier.verify(bearer(make_token(EC_KEY, iat=int(clock.now), exp=int(clock.now) + 60)))
    await verifier.keys.settle()

    assert await reason_of(verifier, token) == "unknown_kid"
    await verifier.aclose()


async def test_an_unreachable_provider_refuses_tokens_until_it_is_back(
    provider: IdentityProviderDouble, clock: Clock
) -> None:
    provider.failing = True
    """Here the keys are loaded at start, as the gateway does."""
    verifier = make_verifier(provider, clock)
    await verifier.start()
    assert not verifier.ready

    reasons = [await reason_of(verifier, make_token()) for _ in range(5)]
    assert reasons == ["jwks_unavailable"] * 5
    assert provider.jwks_fetches == 1  # failures respect the cooldown too

    provider.failing = False
    clock.advance(31)
    principal = await verifier.verify(bearer(make_token(iat=int(clock.now), exp=int(clock.now) + 60)))

    assert principal.client_id == "billing-app"
    assert verifier.ready
    await verifier.aclose()


async def test_a_provider_outage_keeps_the_keys_already_known(
    verifier: TokenVerifier, provider: IdentityProviderDouble, clock: Clock
) -> None:
    provider.failing = True
    clock.advance(3601)  # keys are stale: a refresh is tried, fails, and the old keys stay

    principal = await verifier.verify(bearer(make_token(iat=int(clock.now), exp=int(clock.now) + 60)))
    await verifier.keys.settle()

    assert principal.client_id == "billing-app"
    assert provider.jwks_fetches == 2


async def test_without_a_jwks_url_the_keys_are_found_by_discovery(
    provider: IdentityProviderDouble, clock: Clock
) -> None:
    verifier = make_verifier(provider, clock, discover=True)

    principal = await verifier.verify(bearer(make_token()))

    assert principal.client_id == "billing-app"
    assert (provider.discovery_fetches, provider.jwks_fetches) == (1, 1)
    await verifier.aclose()


async def test_a_discovery_document_of_another_issuer_is_not_trusted(
    provider: IdentityProviderDouble, clock: Clock
) -> None:
    provider.discovered_issuer = "https://evil.example.test"
    verifier = make_verifier(provider, clock, discover=True)

    assert await reason_of(verifier, make_token()) == "jwks_unavailable"
    assert provider.jwks_fetches == 0
    await verifier.aclose()


def weak_rsa_jwk(kid: str) -> dict[str, Any]:
    numbers = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key().public_numbers()

    def encode(value: int) -> str:
        return b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))

    return {"kty": "RSA", "kid": kid, "n": encode(numbers.n), "e": encode(numbers.e)}


async def test_unusable_keys_in_the_jwks_are_skipped_not_fatal(clock: Clock) -> None:
    encryption_key = ECKey.generate_key("P-256", parameters={"kid": "enc-1", "use": "enc"})
    provider = IdentityProviderDouble(keys=[encryption_key, EC_KEY, RSA_KEY])
    provider.raw_keys = [weak_rsa_jwk("weak"), {"kty": "EC", "kid": "broken", "crv": "P-256", "x": "AA"}]
    verifier = make_verifier(provider, clock)
    signing_copy = ECKey.import_key({**encryption_key.as_dict(private=True), "use": "sig"})

    assert (await verifier.verify(bearer(make_token()))).client_id == "billing-app"
    assert await reason_of(verifier, make_token(signing_copy, "ES256")) == "unknown_kid"
    assert await reason_of(verifier, make_token(RSA_KEY, "RS256", header={"kid": "weak"})) == "unknown_kid"
    await verifier.aclose()


async def test_keys_unavailable_at_start_are_loaded_in_the_background(
    provider: IdentityProviderDouble, clock: Clock
) -> None:
    # No request has to arrive for the gateway to become ready (a readiness probe keeps them away).
    provider.failing = True
    verifier = make_verifier(provider, clock, jwks_refresh_cooldown=0)
    await verifier.start()
    assert not verifier.ready

    provider.failing = False
    for _ in range(100):
        if verifier.ready:
            break
        await asyncio.sleep(0.05)
    assert verifier.ready
    fetches = provider.jwks_fetches
    await asyncio.sleep(0.3)
    assert provider.jwks_fetches == fetches  # once loaded, the background attempts stop
    await verifier.aclose()
