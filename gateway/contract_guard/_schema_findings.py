"""Where the findings of comparing the schemas of one part of one operation go."""

from __future__ import annotations

import json
from typing import Any

from gateway.contract_guard.findings import Direction, Finding, Side


class SchemaFindings:
    """The part of the operation being compared, which way its values flow, and what breaks in it."""

    def __init__(self, direction: Direction, operation: str, location: str) -> None:
        self.direction: Direction = direction
        self.operation = operation
        self.location = location
        self.findings: list[Finding] = []

    @property
    def request(self) -> bool:
        """The consumer writes the values: the schema must keep accepting what it accepted."""
        return self.direction == "request"

    def report(self, kind: str, path: str, change: str, reason: str, pointer: str, side: Side) -> None:
        """One finding at field ``path``; ``kind`` is named without the direction (``type-narrowed``)."""
        self.findings.append(
            Finding(
                kind=f"{self.direction}-{kind}",
                operation=self.operation,
                location=self.location,
                field=path,
                change=change,
                reason=reason,
                pointer=pointer,
                side=side,
            )
        )


def show(value: Any) -> str:
    """A value as it is written in the document, for the reasons: ``"active"``, ``false``."""
    return json.dumps(value)
