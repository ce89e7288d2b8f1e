"""The dev identity provider served over real HTTP, with its issuer set to the address it is served on."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from gateway.idp import (
    DevClient,
    DevIdentityProvider,
    DevIdentityProviderConfig,
    create_identity_provider_app,
)
from gateway.idp import hash_secret as _hash_secret
from services.runtime.serve import serve_in_thread
from services.runtime.types import Receive, Scope, Send

SECRET: Final = "s3cret: with spaces & symbols"


def hash_secret(secret: str) -> str:
    """A hash as the provider stores it, at a cost low enough for tests (the format is the same)."""
    return _hash_secret(secret, n=2**4)


CLIENTS: Final = (
    DevClient(
        client_id="billing-app",
        secret_hash=hash_secret(SECRET),
        scopes=("customers:read", "customers:write", "orders:read"),
        description="the billing team's reconciliation job",
    ),
    DevClient(client_id="reader", secret_hash=hash_secret("reader-secret"), scopes=("customers:read",)),
)


def idp_config(
    state_dir: Path, issuer: str = "http://idp.invalid", **settings: Any
) -> DevIdentityProviderConfig:
    values: dict[str, Any] = {"audience": "revgate", "clients": CLIENTS, **settings}
    return DevIdentityProviderConfig(issuer=issuer, state_dir=str(state_dir), **values)


class _LateApp:
    """An ASGI app whose inner app is set once the server's address (and so the issuer) is known."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                kind = message["type"].rsplit(".", 1)[-1]
                await send({"type": f"lifespan.{kind}.complete"})
                if kind == "shutdown":
                    return
        await self.app(scope, receive, send)


@contextlib.contextmanager
def running_identity_provider(state_dir: Path, **settings: Any) -> Iterator[DevIdentityProvider]:
    """Serve a provider whose issuer is its own URL; yields it (``provider.config.issuer`` is the URL)."""
    late = _LateApp()
    with serve_in_thread(late) as url:
        provider = DevIdentityProvider(idp_config(state_dir, issuer=url, **settings))
        late.app = create_identity_provider_app(provider)
        yield provider
