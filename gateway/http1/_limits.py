"""The listener's limits: a msgspec Struct, so kept out of the compiled modules (docs/architecture.md)."""

from __future__ import annotations

import msgspec


class ListenerLimits(msgspec.Struct, frozen=True):
    max_body_bytes: int = 1_048_576
    """Body bytes buffered before the handler asks for the body; past it, reading pauses."""
    max_header_bytes: int = 16_384
    """Request line and headers together; a larger head is refused with 431."""
    keep_alive_timeout: float = 75.0
    """Seconds an idle keep-alive connection stays open."""
    request_read_timeout: float = 30.0
    """Seconds for a request (head and body) to arrive once it has begun."""
    shutdown_grace: float = 5.0
    """Seconds requests in flight may take to finish once the listener is told to stop."""
