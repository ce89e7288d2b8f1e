"""One breaking change, said so that the person who made it can act on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Side = Literal["base", "current"]
Direction = Literal["request", "response"]
"""Who writes the values a schema describes: the consumer (``request``) or the server (``response``)."""


@dataclass(frozen=True)
class Finding:
    """A change between two versions of one document that breaks consumers of the older one."""

    kind: str
    """Stable name of the kind of change, e.g. ``request-property-became-required``."""
    operation: str
    """``METHOD /path`` of the operation, or ``""`` for a change to the document as a whole."""
    location: str
    """The part of the operation: ``request body (application/json)``, ``query parameter limit``, ..."""
    field: str
    """Dotted path of the field in that part (``billTo.city``, ``lines[]``); ``""`` for the part itself."""
    change: str
    """What changed, in plain words."""
    reason: str
    """Why that breaks a consumer written against the base version."""
    pointer: str
    """JSON pointer to the changed node (followed through ``$ref``s to where it is written)."""
    side: Side
    """Which version ``pointer`` points into: ``base`` for removed things, ``current`` otherwise."""
    document: str = ""
    """File name of the document, filled in by ``check``."""

    def where(self) -> str:
        """The operation, the part and the field, as one line."""
        parts = [self.operation or "document"]
        if self.location:
            parts.append(self.location)
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)


def escape_pointer_token(token: str) -> str:
    """One JSON-pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")
