"""The token endpoint: client-credentials grant, both client authentication methods, RFC 6749 errors."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote_plus

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from gateway.idp import DevIdentityProvider
from tests.gateway.idp._serve import SECRET, running_identity_provider


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevIdentityProvider]:
    with running_identity_provider(tmp_path_factory.mktemp("idp")) as provider:
        yield provider


@pytest.fixture
async def http(provider: DevIdentityProvider) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=provider.config.issuer) as client:
        yield client


def basic(client_id: str, secret: str) -> dict[str, str]:
    # RFC 6749 section 2.3.1: each part form-encoded, then HTTP Basic.
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"authorization": "Basic " + base64.b64encode(pair).decode()}


def claims_of(provider: DevIdentityProvider, token: str) -> dict[str, Any]:
    keys = KeySet.import_key_set(provider.keys.jwks)  # type: ignore[arg-type]
    decoded = jwt.decode(token, keys, algorithms=["ES256", "RS256"])
    assert decoded.header["typ"] == "at+jwt"
    return dict(decoded.claims)


async def test_client_secret_basic_gets_a_token_with_all_its_scopes(
    http: httpx.AsyncClient, provider: DevIdentityProvider
) -> None:
    response = await http.post(
        "/oauth2/token", data={"grant_type": "client_credentials"}, headers=basic("billing-app", SECRET)
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 900)
    assert body["scope"] == "customers:read customers:write orders:read"
    assert response.headers["cache-control"] == "no-store"
    claims = claims_of(provider, body["access_token"])
    assert claims["iss"] == provider.config.issuer
    assert (claims["aud"], claims["sub"], claims["client_id"]) == ("revgate", "billing-app", "billing-app")
    assert claims["scope"] == body["scope"]
    assert claims["exp"] - claims["iat"] == 900
    assert claims["jti"]


async def test_client_secret_post_gets_a_token(
    http: httpx.AsyncClient, provider: DevIdentityProvider
) -> None:
    response = await http.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": "reader", "client_secret": "reader-secret"},
    )

    assert response.status_code == 200
    assert claims_of(provider, response.json()["access_token"])["scope"] == "customers:read"


async def test_every_token_has_its_own_id(http: httpx.AsyncClient, provider: DevIdentityProvider) -> None:
    form = {"grant_type": "client_credentials", "client_id": "reader", "client_secret": "reader-secret"}
    tokens = [(await http.post("/oauth2/token", data=form)).json()["access_token"] for _ in range(2)]

    assert claims_of(provider, tokens[0])["jti"] != claims_of(provider, tokens[1])["jti"]


async def test_the_scope_parameter_narrows_the_grant(
    http: httpx.AsyncClient, provider: DevIdentityProvider
) -> None:
    response = await http.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "orders:read customers:read"},
        headers=basic("billing-app", SECRET),
    )

    assert response.status_code == 200
    assert response.json()["scope"] == "orders:read customers:read"
    assert claims_of(provider, response.json()["access_token"])["scope"] == "orders:read customers:read"


async def test_a_scope_the_client_lacks_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "customers:read customers:write"},
        headers=basic("reader", "reader-secret"),
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"
    assert "customers:write" in response.json()["error_description"]


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [("billing-app", "wrong"), ("nobody", SECRET)],
    ids=["wrong-secret", "unknown-client"],
)
async def test_failed_basic_authentication_is_a_401_with_a_basic_challenge(
    http: httpx.AsyncClient, client_id: str, secret: str
) -> None:
    response = await http.post(
        "/oauth2/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret)
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic ")
    assert "access_token" not in response.json()


@pytest.mark.parametrize(
    "form",
    [
        {"client_id": "billing-app", "client_secret": "wrong"},
        {"client_id": "nobody", "client_secret": "anything"},
        {"client_id": "billing-app"},
        {},
    ],
    ids=["wrong-secret", "unknown-client", "no-secret", "no-credentials"],
)
async def test_failed_form_authentication_is_invalid_client(
    http: httpx.AsyncClient, form: dict[str, str]
) -> None:
    response = await http.post("/oauth2/token", data={"grant_type": "client_credentials", **form})

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "password", "username": "u", "password": "p"}, "unsupported_grant_type"),
        ({"grant_type": "authorization_code", "code": "x"}, "unsupported_grant_type"),
        ({}, "invalid_request"),
    ],
    ids=["password", "authorization-code", "no-grant-type"],
)
async def test_grants_other_than_client_credentials_are_refused(
    http: httpx.AsyncClient, form: dict[str, str], error: str
) -> None:
    response = await http.post("/oauth2/token", data=form, headers=basic("billing-app", SECRET))

    assert response.status_code == 400
    assert response.json()["error"] == error


async def test_two_authentication_methods_at_once_are_refused(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": "billing-app", "client_secret": SECRET},
        headers=basic("billing-app", SECRET),
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_a_repeated_parameter_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/oauth2/token",
        content=b"grant_type=client_credentials&scope=customers:read&scope=customers:write",
        headers={"content-type": "application/x-www-form-urlencoded", **basic("billing-app", SECRET)},
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_a_json_body_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/oauth2/token", json={"grant_type": "client_credentials"}, headers=basic("billing-app", SECRET)
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_discovery_names_the_endpoints(http: httpx.AsyncClient, provider: DevIdentityProvider) -> None:
    issuer = provider.config.issuer
    metadata = (await http.get("/.well-known/openid-configuration")).json()

    assert metadata["issuer"] == issuer
    assert metadata["token_endpoint"] == f"{issuer}/oauth2/token"
    assert metadata["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    assert metadata["grant_types_supported"] == ["client_credentials"]
    assert set(metadata["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert "customers:write" in metadata["scopes_supported"]


async def test_the_jwks_publishes_public_keys_only(
    http: httpx.AsyncClient, provider: DevIdentityProvider
) -> None:
    keys = (await http.get("/.well-known/jwks.json")).json()["keys"]

    assert [key["kid"] for key in keys] == [provider.keys.active.kid]
    assert all("d" not in key for key in keys)
    assert keys[0]["alg"] == "ES256"
