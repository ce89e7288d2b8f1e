"""Forged, stale and misdirected tokens, and spoofed identity headers, as an attacker would try them.

Each refusal is what a client library expects: the right status, an RFC 6750 challenge, a problem
document carrying the correlation id, and the auth-failure metric counting the reason.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from gateway.idp import DevIdentityProvider
from tests.gateway.auth._tokens import unsigned_token
from tests.gateway.conftest import RunningGateway
from tests.gateway.echo import EchoUpstream

PROBLEM = "application/problem+json"
INVALID_TOKEN = 'Bearer error="invalid_token"'
CUSTOMERS = "/customer-master/v2/customers"
FAILURES = "revgate_gateway_auth_failures_total"


def claims(identity: DevIdentityProvider, **overrides: Any) -> dict[str, Any]:
    """The claims the dev provider would issue to billing-app now; an override of None drops one."""
    now = int(time.time())
    values: dict[str, Any] = {
        "iss": identity.config.issuer,
        "aud": "revgate",
        "sub": "billing-app",
        "client_id": "billing-app",
        "scope": "customers:read customers:write",
        "iat": now,
        "exp": now + 300,
        "jti": f"forged-{now}",
        **overrides,
    }
    return {name: value for name, value in values.items() if value is not None}


def signed(identity: DevIdentityProvider, key: ECKey | RSAKey | None = None, **overrides: Any) -> str:
    """A token signed with the provider's own key (or ``key``), with claims changed as given."""
    signer = key or identity.keys.active
    algorithm = str(signer.get("alg"))
    header = {"alg": algorithm, "typ": "at+jwt", "kid": signer.kid}
    return jwt.encode(header, claims(identity, **overrides), signer, algorithms=[algorithm])


