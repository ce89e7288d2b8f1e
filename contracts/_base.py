"""Base classes shared by every public model."""

from __future__ import annotations

import msgspec


class Model(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    """A public model: camelCase on the wire, unknown fields refused."""


class Patch(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    """A partial update: a field left out (``msgspec.UNSET``) is not touched."""
