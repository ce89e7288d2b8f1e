"""Bearer tokens the gateway accepts, and every way a token is refused (with its metric reason)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway.auth import InvalidToken, Principal, TokenVerifier
from tests.gateway.auth._tokens import (
    AUDIENCE,
    EC_KEY,
    NOW,
    RSA_KEY,
    STRANGER_KEY,
    Clock,
    IdentityProviderDouble,
    b64,
    bearer,
    claims,
    make_token,
    make_verifier,
    unsigned_token,
)


async def refusal(verifier: TokenVerifier, header: bytes | str | None) -> str:
    with pytest.raises(InvalidToken) as refused:
        await verifier.verify(header)
    return refused.value.reason


@pytest.mark.parametrize(
    ("key", "alg"),
    [(RSA_KEY, "RS256"), (RSA_KEY, "PS256"), (EC_KEY, "ES256")],
    ids=["RS256", "PS256", "ES256"],
)
async def test_a_valid_token_names_the_client_and_its_scopes(
    verifier: TokenVerifier, key: Any, alg: str
) -> None:
    principal = await verifier.verify(bearer(make_token(key, alg)))

    assert principal == Principal(
        client_id="billing-app",
        subject="billing-app",
        scopes=frozenset({"customers:read", "customers:write"}),
        expires_at=NOW + 300,
    )


async def test_the_header_may_be_text_and_the_scheme_any_case(verifier: TokenVerifier) -> None:
    principal = await verifier.verify("bearer " + make_token())

    assert principal.client_id == "billing-app"


@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "AT+JWT"])
async def test_both_spellings_of_the_access_token_type_are_accepted(
    verifier: TokenVerifier, typ: str
) -> None:
    principal = await verifier.verify(bearer(make_token(header={"typ": typ})))

    assert principal.subject == "billing-app"


async def test_an_audience_list_naming_the_gateway_is_accepted(verifier: TokenVerifier) -> None:
    principal = await verifier.verify(bearer(make_token(aud=["other-api", AUDIENCE])))

    assert principal.client_id == "billing-app"


async def test_a_token_without_scope_grants_no_scopes(verifier: TokenVerifier) -> None:
    principal = await verifier.verify(bearer(make_token(scope=None)))

    assert principal.scopes == frozenset()


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        (b"", "missing"),
        (b"Basic dXNlcjpwYXNz", "malformed"),
        (b"Bearer ", "malformed"),
        (b"Bearer not-a-jwt", "malformed"),
        (b"Bearer a.b.c", "malformed"),
        ("Bearer caf\u00e9", "malformed"),
    ],
    ids=["absent", "empty", "basic", "no-token", "not-a-jwt", "garbage-segments", "non-ascii"],
)
async def test_a_missing_or_malformed_header_is_refused(
    verifier: TokenVerifier, header: bytes | str | None, reason: str
) -> None:
    assert await refusal(verifier, header) == reason


async def test_alg_none_is_refused(verifier: TokenVerifier) -> None:
    token = unsigned_token({"alg": "none", "typ": "at+jwt", "kid": "rsa-1"}, claims())

    assert await refusal(verifier, bearer(token)) == "bad_alg"


async def test_hs256_signed_with_the_public_key_is_refused(verifier: TokenVerifier) -> None:
    # Algorithm confusion: a verifier that fed the RSA public key to HMAC would accept this.
    public_pem = RSA_KEY.as_pem(private=False)
    token = unsigned_token({"alg": "HS256", "typ": "at+jwt", "kid": "rsa-1"}, claims(), secret=public_pem)

    assert await refusal(verifier, bearer(token)) == "bad_alg"


async def test_an_algorithm_off_the_allow_list_is_refused(
    provider: IdentityProviderDouble, clock: Clock
) -> None:
    verifier = make_verifier(provider, clock, algorithms=("ES256",))

    assert await refusal(verifier, bearer(make_token(RSA_KEY, "RS256"))) == "bad_alg"
    await verifier.aclose()


async def test_a_token_whose_alg_does_not_fit_the_named_key_is_refused(verifier: TokenVerifier) -> None:
    # Signed with the EC key but naming the RSA key's kid: the RSA key cannot check ES256.
    token = make_token(EC_KEY, header={"kid": "rsa-1"})

    assert await refusal(verifier, bearer(token)) == "bad_alg"


async def test_a_tampered_payload_is_refused(verifier: TokenVerifier) -> None:
    header, _, signature = make_token().split(".")
    forged_claims = claims(scope="customers:read customers:write admin")
    forged = f"{header}.{b64(json.dumps(forged_claims).encode())}.{signature}"

    assert await refusal(verifier, bearer(forged)) == "bad_signature"


async def test_a_token_signed_by_a_key_the_provider_never_published_is_refused(
    verifier: TokenVerifier,
) -> None:
    # Same kid as a published key, different private key.
    assert await refusal(verifier, bearer(make_token(STRANGER_KEY))) == "bad_signature"


async def test_a_tampered_signature_of_a_cached_token_is_refused(verifier: TokenVerifier) -> None:
    token = make_token()
    await verifier.verify(bearer(token))
    head, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]

    assert await refusal(verifier, bearer(f"{head}.{payload}.{flipped}")) == "bad_signature"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"iss": "https://evil.example.test"}, "wrong_issuer"),
        ({"iss": None}, "wrong_issuer"),
        ({"aud": "another-api"}, "wrong_audience"),
        ({"aud": ["another-api", "third-api"]}, "wrong_audience"),
        ({"aud": None}, "wrong_audience"),
        ({"exp": int(NOW) - 31}, "expired"),
        ({"nbf": int(NOW) + 31}, "not_yet_valid"),
        ({"iat": int(NOW) + 31}, "not_yet_valid"),
        ({"exp": None}, "malformed"),
        ({"client_id": None}, "malformed"),
        ({"sub": None}, "malformed"),
        ({"jti": None}, "malformed"),
        ({"exp": "tomorrow"}, "malformed"),
        ({"client_id": "billing\r\nX-Revgate-Scopes: admin"}, "malformed"),
        ({"scope": 'customers:read "admin"'}, "malformed"),
    ],
    ids=lambda value: str(value),
)
async def test_claims_that_do_not_hold_are_refused(
    verifier: TokenVerifier, overrides: dict[str, Any], reason: str
) -> None:
    assert await refusal(verifier, bearer(make_token(**overrides))) == reason


@pytest.mark.parametrize(
    "overrides",
    [{"exp": int(NOW) - 29}, {"nbf": int(NOW) + 29}, {"iat": int(NOW) + 29}],
    ids=["expired-within-leeway", "nbf-within-leeway", "iat-within-leeway"],
)
async def test_clock_skew_within_the_leeway_is_tolerated(
    verifier: TokenVerifier, overrides: dict[str, Any]
) -> None:
    principal = await verifier.verify(bearer(make_token(**overrides)))

    assert principal.client_id == "billing-app"


@pytest.mark.parametrize(
    ("typ", "reason"), [("JWT", "bad_type"), (None, "bad_type"), ("at+jwt-ish", "bad_type")]
)
async def test_a_token_that_is_not_an_access_token_is_refused(
    verifier: TokenVerifier, typ: str | None, reason: str
) -> None:
    # An ID token (typ JWT) from the same provider must not open the API.
    assert await refusal(verifier, bearer(make_token(header={"typ": typ}))) == reason


async def test_a_critical_header_extension_is_refused(verifier: TokenVerifier) -> None:
    token = make_token(header={"crit": ["b64"], "b64": True})

    assert await refusal(verifier, bearer(token)) == "malformed"
