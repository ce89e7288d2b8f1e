"""Whether this gateway's request path runs compiled (mypyc, see setup.py and docs/architecture.md)."""

from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES

import gateway.app


def request_path_compiled() -> bool:
    """True when the modules a request passes through were loaded from compiled extensions."""
    return (gateway.app.__file__ or "").endswith(tuple(EXTENSION_SUFFIXES))
