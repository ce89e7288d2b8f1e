"""Signing keys: generated on first run, private to their owner, kept across restarts, rotatable."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from gateway.idp import SigningKeys
from tests.gateway.idp._serve import idp_config


def test_keys_are_generated_on_first_run_readable_only_by_their_owner(tmp_path: Path) -> None:
    config = idp_config(tmp_path / "state")

    keys = SigningKeys.load_or_create(config)

    assert stat.S_IMODE(config.keys_path.stat().st_mode) == 0o600
    stored = json.loads(config.keys_path.read_text())["keys"]
    assert [key["kid"] for key in stored] == [keys.active.kid]
    assert "d" in stored[0]  # the private key is what is kept
    assert (stored[0]["alg"], stored[0]["crv"]) == ("ES256", "P-256")


def test_the_same_keys_are_used_on_the_next_run(tmp_path: Path) -> None:
    config = idp_config(tmp_path)
    first = SigningKeys.load_or_create(config)

    again = SigningKeys.load_or_create(config)

    assert again.active.kid == first.active.kid
    assert again.jwks == first.jwks


def test_rs256_keys_when_configured(tmp_path: Path) -> None:
    keys = SigningKeys.load_or_create(idp_config(tmp_path, signing_algorithm="RS256"))

    assert keys.jwks["keys"][0]["kty"] == "RSA"
    assert keys.jwks["keys"][0]["alg"] == "RS256"


def test_rotation_signs_with_a_new_key_and_keeps_publishing_recent_ones(tmp_path: Path) -> None:
    config = idp_config(tmp_path)
    keys = SigningKeys.load_or_create(config)
    kids = [keys.active.kid]
    for _ in range(3):
        kids.insert(0, keys.rotate().kid)

    published = [key["kid"] for key in keys.jwks["keys"]]
    assert published == kids[:3]
    assert keys.active.kid == kids[0]
    assert SigningKeys.load_or_create(config).active.kid == kids[0]  # the rotation was kept
    assert stat.S_IMODE(config.keys_path.stat().st_mode) == 0o600


def test_a_damaged_key_file_is_refused_with_its_path(tmp_path: Path) -> None:
    config = idp_config(tmp_path)
    config.keys_path.write_text("{not json")

    with pytest.raises(ValueError, match=r"identity-provider-keys\.json"):
        SigningKeys.load_or_create(config)
