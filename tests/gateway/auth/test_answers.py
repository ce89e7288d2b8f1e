"""What the gateway tells callers and upstreams: RFC 6750 challenges, scopes, identity headers, config."""

from __future__ import annotations

import msgspec
import pytest

from gateway.auth import (
    CLIENT_ID_HEADER,
    SCOPES_HEADER,
    IdentityProviderConfig,
    Principal,
    has_scopes,
    identity_headers,
    www_authenticate,
)

PRINCIPAL = Principal(
    client_id="billing-app",
    subject="billing-app",
    scopes=frozenset({"orders:write", "customers:read"}),
    expires_at=1.0,
)


@pytest.mark.parametrize(
    ("error", "scope", "expected"),
    [
        ("invalid_token", None, b'Bearer error="invalid_token"'),
        (
            "insufficient_scope",
            "customers:write",
            b'Bearer error="insufficient_scope", scope="customers:write"',
        ),
        (
            "insufficient_scope",
            "a:read b:write",
            b'Bearer error="insufficient_scope", scope="a:read b:write"',
        ),
        (None, None, b"Bearer"),
    ],
)
def test_challenges_follow_rfc_6750(error: str | None, scope: str | None, expected: bytes) -> None:
    assert www_authenticate(error, scope) == expected


@pytest.mark.parametrize(
    ("error", "scope"), [("bogus", None), ("insufficient_scope", 'x"y'), ("invalid_token", "")]
)
def test_a_challenge_that_would_break_the_header_is_refused(error: str, scope: str | None) -> None:
    with pytest.raises(ValueError, match="not"):
        www_authenticate(error, scope)


def test_scopes_are_all_required() -> None:
    assert has_scopes(PRINCIPAL, frozenset({"customers:read"}))
    assert has_scopes(PRINCIPAL, frozenset())
    assert not has_scopes(PRINCIPAL, frozenset({"customers:read", "customers:write"}))


def test_identity_headers_name_the_client_and_its_sorted_scopes() -> None:
    headers = identity_headers(PRINCIPAL)

    assert headers == [
        (CLIENT_ID_HEADER, b"billing-app"),
        (SCOPES_HEADER, b"customers:read orders:write"),
    ]
    headers.clear()
    assert len(identity_headers(PRINCIPAL)) == 2  # each caller gets its own list


def test_a_provider_section_decodes_from_toml_with_defaults() -> None:
    config = msgspec.toml.decode(
        b'issuer = "https://login.example.com"\naudience = "revgate"\n', type=IdentityProviderConfig
    )

    assert config.algorithms == ("RS256", "ES256", "PS256")
    assert (config.leeway, config.jwks_refresh_cooldown, config.jwks_url) == (30, 30, None)
    assert config.discovery_url == "https://login.example.com/.well-known/openid-configuration"


@pytest.mark.parametrize(
    ("algorithms", "message"),
    [
        ('["none"]', "never accepted"),
        ('["RS256", "HS256"]', "never accepted"),
        ('["RSA1_5"]', "not supported"),
    ],
)
def test_dangerous_or_unknown_algorithms_are_refused_at_start(algorithms: str, message: str) -> None:
    document = f'issuer = "https://login.example.com"\naudience = "revgate"\nalgorithms = {algorithms}\n'

    with pytest.raises(msgspec.ValidationError, match=message):
        msgspec.toml.decode(document.encode(), type=IdentityProviderConfig)


def test_an_unknown_setting_is_refused_with_its_name() -> None:
    document = b'issuer = "https://x"\naudience = "revgate"\nleway = 10\n'

    with pytest.raises(msgspec.ValidationError, match="leway"):
        msgspec.toml.decode(document, type=IdentityProviderConfig)
