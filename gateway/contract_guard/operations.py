"""Compare two versions of one OpenAPI document, operation by operation.

This module walks the paths and their operations; what breaks inside an operation is in ``_parameters``,
``_bodies``, ``_responses`` and ``_security``, and inside a schema in ``schemas``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gateway.contract_guard._bodies import compare_request_body
from gateway.contract_guard._diff import DocumentDiff, Located, OperationDiff, OperationVersion
from gateway.contract_guard._parameters import compare_parameters, path_shape
from gateway.contract_guard._responses import compare_responses
from gateway.contract_guard._security import compare_security, compare_security_schemes
from gateway.contract_guard.document import Document
from gateway.contract_guard.findings import Finding, escape_pointer_token

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def breaking_changes(before: dict[str, Any], after: dict[str, Any]) -> list[Finding]:
    """Every change from ``before`` to ``after`` that breaks a consumer written against ``before``."""
    diff = DocumentDiff(Document(before), Document(after))
    _compare_paths(diff)
    compare_security_schemes(diff)
    return diff.findings


def _compare_paths(diff: DocumentDiff) -> None:
    """Paths are matched by their shape, so a renamed path parameter is the same path."""
    before_paths: dict[str, Any] = diff.before.root.get("paths") or {}
    after_paths: dict[str, Any] = diff.after.root.get("paths") or {}
    after_by_shape = {path_shape(template): template for template in after_paths}
    for template, raw_item in before_paths.items():
        before_item, before_pointer = _path_item(diff.before, template, raw_item)
        after_template = after_by_shape.get(path_shape(template))
        if after_template is None:
            for method in _methods(before_item):
                diff.add(
                    "path-removed",
                    f"{method.upper()} {template}",
                    "",
                    f"path {template} removed",
                    f"clients calling {method.upper()} {template} get 404 Not Found",
                    before_pointer,
                    "base",
                )
            continue
        after_item, after_pointer = _path_item(diff.after, after_template, after_paths[after_template])
        for method in _methods(before_item):
            operation = f"{method.upper()} {after_template}"
            if method not in after_item:
                diff.add(
                    "operation-removed",
                    operation,
                    "",
                    f"operation {method.upper()} removed from {after_template}",
                    "clients calling it get 405 Method Not Allowed",
                    f"{before_pointer}/{method}",
                    "base",
                )
                continue
            base = OperationVersion(template, before_item, before_pointer, method)
            current = OperationVersion(after_template, after_item, after_pointer, method)
            _compare_operation(OperationDiff(diff, operation, base, current))


def _compare_operation(op: OperationDiff) -> None:
    _compare_operation_id(op)
    compare_parameters(op)
    compare_request_body(op)
    compare_responses(op)
    compare_security(op)


def _compare_operation_id(op: OperationDiff) -> None:
    old, new = op.base.node.get("operationId"), op.current.node.get("operationId")
    if old is not None and old != new:
        op.add(
            "operation-id-changed",
            "",
            f"operationId changed from {old!r} to {new!r}",
            f"SDKs generated from the document name their methods after it: {old} disappears from "
            "regenerated clients, and code calling it stops working",
            f"{op.current.pointer}/operationId",
            "current",
        )


def _path_item(doc: Document, template: str, raw: Any) -> Located:
    """The path item under ``template`` (``$ref`` followed) and the pointer of where it is written."""
    return doc.follow(raw, f"/paths/{escape_pointer_token(template)}")


def _methods(item: Any) -> Iterator[str]:
    """The HTTP methods ``item`` has an operation for, in the order OpenAPI lists them."""
    return (method for method in HTTP_METHODS if method in item)