def refused(
    gw: RunningGateway, token: str, reason: str, *, status: int = 401, challenge: str = INVALID_TOKEN
) -> httpx.Response:
    """Send ``token``; check the refusal a client sees and that the metric counted ``reason`` once."""
    before = gw.metric(FAILURES, reason=reason)
    correlation = f"attack-{reason}"
    answer = gw.http.get(
        CUSTOMERS, headers={"Authorization": f"Bearer {token}", "X-Correlation-ID": correlation}
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["www-authenticate"] == challenge
    assert answer.headers["content-type"] == PROBLEM
    assert answer.headers["x-correlation-id"] == correlation
    problem = answer.json()
    assert problem["status"] == status
    assert problem["correlationId"] == correlation
    assert problem["instance"] == CUSTOMERS
    assert gw.metric(FAILURES, reason=reason) == before + 1
    return answer


def test_the_genuine_token_passes(gw: RunningGateway, identity: DevIdentityProvider) -> None:
    # The forging helpers make tokens the gateway accepts when nothing is wrong with them, so each
    # refusal below is caused by the one thing changed.
    assert gw.http.get(CUSTOMERS, headers={"Authorization": f"Bearer {signed(identity)}"}).status_code == 200


def test_unsigned_alg_none_is_refused(
    gw: RunningGateway, identity: DevIdentityProvider, echo: EchoUpstream
) -> None:
    before = len(echo.received)
    for alg in ("none", "None", "NONE"):
        token = unsigned_token({"alg": alg, "typ": "at+jwt"}, claims(identity))
        answer = refused(gw, token, "bad_alg")
        assert answer.json()["type"] == "https://revgate.dev/problems/unauthorized"
    assert len(echo.received) == before


def test_hs256_signed_with_the_public_key_is_refused(
    gw: RunningGateway, identity: DevIdentityProvider
) -> None:
    public = identity.keys.active
    # The classic algorithm confusion: HMAC keyed with the public key a gateway might hold, as PEM
    # or as the JWK the provider publishes.
    for secret in (public.as_pem(private=False), json.dumps(public.as_dict(private=False)).encode()):
        token = unsigned_token({"alg": "HS256", "typ": "at+jwt", "kid": public.kid}, claims(identity), secret)
        refused(gw, token, "bad_alg")


def test_expired_and_not_yet_valid_tokens_are_refused(
    gw: RunningGateway, identity: DevIdentityProvider
) -> None:
    now = int(time.time())
    # Beyond the 30 s leeway each way.
    refused(gw, signed(identity, iat=now - 900, exp=now - 120), "expired")
    refused(gw, signed(identity, nbf=now + 300), "not_yet_valid")
    refused(gw, signed(identity, iat=now + 300, exp=now + 900), "not_yet_valid")


def test_wrong_issuer_and_audience_are_refused(gw: RunningGateway, identity: DevIdentityProvider) -> None:
    refused(gw, signed(identity, iss="https://evil.example"), "wrong_issuer")
    refused(gw, signed(identity, iss=identity.config.issuer + "/"), "wrong_issuer")
    refused(gw, signed(identity, aud="some-other-api"), "wrong_audience")
    refused(gw, signed(identity, aud=["some-other-api", "another"]), "wrong_audience")


def test_a_tampered_token_is_refused(gw: RunningGateway, identity: DevIdentityProvider) -> None:
    genuine = signed(identity, scope="customers:read")
    head, payload, signature = genuine.split(".")
    # More scopes in the payload, the signature left as it was.
    escalated = signed(identity, scope="customers:read customers:write").split(".")[1]
    refused(gw, f"{head}.{escalated}.{signature}", "bad_signature")
    # One character of the signature changed (in the middle: the last one may only carry padding bits).
    middle = len(signature) // 2
    flipped = signature[:middle] + ("A" if signature[middle] != "A" else "B") + signature[middle + 1 :]
    refused(gw, f"{head}.{payload}.{flipped}", "bad_signature")


def test_an_unknown_kid_costs_one_key_refresh_then_401(
    gw: RunningGateway, identity: DevIdentityProvider, token: Callable[..., str]
) -> None:
    keys = gw.gateway.state.verifier.keys
    assert keys.loaded
    fetched = keys.fetches
    stranger = ECKey.generate_key("P-256", parameters={"kid": "not-a-key-of-the-provider", "alg": "ES256"})

    refused(gw, signed(identity, key=stranger), "unknown_kid")
    assert keys.fetches == fetched + 1  # looked for a freshly rotated key, once

    # A stream of garbage kids does not turn into a stream of fetches at the provider.
    for n in range(5):
        other = ECKey.generate_key("P-256", parameters={"kid": f"garbage-{n}", "alg": "ES256"})
        refused(gw, signed(identity, key=other, jti=f"garbage-{n}"), "unknown_kid")
    assert keys.fetches == fetched + 1
    # The provider's own kid with a key it never published is a bad signature, not a new kid.
    impostor = ECKey.generate_key("P-256", parameters={"kid": str(identity.keys.active.kid), "alg": "ES256"})
    refused(gw, signed(identity, key=impostor), "bad_signature")
    assert gw.http.get(CUSTOMERS, headers={"Authorization": f"Bearer {token()}"}).status_code == 200


def test_a_missing_scope_is_403_insufficient_scope(
    gw: RunningGateway, identity: DevIdentityProvider, echo: EchoUpstream
) -> None:
    before = len(echo.received)
    answer = refused(
        gw,
        signed(identity, scope="orders:read"),
        "insufficient_scope",
        status=403,
        challenge='Bearer error="insufficient_scope", scope="customers:read"',
    )
    assert answer.json()["type"] == "https://revgate.dev/problems/insufficient-scope"
    assert len(echo.received) == before


SPOOFED = [
    ("X-Revgate-Client-Id", "admin"),
    ("x-revgate-scopes", "customers:read customers:write admin:all"),
    ("X-REVGATE-CLIENT-ID", "root"),
    ("x-ReVgAtE-sCoPeS", "everything"),
]


def test_spoofed_identity_headers_never_reach_the_upstream(
    gw: RunningGateway, echo: EchoUpstream, token: Callable[..., str]
) -> None:
    answer = gw.http.get(CUSTOMERS, headers=[("Authorization", f"Bearer {token('reader')}"), *SPOOFED])
    assert answer.status_code == 200, answer.text
    identity_headers = [
        (name, value) for name, value in answer.json()["header_list"] if name.startswith("x-revgate-")
    ]
    # Exactly the gateway's own two headers, naming the verified caller; no copy of what was sent.
    assert sorted(identity_headers) == [
        ("x-revgate-client-id", "reader"),
        ("x-revgate-scopes", "customers:read"),
    ]


def test_spoofed_identity_headers_without_a_token_go_nowhere(gw: RunningGateway, echo: EchoUpstream) -> None:
    before = len(echo.received)
    answer = gw.http.get(CUSTOMERS, headers=SPOOFED)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == INVALID_TOKEN
    assert len(echo.received) == before


def test_underscore_spellings_of_identity_headers_are_not_passed_on(
    gw: RunningGateway, token: Callable[..., str]
) -> None:
    answer = gw.http.get(
        CUSTOMERS,
        headers=[
            ("Authorization", f"Bearer {token('reader')}"),
            ("X_Revgate_Client_Id", "admin"),
            ("x_revgate_scopes", "admin:all"),
        ],
    )
    assert answer.status_code == 200
    names = [name.replace("_", "-") for name, _ in answer.json()["header_list"]]
    assert names.count("x-revgate-client-id") == 1
    assert names.count("x-revgate-scopes") == 1
