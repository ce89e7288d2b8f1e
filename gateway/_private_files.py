"""Files only their owner may read (keys, secrets): written whole, mode 0600 from the first byte."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_private(path: Path, text: str, *, replace: bool = True) -> bool:
    """Write ``text`` to ``path`` atomically with mode 0600; without ``replace``, only if it does not exist.

    Answers whether this call wrote the file (False: it existed and ``replace`` was off).
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # mkstemp creates the file 0600, so the secret is never readable by others, not even briefly.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(text)
        if replace:
            os.replace(temporary, path)
            return True
        try:
            # link fails when the file exists: two processes starting at once agree on one file.
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
