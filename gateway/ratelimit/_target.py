"""Where Redis is: a msgspec Struct, so kept out of the compiled modules (docs/architecture.md)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import msgspec


class RedisTarget(msgspec.Struct, frozen=True):
    """Where Redis is and how to log in, parsed from a ``redis://``, ``rediss://`` or ``unix://`` URL."""

    host: str = "127.0.0.1"
    port: int = 6379
    path: str | None = None
    db: int = 0
    username: str | None = None
    password: str | None = None
    tls: bool = False

    @classmethod
    def from_url(cls, url: str) -> RedisTarget:
        """Parse ``redis://[user:password@]host[:port][/db]`` (and ``rediss://``, ``unix:///path?db=N``)."""
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError(f"Redis URL must start with redis://, rediss:// or unix://, got {url!r}")
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        db_text = query.get("db") or (parts.path.lstrip("/") if parts.scheme != "unix" else "") or "0"
        if not db_text.isdigit():
            raise ValueError(f"Redis database in {url!r} must be a number")
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 6379,
            path=unquote(parts.path) if parts.scheme == "unix" else None,
            db=int(db_text),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=parts.scheme == "rediss",
        )
