"""Documents as they stand at a revision, read through ``git``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from gateway.contract_guard.document import ContractGuardError

RELEASED = "contracts/RELEASED"
"""Names the commit whose documents consumers rely on: the default base of the check."""


def repository_root(start: Path) -> Path:
    """The top of the git work tree that holds ``start``."""
    return Path(_git(start, "rev-parse", "--show-toplevel").strip())


def _git(repo: Path, *args: str) -> str:
    git = shutil.which("git")
    if git is None:
        raise ContractGuardError("git is not installed; the check reads the base version from git")
    result = subprocess.run(  # noqa: S603 - git with arguments we build; revisions are checked first
        [git, "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = result.stderr.strip() or f"git {args[0]} exited with {result.returncode}"
        raise ContractGuardError(detail)
    return result.stdout


class GitHistory:
    """One repository's history."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def commit(self, revision: str) -> str:
        """The commit ``revision`` names (a branch, tag, sha, ``HEAD~1`` ...)."""
        if not revision or revision.startswith("-"):
            raise ContractGuardError(f"{revision!r} is not a revision")
        try:
            return _git(self.root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").strip()
        except ContractGuardError:
            raise ContractGuardError(f"{revision!r} names no commit in {self.root}") from None

    def default_base(self) -> tuple[str, str]:
        """The released contracts (the commit ``contracts/RELEASED`` names) if the file is there;
        else where main branched off (``git merge-base HEAD origin/main``) if there is an
        ``origin/main``; else ``HEAD``: the committed documents against the work tree.
        As (description, commit)."""
        released = self.root / RELEASED
        if released.is_file():
            lines = [line.strip() for line in released.read_text().splitlines()]
            revision = next((line for line in lines if line and not line.startswith("#")), "")
            return f"the released contracts ({RELEASED})", self.commit(revision)
        try:
            upstream = self.commit("origin/main")
        except ContractGuardError:
            return "HEAD", self.commit("HEAD")
        merge_base = _git(self.root, "merge-base", "HEAD", upstream).strip()
        return "merge-base of HEAD and origin/main", merge_base

    def names(self, commit: str, directory: str) -> list[str]:
        """File names directly in ``directory`` (relative to the root) at ``commit``."""
        listing = _git(self.root, "ls-tree", "--name-only", commit, "--", f"{directory}/")
        return [line.rsplit("/", 1)[-1] for line in listing.splitlines() if line]

    def read(self, commit: str, path: str) -> str:
        """The text of ``path`` (relative to the root) at ``commit``."""
        return _git(self.root, "cat-file", "blob", f"{commit}:{path}")
