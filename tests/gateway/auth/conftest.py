"""The fixtures every verifier test starts from: a provider double, a hand-moved clock, a verifier."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gateway.auth import TokenVerifier
from tests.gateway.auth._tokens import Clock, IdentityProviderDouble, make_verifier


@pytest.fixture
def provider() -> IdentityProviderDouble:
    return IdentityProviderDouble()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def verifier(provider: IdentityProviderDouble, clock: Clock) -> AsyncIterator[TokenVerifier]:
    verifier = make_verifier(provider, clock)
    yield verifier
    await verifier.aclose()
