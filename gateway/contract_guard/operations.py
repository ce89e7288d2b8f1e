"""Compare two versions of one OpenAPI document, operation by operation."""

from __future__ import annotations

import re
from typing import Any

from gateway.contract_guard.document import Document
from gateway.contract_guard.findings import Finding, Side, escape_pointer_token
from gateway.contract_guard.schemas import Direction, SchemaComparison

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PATH_PARAMETER = re.compile(r"\{([^{}/]+)\}")


def breaking_changes(before: dict[str, Any], after: dict[str, Any]) -> list[Finding]:
    """Every change from ``before`` to ``after`` that breaks a consumer written against ``before``."""
    diff = _DocumentDiff(Document(before), Document(after))
    diff.run()
    return diff.findings


def _shape(template: str) -> str:
    """A path template without its parameter names: renaming ``{id}`` changes no URL a client calls."""
    return _PATH_PARAMETER.sub("{}", template)


def _media_types(node: dict[str, Any]) -> dict[str, Any]:
    content = node.get("content")
    return content if isinstance(content, dict) else {}


class _DocumentDiff:
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

    def compare_schemas(
        self,
        direction: Direction,
        operation: str,
        location: str,
        before: tuple[Any, str],
        after: tuple[Any, str],
    ) -> None:
        comparison = SchemaComparison(self.before, self.after, direction, operation, location)
        comparison.compare(before[0], before[1], after[0], after[1])
        self.findings.extend(comparison.findings)

    def run(self) -> None:
        before_paths: dict[str, Any] = self.before.root.get("paths") or {}
        after_paths: dict[str, Any] = self.after.root.get("paths") or {}
        after_by_shape = {_shape(template): template for template in after_paths}
        for template, raw_item in before_paths.items():
            before_item, before_pointer = self.before.follow(
                raw_item, f"/paths/{escape_pointer_token(template)}"
            )
            after_template = after_by_shape.get(_shape(template))
            if after_template is None:
                for method in (m for m in HTTP_METHODS if m in before_item):
                    self.add(
                        "path-removed",
                        f"{method.upper()} {template}",
                        "",
                        f"path {template} removed",
                        f"clients calling {method.upper()} {template} get 404 Not Found",
                        before_pointer,
                        "base",
                    )
                continue
            after_item, after_pointer = self.after.follow(
                after_paths[after_template], f"/paths/{escape_pointer_token(after_template)}"
            )
            for method in (m for m in HTTP_METHODS if m in before_item):
                operation = f"{method.upper()} {after_template}"
                if method not in after_item:
                    self.add(
                        "operation-removed",
                        operation,
                        "",
                        f"operation {method.upper()} removed from {after_template}",
                        "clients calling it get 405 Method Not Allowed",
                        f"{before_pointer}/{method}",
                        "base",
                    )
                    continue
                _OperationDiff(self, operation, (template, before_item, before_pointer, method)).against(
                    (after_template, after_item, after_pointer, method)
                )
        self._security_schemes()

    def _security_schemes(self) -> None:
        before_schemes = (self.before.root.get("components") or {}).get("securitySchemes") or {}
        after_schemes = (self.after.root.get("components") or {}).get("securitySchemes") or {}
        for name, raw in before_schemes.items():
            before, pointer = self.before.follow(
                raw, f"/components/securitySchemes/{escape_pointer_token(name)}"
            )
            if name not in after_schemes:
                self.add(
                    "security-scheme-removed",
                    "",
                    f"security scheme {name}",
                    f"security scheme {name} removed",
                    "clients set up to authenticate with it have nothing the contract accepts",
                    pointer,
                    "base",
                )
                continue
            after, _ = self.after.follow(after_schemes[name], "")
            after_flows = after.get("flows") or {}
            for flow_name, flow in (before.get("flows") or {}).items():
                after_scopes = (after_flows.get(flow_name) or {}).get("scopes") or {}
                for scope in flow.get("scopes") or {}:
                    if scope not in after_scopes:
                        self.add(
                            "security-scope-removed",
                            "",
                            f"security scheme {name} ({flow_name} flow)",
                            f"scope {scope} removed",
                            "clients that ask for it when getting a token are refused (invalid_scope)",
                            f"{pointer}/flows/{escape_pointer_token(flow_name)}/scopes/{escape_pointer_token(scope)}",
                            "base",
                        )


_Side = tuple[str, dict[str, Any], str, str]  # path template, path item, its pointer, method


