"""Who may call what: the document's security schemes and scopes, and each operation's requirements."""

from __future__ import annotations

from typing import Any

from gateway.contract_guard._diff import DocumentDiff, OperationDiff
from gateway.contract_guard.document import Document
from gateway.contract_guard.findings import escape_pointer_token


def compare_security_schemes(diff: DocumentDiff) -> None:
    """A scheme removed, or a scope removed from one of its flows."""
    before_schemes, after_schemes = _security_schemes(diff.before), _security_schemes(diff.after)
    for name, raw in before_schemes.items():
        before, pointer = diff.before.follow(raw, f"/components/securitySchemes/{escape_pointer_token(name)}")
        if name not in after_schemes:
            diff.add(
                "security-scheme-removed",
                "",
                f"security scheme {name}",
                f"security scheme {name} removed",
                "clients set up to authenticate with it have nothing the contract accepts",
                pointer,
                "base",
            )
            continue
        after, _ = diff.after.follow(after_schemes[name], "")
        after_flows = after.get("flows") or {}
        for flow_name, flow in (before.get("flows") or {}).items():
            after_scopes = (after_flows.get(flow_name) or {}).get("scopes") or {}
            for scope in flow.get("scopes") or {}:
                if scope not in after_scopes:
                    diff.add(
                        "security-scope-removed",
                        "",
                        f"security scheme {name} ({flow_name} flow)",
                        f"scope {scope} removed",
                        "clients that ask for it when getting a token are refused (invalid_scope)",
                        f"{pointer}/flows/{escape_pointer_token(flow_name)}/scopes/{escape_pointer_token(scope)}",
                        "base",
                    )


def compare_security(op: OperationDiff) -> None:
    """A token now needed, or a scope added to or removed from what the operation requires."""
    old = _requirements(op.diff.before, op.base.node)
    new = _requirements(op.diff.after, op.current.node)
    pointer = f"{op.current.pointer}/security" if "security" in op.current.node else "/security"
    if (not old or {} in old) and new and {} not in new:
        op.add(
            "authentication-added",
            "security",
            "the operation now requires a token",
            "calls without a token worked and now get 401 Unauthorized",
            pointer,
            "current",
        )
    old_scopes, new_scopes = _scopes(old), _scopes(new)
    for scheme, scope in sorted(new_scopes - old_scopes):
        op.add(
            "scope-added",
            "security",
            f"scope {scope} ({scheme}) now required",
            "tokens that were enough before lack it and are refused with 403 insufficient_scope",
            pointer,
            "current",
        )
    for scheme, scope in sorted(old_scopes - new_scopes):
        op.add(
            "scope-removed",
            "security",
            f"scope {scope} ({scheme}) no longer required",
            "who may call the operation changed inside a major: clients were granted this scope for it, "
            "and access reviews count on it guarding the operation; change access rules in a new major",
            pointer,
            "current",
        )


def _security_schemes(doc: Document) -> dict[str, Any]:
    schemes: dict[str, Any] = (doc.root.get("components") or {}).get("securitySchemes") or {}
    return schemes


def _requirements(doc: Document, operation: dict[str, Any]) -> Any:
    """The operation's security requirements: its own, else the document's."""
    return operation["security"] if "security" in operation else doc.root.get("security") or []


def _scopes(requirements: Any) -> set[tuple[Any, Any]]:
    """(scheme, scope) for every scope any of the requirements names."""
    return {
        (scheme, scope)
        for requirement in requirements
        for scheme, scopes in requirement.items()
        for scope in scopes
    }
