"""Bodies and their media types: a request body removed or made required, a media type removed, and the
schema of each media type both versions have (requests, responses and a parameter's ``content``)."""

from __future__ import annotations

from typing import Any

from gateway.contract_guard._diff import Located, OperationDiff, OperationVersion
from gateway.contract_guard.document import Document
from gateway.contract_guard.findings import Direction, escape_pointer_token


def compare_content(
    op: OperationDiff,
    direction: Direction,
    location: str,
    before: Located,
    after: Located,
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
                op.add(
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
            op.compare_schemas(
                direction,
                f"{location} ({media_type})",
                (old_media["schema"], f"{old_pointer}{media_pointer}/schema"),
                (new_media.get("schema", True), f"{new_pointer}{media_pointer}/schema"),
            )


def compare_request_body(op: OperationDiff) -> None:
    location = "request body"
    old, old_pointer = _request_body(op.diff.before, op.base)
    new, new_pointer = _request_body(op.diff.after, op.current)
    if old is None and new is not None and new.get("required") is True:
        op.add(
            "request-body-added-required",
            location,
            "a request body is now required",
            "requests without a body were valid and are now refused",
            new_pointer,
            "current",
        )
    elif old is not None and new is None:
        op.add(
            "request-body-removed",
            location,
            "request body removed",
            "clients send a body the operation no longer takes: it is ignored or refused",
            old_pointer,
            "base",
        )
    elif old is not None and new is not None:
        if new.get("required") is True and old.get("required") is not True:
            op.add(
                "request-body-became-required",
                location,
                "request body became required",
                "requests without a body, as the base version allowed, are now refused",
                f"{new_pointer}/required",
                "current",
            )
        compare_content(op, "request", location, (old, old_pointer), (new, new_pointer))


def _request_body(doc: Document, version: OperationVersion) -> Located:
    """The operation's request body (``$ref`` followed) and its pointer; ``(None, "")`` when it has none."""
    if "requestBody" not in version.node:
        return None, ""
    return doc.follow(version.node["requestBody"], f"{version.pointer}/requestBody")


def _media_types(node: dict[str, Any]) -> dict[str, Any]:
    content = node.get("content")
    return content if isinstance(content, dict) else {}
