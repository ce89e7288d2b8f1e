"""An operation's responses: a documented status removed, and per status its bodies and headers."""

from __future__ import annotations

from typing import Any

from gateway.contract_guard._bodies import compare_content
from gateway.contract_guard._diff import Located, OperationDiff
from gateway.contract_guard.findings import escape_pointer_token


def compare_responses(op: OperationDiff) -> None:
    after_responses: dict[str, Any] = op.current.node.get("responses") or {}
    for status, raw in (op.base.node.get("responses") or {}).items():
        token = escape_pointer_token(status)
        old, old_pointer = op.diff.before.follow(raw, f"{op.base.pointer}/responses/{token}")
        location = f"response {status}"
        if status not in after_responses:
            reason = (
                f"clients that expect {status} on success get another status and treat it as unexpected"
                if status.startswith("2")
                else f"clients that handle {status} no longer get it documented: the case now comes back "
                "as another status, and code written for it stops matching"
            )
            op.add(
                "response-status-removed", location, f"status {status} removed", reason, old_pointer, "base"
            )
            continue
        new, new_pointer = op.diff.after.follow(
            after_responses[status], f"{op.current.pointer}/responses/{token}"
        )
        compare_content(op, "response", location, (old, old_pointer), (new, new_pointer))
        _compare_headers(op, location, (old, old_pointer), (new, new_pointer))


def _compare_headers(op: OperationDiff, location: str, before: Located, after: Located) -> None:
    """Header names are compared without case, as HTTP reads them."""
    (old, old_pointer), (new, new_pointer) = before, after
    new_headers = {name.lower(): (name, header) for name, header in (new.get("headers") or {}).items()}
    for name, raw in (old.get("headers") or {}).items():
        header, pointer = op.diff.before.follow(raw, f"{old_pointer}/headers/{escape_pointer_token(name)}")
        label = f"{location} header {name}"
        if name.lower() not in new_headers:
            op.add(
                "response-header-removed",
                label,
                f"header {name} removed",
                "clients that read it find it missing",
                pointer,
                "base",
            )
            continue
        new_name, new_raw = new_headers[name.lower()]
        new_header, new_header_pointer = op.diff.after.follow(
            new_raw, f"{new_pointer}/headers/{escape_pointer_token(new_name)}"
        )
        if header.get("required") is True and new_header.get("required") is not True:
            op.add(
                "response-header-became-optional",
                label,
                f"header {name} no longer required",
                "clients rely on it always being there; it may now be missing",
                f"{new_header_pointer}/required",
                "current",
            )
        op.compare_schema_of("response", label, (header, pointer), (new_header, new_header_pointer))
