"""``check``: every committed document against its version at a base revision, as a report to act on."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gateway.contract_guard.document import ContractGuardError
from gateway.contract_guard.findings import Finding
from gateway.contract_guard.history import GitHistory
from gateway.contract_guard.operations import breaking_changes

DOCUMENTS_DIR = "contracts/openapi"


@dataclass(frozen=True)
class Report:
    base: str
    """What was compared against, for a person: ``HEAD``, ``origin/main`` ..."""
    base_commit: str
    documents: tuple[str, ...]
    """Every document in the work tree."""
    new_documents: tuple[str, ...]
    """Documents the base does not have (a new capability or major): nothing to break."""
    findings: tuple[Finding, ...]

    @property
    def breaking(self) -> bool:
        return bool(self.findings)

    def render(self) -> str:
        against = f"{self.base}, commit {self.base_commit[:12]}"
        count = len(self.documents)
        noun = "document" if count == 1 else "documents"
        new = f"; new since the base: {', '.join(self.new_documents)}" if self.new_documents else ""
        if not self.findings:
            return f"no breaking changes in {count} {noun} (compared with {against}{new})\n"
        lines = [f"Breaking changes (compared with {against}):"]
        for document in sorted({finding.document for finding in self.findings}):
            lines += ["", document]
            for finding in (f for f in self.findings if f.document == document):
                where = "base" if finding.side == "base" else "work tree"
                lines += [
                    f"  {finding.where()}",
                    f"    what:  {finding.change}",
                    f"    why:   {finding.reason}",
                    f"    at:    {document}#{finding.pointer} ({where})  [{finding.kind}]",
                ]
        changed = len({finding.document for finding in self.findings})
        total = len(self.findings)
        lines += [
            "",
            f"{total} breaking change{'s' if total != 1 else ''} in {changed} of {count} {noun}{new}.",
            "Inside a major, a contract may only grow. Undo the change in the service code and regenerate "
            "(make openapi), or ship it as a new major (<capability>.v<N+1>.json) beside this one.",
        ]
        return "\n".join(lines) + "\n"


def _parse(text: str, what: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ContractGuardError(f"{what} is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise ContractGuardError(f"{what} is not an OpenAPI document (not a JSON object)")
    return document


def check(repo_root: Path | str, base: str | None = None) -> Report:
    """Compare every ``contracts/openapi/*.json`` in the work tree with the same file at ``base``.

    ``base`` is any git revision; by default the released contracts (``contracts/RELEASED``), else where
    this branch left ``origin/main``, else ``HEAD`` (then the work tree is checked against the last commit).
    """
    root = Path(repo_root)
    history = GitHistory(root)
    base_label, base_commit = (base, history.commit(base)) if base is not None else history.default_base()
    current = sorted(path.name for path in (root / DOCUMENTS_DIR).glob("*.json"))
    at_base = {name for name in history.names(base_commit, DOCUMENTS_DIR) if name.endswith(".json")}
    findings: list[Finding] = []
    for name in current:
        if name not in at_base:
            continue
        before = _parse(history.read(base_commit, f"{DOCUMENTS_DIR}/{name}"), f"{name} at {base_label}")
        after = _parse((root / DOCUMENTS_DIR / name).read_text(), name)
        findings += [replace(finding, document=name) for finding in breaking_changes(before, after)]
    for name in sorted(at_base - set(current)):
        findings.append(
            Finding(
                kind="document-removed",
                operation="",
                location="",
                field="",
                change=f"document {name} removed",
                reason="every operation of this major disappears for its clients; retire a major through its "
                "sunset date instead, so that callers are told (410) and pointed to the successor",
                pointer="",
                side="base",
                document=name,
            )
        )
    return Report(
        base=base_label,
        base_commit=base_commit,
        documents=tuple(current),
        new_documents=tuple(name for name in current if name not in at_base),
        findings=tuple(findings),
    )
