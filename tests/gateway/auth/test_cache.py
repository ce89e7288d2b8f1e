"""Verified tokens are remembered until they expire, so signatures are not checked on every request."""

from __future__ import annotations

import time

import pytest
from joserfc.jwk import ECKey, RSAKey

from gateway.auth import InvalidToken, TokenVerifier
from tests.gateway.auth._tokens import (
    EC_KEY,
    NOW,
    RSA_KEY,
    Clock,
    IdentityProviderDouble,
    bearer,
    make_token,
    make_verifier,
)


async def test_a_token_seen_before_is_answered_from_the_cache(verifier: TokenVerifier) -> None:
    header = bearer(make_token())
    first = await verifier.verify(header)

    assert await verifier.verify(header) is first
    assert verifier.verify_cached(header) is first


async def test_an_unseen_token_is_not_in_the_cache(verifier: TokenVerifier) -> None:
    assert verifier.verify_cached(bearer(make_token())) is None


async def test_a_cached_token_is_refused_once_expired(verifier: TokenVerifier, clock: Clock) -> None:
    header = bearer(make_token(exp=int(NOW) + 60))
    await verifier.verify(header)
    clock.advance(60 + 29)
    assert (await verifier.verify(header)).client_id == "billing-app"  # within the leeway

    clock.advance(1)

    with pytest.raises(InvalidToken) as refused:
        await verifier.verify(header)
    assert refused.value.reason == "expired"
    assert verifier.verify_cached(header) is None  # dropped from the cache
    with pytest.raises(InvalidToken, match="expired"):
        await verifier.verify(header)


async def test_the_cache_keeps_the_most_recently_used_tokens(
    provider: IdentityProviderDouble, clock: Clock
) -> None:
    verifier = make_verifier(provider, clock, token_cache_size=2)
    first, second, third = (bearer(make_token(jti=f"token-{n}")) for n in range(3))
    kept = await verifier.verify(first)
    dropped = await verifier.verify(second)
    await verifier.verify(first)  # used again: now the second is the least recently used
    await verifier.verify(third)

    assert verifier.verify_cached(first) is kept
    assert verifier.verify_cached(second) is None
    assert await verifier.verify(second) is not dropped
    await verifier.aclose()


async def test_a_cache_size_of_zero_verifies_every_time(
    provider: IdentityProviderDouble, clock: Clock
) -> None:
    verifier = make_verifier(provider, clock, token_cache_size=0)
    header = bearer(make_token())

    assert await verifier.verify(header) is not await verifier.verify(header)
    await verifier.aclose()


@pytest.mark.parametrize(("key", "alg"), [(RSA_KEY, "RS256"), (EC_KEY, "ES256")], ids=["RS256", "ES256"])
async def test_the_cpu_cost_of_a_verification_is_reported(
    provider: IdentityProviderDouble,
    clock: Clock,
    capsys: pytest.CaptureFixture[str],
    key: RSAKey | ECKey,
    alg: str,
) -> None:
    verifier = make_verifier(provider, clock)
    await verifier.start()
    headers = [bearer(make_token(key, alg, jti=f"token-{n}")) for n in range(200)]

    started = time.process_time()
    for header in headers:
        await verifier.verify(header)
    uncached = (time.process_time() - started) / len(headers)
    rounds = 20_000
    started = time.process_time()
    for _ in range(rounds):
        await verifier.verify(headers[0])
    cached = (time.process_time() - started) / rounds

    with capsys.disabled():
        print(
            f"\n  token verification CPU per request ({alg}): uncached {uncached * 1e6:.1f} µs, "
            f"cached {cached * 1e6:.2f} µs"
        )
    assert verifier.verify_cached(headers[-1]) is not None
    await verifier.aclose()
