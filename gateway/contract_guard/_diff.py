"""The two versions of a document being compared, one operation in both, and what breaks, as it is found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.contract_guard.document import Document
from gateway.contract_guard.findings import Direction, Finding, Side
from gateway.contract_guard.schemas import SchemaComparison

Located = tuple[Any, str]
"""A node of a document and the JSON pointer of where it is written."""


class DocumentDiff:
    def __init__(self, before: Document, after: Document) -> None:
        self.before = before
        self.after = after
        self.findings: list[Finding] = []

    def add(
        self, kind: str, operation: str, location: str, change: str, reason: str, pointer: str, side: Side
    ) -> None:
        self.findings.append(
            Finding(
                kind=kind,
                operation=operation,
                location=location,
                field="",
                change=change,
                reason=reason,
                pointer=pointer,
                side=side,
            )
        )


@dataclass(frozen=True)
class OperationVersion:
    """One operation in one version of the document."""

    template: str
    """The path template it is under, as this version writes it."""
    item: dict[str, Any]
    """The path item (``$ref`` followed), whose parameters the operation shares."""
    item_pointer: str
    method: str

    @property
    def node(self) -> dict[str, Any]:
        operation: dict[str, Any] = self.item[self.method]
        return operation

    @property
    def pointer(self) -> str:
        return f"{self.item_pointer}/{self.method}"


@dataclass(frozen=True)
class OperationDiff:
    """One operation in both versions; what breaks in it is added to the document's findings."""

    diff: DocumentDiff
    operation: str
    """``METHOD /path``, the path as the current version writes it."""
    base: OperationVersion
    current: OperationVersion

    def add(self, kind: str, location: str, change: str, reason: str, pointer: str, side: Side) -> None:
        self.diff.add(kind, self.operation, location, change, reason, pointer, side)

    def compare_schemas(self, direction: Direction, location: str, before: Located, after: Located) -> None:
        comparison = SchemaComparison(self.diff.before, self.diff.after, direction, self.operation, location)
        comparison.compare(before[0], before[1], after[0], after[1])
        self.diff.findings.extend(comparison.findings)

    def compare_schema_of(self, direction: Direction, location: str, before: Located, after: Located) -> None:
        """Compare the ``schema`` of a parameter or a header, when both versions give one."""
        (old, old_pointer), (new, new_pointer) = before, after
        if "schema" in old and "schema" in new:
            self.compare_schemas(
                direction,
                location,
                (old["schema"], f"{old_pointer}/schema"),
                (new["schema"], f"{new_pointer}/schema"),
            )
