"""Clients and their hashed secrets in the provider's config."""

from __future__ import annotations

import msgspec
import pytest

from gateway.idp import DevIdentityProviderConfig, hash_secret, verify_secret
from tests.gateway.idp._serve import hash_secret as cheap_hash


def test_a_secret_is_stored_as_a_self_describing_salted_scrypt_hash() -> None:
    stored = hash_secret("correct horse")

    scheme, n, r, p, _salt, _digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**15), "8", "1")
    assert "correct horse" not in stored
    assert stored != hash_secret("correct horse")  # a fresh salt each time
    assert verify_secret("correct horse", stored)
    assert not verify_secret("correct horse!", stored)


def test_the_cost_is_read_from_the_hash() -> None:
    stored = cheap_hash("s")

    assert stored.split("$")[1] == "16"
    assert verify_secret("s", stored)
    assert not verify_secret("t", stored)


def test_a_provider_section_decodes_from_toml() -> None:
    document = f"""
        issuer = "http://127.0.0.1:8090"
        state_dir = "/var/lib/revgate"

        [[clients]]
        client_id = "billing-app"
        secret_hash = "{cheap_hash("x")}"
        scopes = ["customers:read", "orders:write"]
        description = "billing reconciliation"
    """

    config = msgspec.toml.decode(document.encode(), type=DevIdentityProviderConfig)

    assert (config.audience, config.token_ttl, config.signing_algorithm) == ("revgate", 900, "ES256")
    assert config.token_endpoint == "http://127.0.0.1:8090/oauth2/token"
    client = config.client("billing-app")
    assert client is not None
    assert client.scopes == ("customers:read", "orders:write")


@pytest.mark.parametrize(
    ("client", "message"),
    [
        ('client_id = "a"\nsecret_hash = "plaintext-secret"', "secret_hash of client 'a'"),
        ('client_id = "a"\nsecret_hash = "scrypt$3$8$1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA"', "out of range"),
        (f'client_id = "a:b"\nsecret_hash = "{cheap_hash("x")}"', "client_id"),
        (f'client_id = "a"\nsecret_hash = "{cheap_hash("x")}"\nscopes = ["has space"]', "scope token"),
    ],
    ids=["plaintext", "bad-cost", "colon-in-id", "bad-scope"],
)
def test_a_bad_client_is_refused_at_start(client: str, message: str) -> None:
    document = f'issuer = "http://idp"\n[[clients]]\n{client}\n'

    with pytest.raises(msgspec.ValidationError, match=message):
        msgspec.toml.decode(document.encode(), type=DevIdentityProviderConfig)


def test_a_client_configured_twice_is_refused() -> None:
    entry = f'[[clients]]\nclient_id = "a"\nsecret_hash = "{cheap_hash("x")}"\n'
    document = f'issuer = "http://idp"\n{entry}{entry}'

    with pytest.raises(msgspec.ValidationError, match="configured twice"):
        msgspec.toml.decode(document.encode(), type=DevIdentityProviderConfig)
