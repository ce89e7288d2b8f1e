"""Client secrets stored as scrypt hashes in a self-describing string: ``scrypt$n$r$p$salt$hash``."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import Final

SCHEME: Final = "scrypt"
# 32 MiB and about 0.15 s per check: the scrypt paper's interactive-login cost, doubled.
DEFAULT_N: Final = 2**15
DEFAULT_R: Final = 8
DEFAULT_P: Final = 1
_SALT_BYTES: Final = 16
_HASH_BYTES: Final = 32
# Refuses parameters that would take more memory than this, whatever a config says.
_MAX_MEMORY: Final = 256 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEMORY, dklen=length)


def hash_secret(secret: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P) -> str:
    """The stored form of a client secret: ``scrypt$n$r$p$salt$hash`` (salt and hash base64url).

    Lower ``n`` only for tests: the cost is what makes a leaked config useless for guessing secrets.
    """
    if not secret:
        raise ValueError("a client secret must not be empty")
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(secret, salt, n, r, p, _HASH_BYTES)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(digest)}"


class _Parsed:
    __slots__ = ("digest", "n", "p", "r", "salt")

    def __init__(self, n: int, r: int, p: int, salt: bytes, digest: bytes) -> None:
        self.n, self.r, self.p, self.salt, self.digest = n, r, p, salt, digest


def _parse(stored: str) -> _Parsed:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise ValueError("expected scrypt$n$r$p$salt$hash")
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except (ValueError, binascii.Error) as error:
        raise ValueError(f"expected scrypt$n$r$p$salt$hash: {error}") from None
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or 128 * r * n > _MAX_MEMORY:
        raise ValueError("scrypt parameters out of range (n a power of two > 1, r and p positive)")
    if len(salt) < 8 or len(digest) < 16:
        raise ValueError("salt or hash too short")
    return _Parsed(n, r, p, salt, digest)


def check_secret_hash(stored: str) -> None:
    """Raise ValueError when ``stored`` is not a hash :func:`verify_secret` can check."""
    _parse(stored)


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` matches the stored hash (compared in constant time)."""
    parsed = _parse(stored)
    candidate = _scrypt(secret, parsed.salt, parsed.n, parsed.r, parsed.p, len(parsed.digest))
    return hmac.compare_digest(candidate, parsed.digest)


#: Checked against when the client is unknown, so that the answer takes as long as for a known one
#: and does not tell which client ids exist.
DUMMY_HASH: Final = "$".join(
    (
        SCHEME,
        str(DEFAULT_N),
        str(DEFAULT_R),
        str(DEFAULT_P),
        _b64(bytes(_SALT_BYTES)),
        _b64(bytes(_HASH_BYTES)),
    )
)