class _OperationDiff:
    def __init__(self, diff: _DocumentDiff, operation: str, before: _Side) -> None:
        self.diff = diff
        self.operation = operation
        self.before_side = before

    def against(self, after: _Side) -> None:
        before_op, before_pointer = self._operation(self.before_side)
        after_op, after_pointer = self._operation(after)
        self._operation_id(before_op, after_op, after_pointer)
        self._parameters(
            self._parameters_of(self.diff.before, self.before_side),
            self._parameters_of(self.diff.after, after),
        )
        self._request_body(before_op, before_pointer, after_op, after_pointer)
        self._responses(before_op, before_pointer, after_op, after_pointer)
        self._security(before_op, after_op, after_pointer)

    @staticmethod
    def _operation(side: _Side) -> tuple[dict[str, Any], str]:
        _, item, pointer, method = side
        operation: dict[str, Any] = item[method]
        return operation, f"{pointer}/{method}"

    def _add(self, kind: str, location: str, change: str, reason: str, pointer: str, side: Side) -> None:
        self.diff.add(kind, self.operation, location, change, reason, pointer, side)

    def _operation_id(self, before: dict[str, Any], after: dict[str, Any], pointer: str) -> None:
        old, new = before.get("operationId"), after.get("operationId")
        if old is not None and old != new:
            self._add(
                "operation-id-changed",
                "",
                f"operationId changed from {old!r} to {new!r}",
                f"SDKs generated from the document name their methods after it: {old} disappears from "
                "regenerated clients, and code calling it stops working",
                f"{pointer}/operationId",
                "current",
            )

    @staticmethod
    def _parameters_of(doc: Document, side: _Side) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
        """Path-level and operation-level parameters (the operation's win), keyed by where they go.

        Path parameters are keyed by their place in the template, since their names are in no URL."""
        template, item, item_pointer, method = side
        path_names = _PATH_PARAMETER.findall(template)
        found: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for owner, owner_pointer in ((item, item_pointer), (item[method], f"{item_pointer}/{method}")):
            for index, raw in enumerate(owner.get("parameters") or []):
                parameter, pointer = doc.follow(raw, f"{owner_pointer}/parameters/{index}")
                where, name = str(parameter.get("in")), str(parameter.get("name"))
                if where == "path" and name in path_names:
                    key = (where, str(path_names.index(name)))
                else:
                    key = (where, name.lower() if where == "header" else name)
                found[key] = (parameter, pointer)
        return found

    def _parameters(
        self,
        before: dict[tuple[str, str], tuple[dict[str, Any], str]],
        after: dict[tuple[str, str], tuple[dict[str, Any], str]],
    ) -> None:
        for key, (old, old_pointer) in before.items():
            label = f"{old.get('in')} parameter {old.get('name')}"
            if key not in after:
                self._add(
                    "parameter-removed",
                    label,
                    f"{label} removed",
                    "clients that send it have it ignored or refused: what it selected no longer applies",
                    old_pointer,
                    "base",
                )
                continue
            new, new_pointer = after[key]
            if new.get("required") is True and old.get("required") is not True:
                self._add(
                    "parameter-became-required",
                    label,
                    f"{label} became required",
                    "requests that leave it out, as the base version allowed, are now refused",
                    f"{new_pointer}/required",
                    "current",
                )
            if "schema" in old and "schema" in new:
                self.diff.compare_schemas(
                    "request",
                    self.operation,
                    label,
                    (old["schema"], f"{old_pointer}/schema"),
                    (new["schema"], f"{new_pointer}/schema"),
                )
            self._content("request", label, (old, old_pointer), (new, new_pointer), media_types_matter=False)
        for key, (new, new_pointer) in after.items():
            if key not in before and new.get("required") is True:
                label = f"{new.get('in')} parameter {new.get('name')}"
                self._add(
                    "parameter-added-required",
                    label,
                    f"new required {label}",
                    "requests made against the base version don't send it and are now refused",
                    new_pointer,
                    "current",
                )

    def _content(
        self,
        direction: Direction,
        location: str,
        before: tuple[dict[str, Any], str],
        after: tuple[dict[str, Any], str],
        *,
        media_types_matter: bool = True,
    ) -> None:
        """Compare the media types of a body (or a parameter's ``content``) and their schemas."""
        (old, old_pointer), (new, new_pointer) = before, after
        new_types = _media_types(new)
        for media_type, old_media in _media_types(old).items():
            media_pointer = f"/content/{escape_pointer_token(media_type)}"
            if media_type not in new_types:
                if media_types_matter:
                    reason = (
                        f"clients that send Content-Type {media_type} are now refused (415)"
                        if direction == "request"
                        else f"clients that ask for or read {media_type} get another media type, or 406"
                    )
                    self._add(
                        f"{direction}-media-type-removed",
                        location,
                        f"media type {media_type} removed",
                        reason,
                        f"{old_pointer}{media_pointer}",
                        "base",
                    )
                continue
            new_media = new_types[media_type]
            if isinstance(old_media, dict) and isinstance(new_media, dict) and "schema" in old_media:
                self.diff.compare_schemas(
                    direction,
                    self.operation,
                    f"{location} ({media_type})",
                    (old_media["schema"], f"{old_pointer}{media_pointer}/schema"),
                    (new_media.get("schema", True), f"{new_pointer}{media_pointer}/schema"),
                )

    def _request_body(
        self, before_op: dict[str, Any], before_pointer: str, after_op: dict[str, Any], after_pointer: str
    ) -> None:
        location = "request body"
        old, old_pointer = (
            self.diff.before.follow(before_op["requestBody"], f"{before_pointer}/requestBody")
            if "requestBody" in before_op
            else (None, "")
        )
        new, new_pointer = (
            self.diff.after.follow(after_op["requestBody"], f"{after_pointer}/requestBody")
            if "requestBody" in after_op
            else (None, "")
        )
        if old is None and new is not None and new.get("required") is True:
            self._add(
                "request-body-added-required",
                location,
                "a request body is now required",
                "requests without a body were valid and are now refused",
                new_pointer,
                "current",
            )
        elif old is not None and new is None:
            self._add(
                "request-body-removed",
                location,
                "request body removed",
                "clients send a body the operation no longer takes: it is ignored or refused",
                old_pointer,
                "base",
            )
        elif old is not None and new is not None:
            if new.get("required") is True and old.get("required") is not True:
                self._add(
                    "request-body-became-required",
                    location,
                    "request body became required",
                    "requests without a body, as the base version allowed, are now refused",
                    f"{new_pointer}/required",
                    "current",
                )
            self._content("request", location, (old, old_pointer), (new, new_pointer))

    def _responses(
        self, before_op: dict[str, Any], before_pointer: str, after_op: dict[str, Any], after_pointer: str
    ) -> None:
        after_responses: dict[str, Any] = after_op.get("responses") or {}
        for status, raw in (before_op.get("responses") or {}).items():
            token = escape_pointer_token(status)
            old, old_pointer = self.diff.before.follow(raw, f"{before_pointer}/responses/{token}")
            location = f"response {status}"
            if status not in after_responses:
                reason = (
                    f"clients that expect {status} on success get another status and treat it as unexpected"
                    if status.startswith("2")
                    else f"clients that handle {status} no longer get it documented: the case now comes back "
                    "as another status, and code written for it stops matching"
                )
                self._add(
                    "response-status-removed",
                    location,
                    f"status {status} removed",
                    reason,
                    old_pointer,
                    "base",
                )
                continue
            new, new_pointer = self.diff.after.follow(
                after_responses[status], f"{after_pointer}/responses/{token}"
            )
            self._content("response", location, (old, old_pointer), (new, new_pointer))
            self._headers(location, (old, old_pointer), (new, new_pointer))

    def _headers(
        self, location: str, before: tuple[dict[str, Any], str], after: tuple[dict[str, Any], str]
    ) -> None:
        (old, old_pointer), (new, new_pointer) = before, after
        new_headers = {name.lower(): (name, header) for name, header in (new.get("headers") or {}).items()}
        for name, raw in (old.get("headers") or {}).items():
            header, pointer = self.diff.before.follow(
                raw, f"{old_pointer}/headers/{escape_pointer_token(name)}"
            )
            label = f"{location} header {name}"
            if name.lower() not in new_headers:
                self._add(
                    "response-header-removed",
                    label,
                    f"header {name} removed",
                    "clients that read it find it missing",
                    pointer,
                    "base",
                )
                continue
            new_name, new_raw = new_headers[name.lower()]
            new_header, new_header_pointer = self.diff.after.follow(
                new_raw, f"{new_pointer}/headers/{escape_pointer_token(new_name)}"
            )
            if header.get("required") is True and new_header.get("required") is not True:
                self._add(
                    "response-header-became-optional",
                    label,
                    f"header {name} no longer required",
                    "clients rely on it always being there; it may now be missing",
                    f"{new_header_pointer}/required",
                    "current",
                )
            if "schema" in header and "schema" in new_header:
                self.diff.compare_schemas(
                    "response",
                    self.operation,
                    label,
                    (header["schema"], f"{pointer}/schema"),
                    (new_header["schema"], f"{new_header_pointer}/schema"),
                )

    def _security(self, before_op: dict[str, Any], after_op: dict[str, Any], after_pointer: str) -> None:
        old = (
            before_op["security"] if "security" in before_op else self.diff.before.root.get("security") or []
        )
        new = after_op["security"] if "security" in after_op else self.diff.after.root.get("security") or []
        pointer = f"{after_pointer}/security" if "security" in after_op else "/security"
        if (not old or {} in old) and new and {} not in new:
            self._add(
                "authentication-added",
                "security",
                "the operation now requires a token",
                "calls without a token worked and now get 401 Unauthorized",
                pointer,
                "current",
            )
        old_scopes = {
            (scheme, scope)
            for requirement in old
            for scheme, scopes in requirement.items()
            for scope in scopes
        }
        new_scopes = {
            (scheme, scope)
            for requirement in new
            for scheme, scopes in requirement.items()
            for scope in scopes
        }
        for scheme, scope in sorted(new_scopes - old_scopes):
            self._add(
                "scope-added",
                "security",
                f"scope {scope} ({scheme}) now required",
                "tokens that were enough before lack it and are refused with 403 insufficient_scope",
                pointer,
                "current",
            )
        for scheme, scope in sorted(old_scopes - new_scopes):
            self._add(
                "scope-removed",
                "security",
                f"scope {scope} ({scheme}) no longer required",
                "who may call the operation changed inside a major: clients were granted this scope for it, "
                "and access reviews count on it guarding the operation; change access rules in a new major",
                pointer,
                "current",
            )
