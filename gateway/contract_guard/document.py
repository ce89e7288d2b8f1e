"""An OpenAPI document as a tree to walk, following ``$ref``s inside it."""

from __future__ import annotations

from typing import Any


class ContractGuardError(Exception):
    """The check could not run: a bad revision, a document that is not JSON, a ``$ref`` we cannot follow."""


class Document:
    """One version of one document; ``$ref``s are followed inside it only (ours have no others)."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root

    def resolve(self, ref: str) -> Any:
        """The node a local ``$ref`` (``#/components/schemas/Customer``) names."""
        if not ref.startswith("#"):
            raise ContractGuardError(f"cannot follow $ref {ref!r}: only references inside the document are")
        node: Any = self.root
        for raw in ref[1:].split("/")[1:]:
            token = raw.replace("~1", "/").replace("~0", "~")
            try:
                node = node[int(token)] if isinstance(node, list) else node[token]
            except (KeyError, IndexError, ValueError, TypeError):
                raise ContractGuardError(f"$ref {ref!r} names nothing in the document") from None
        return node

    def follow(self, node: Any, pointer: str) -> tuple[Any, str]:
        """``node`` with its ``$ref`` chain followed, and the pointer of where it is written."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(ref := node.get("$ref"), str) and ref not in seen:
            seen.add(ref)
            node, pointer = self.resolve(ref), ref[1:]
        return node, pointer
