"""The dev identity provider's signing keys: generated on first run, kept in the state directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from joserfc.jwk import ECKey, RSAKey

from gateway._private_files import write_private
from gateway.idp._config import DevIdentityProviderConfig

SigningKey = ECKey | RSAKey
# After a rotation the old keys stay published for tokens still in flight; older ones are dropped.
KEPT_KEYS: Final = 3


def _generate(algorithm: str) -> SigningKey:
    parameters: Any = {"alg": algorithm, "use": "sig"}
    key: SigningKey
    if algorithm == "ES256":
        key = ECKey.generate_key("P-256", parameters=parameters)
    else:
        key = RSAKey.generate_key(2048, parameters=parameters)
    key.ensure_kid()  # the RFC 7638 thumbprint: stable, and unique per key
    return key


def _import(document: dict[str, Any]) -> SigningKey:
    if document.get("kty") == "EC":
        return ECKey.import_key(document)
    if document.get("kty") == "RSA":
        return RSAKey.import_key(document)
    raise ValueError(f"unsupported key type {document.get('kty')!r}")


def _write_private(path: Path, keys: list[SigningKey], *, replace: bool) -> bool:
    """Write the key file with mode 0600 atomically; without ``replace``, only if it does not exist."""
    text = json.dumps({"keys": [key.as_dict(private=True) for key in keys]}, indent=2)
    return write_private(path, text, replace=replace)


class SigningKeys:
    """The keys tokens are signed with: the first one signs, all are published in the JWKS."""

    def __init__(self, path: Path, keys: list[SigningKey], algorithm: str) -> None:
        if not keys:
            raise ValueError("no signing keys")
        self.path = path
        self.algorithm = algorithm
        self._set(keys)

    def _set(self, keys: list[SigningKey]) -> None:
        self.keys = tuple(keys)
        self.active = keys[0]
        self.jwks = {"keys": [key.as_dict(private=False) for key in keys]}

    @classmethod
    def load_or_create(cls, config: DevIdentityProviderConfig) -> SigningKeys:
        """The keys kept in ``config.state_dir``, generated there first if there are none."""
        path = config.keys_path
        if not path.exists():
            _write_private(path, [_generate(config.signing_algorithm)], replace=False)
        try:
            documents = json.loads(path.read_text())["keys"]
            keys = [_import(document) for document in documents]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}: not a signing key set: {error}") from error
        return cls(path, keys, config.signing_algorithm)

    def rotate(self) -> SigningKey:
        """Start signing with a new key; the previous ones stay published until rotated out."""
        key = _generate(self.algorithm)
        keys = [key, *self.keys][:KEPT_KEYS]
        _write_private(self.path, keys, replace=True)
        self._set(keys)
        return key
