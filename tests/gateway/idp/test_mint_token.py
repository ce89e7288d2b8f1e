"""``revgate token --client NAME``: a token for a configured client, signed with the kept keys."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from gateway.auth import IdentityProviderConfig, InvalidToken, TokenVerifier
from gateway.idp import SigningKeys, TokenRefused, mint_token, print_token
from tests.gateway.auth._tokens import IdentityProviderDouble
from tests.gateway.idp._serve import idp_config

ISSUER = "https://idp.example.test"


async def verify(state_dir: Path, token: str) -> tuple[str, frozenset[str]]:
    """Check ``token`` against the JWKS of the keys kept in ``state_dir``."""
    provider = IdentityProviderDouble(keys=list(SigningKeys.load_or_create(idp_config(state_dir)).keys))
    config = IdentityProviderConfig(
        issuer=ISSUER, audience="revgate", jwks_url="https://idp.example.test/keys"
    )
    async with TokenVerifier(config, provider.transport) as verifier:
        principal = await verifier.verify(f"Bearer {token}")
    return principal.client_id, principal.scopes


async def test_a_minted_token_is_accepted_by_the_gateway(tmp_path: Path) -> None:
    token = mint_token(idp_config(tmp_path, issuer=ISSUER), "reader")

    assert await verify(tmp_path, token) == ("reader", frozenset({"customers:read"}))


async def test_a_minted_token_may_be_narrowed(tmp_path: Path) -> None:
    token = mint_token(idp_config(tmp_path, issuer=ISSUER), "billing-app", ["orders:read"])

    assert await verify(tmp_path, token) == ("billing-app", frozenset({"orders:read"}))


async def test_minting_uses_the_keys_the_running_provider_uses(tmp_path: Path) -> None:
    served = SigningKeys.load_or_create(idp_config(tmp_path))
    token = mint_token(idp_config(tmp_path, issuer=ISSUER), "reader")

    assert await verify(tmp_path, token) == ("reader", frozenset({"customers:read"}))
    assert SigningKeys.load_or_create(idp_config(tmp_path)).active.kid == served.active.kid


async def test_a_token_signed_with_other_keys_is_refused(tmp_path: Path) -> None:
    token = mint_token(idp_config(tmp_path / "elsewhere", issuer=ISSUER), "reader")
    SigningKeys.load_or_create(idp_config(tmp_path))

    with pytest.raises(InvalidToken):
        await verify(tmp_path, token)


def test_an_unknown_client_or_scope_is_refused(tmp_path: Path) -> None:
    config = idp_config(tmp_path, issuer=ISSUER)

    with pytest.raises(TokenRefused, match="no client 'nobody'"):
        mint_token(config, "nobody")
    with pytest.raises(TokenRefused, match="customers:write"):
        mint_token(config, "reader", ["customers:write"])


async def test_print_token_prints_the_token_alone_or_an_error(tmp_path: Path) -> None:
    config = idp_config(tmp_path, issuer=ISSUER)
    out, err = io.StringIO(), io.StringIO()

    assert print_token(config, "reader", out=out, err=err) == 0
    assert await verify(tmp_path, out.getvalue().strip()) == ("reader", frozenset({"customers:read"}))
    assert err.getvalue() == ""

    out, err = io.StringIO(), io.StringIO()
    assert print_token(config, "nobody", out=out, err=err) == 2
    assert out.getvalue() == ""
    assert "nobody" in err.getvalue()
