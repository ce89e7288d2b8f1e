"""An operation's parameters: one removed, a new required one, one made required, its schema narrowed.

Path parameters are matched by their place in the template, not their name: a name is in no URL, so
renaming ``{id}`` breaks no client.
"""

from __future__ import annotations

import re
from typing import Any

from gateway.contract_guard._bodies import compare_content
from gateway.contract_guard._diff import OperationDiff, OperationVersion
from gateway.contract_guard.document import Document

_PATH_PARAMETER = re.compile(r"\{([^{}/]+)\}")

_Parameters = dict[tuple[str, str], tuple[dict[str, Any], str]]
"""(where it goes, its name or place) -> the parameter and its pointer."""


def path_shape(template: str) -> str:
    """A path template without its parameter names: renaming ``{id}`` changes no URL a client calls."""
    return _PATH_PARAMETER.sub("{}", template)


def compare_parameters(op: OperationDiff) -> None:
    before = _parameters_of(op.diff.before, op.base)
    after = _parameters_of(op.diff.after, op.current)
    for key, (old, old_pointer) in before.items():
        label = _label(old)
        if key not in after:
            op.add(
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
            op.add(
                "parameter-became-required",
                label,
                f"{label} became required",
                "requests that leave it out, as the base version allowed, are now refused",
                f"{new_pointer}/required",
                "current",
            )
        op.compare_schema_of("request", label, (old, old_pointer), (new, new_pointer))
        compare_content(
            op, "request", label, (old, old_pointer), (new, new_pointer), media_types_matter=False
        )
    for key, (new, new_pointer) in after.items():
        if key not in before and new.get("required") is True:
            label = _label(new)
            op.add(
                "parameter-added-required",
                label,
                f"new required {label}",
                "requests made against the base version don't send it and are now refused",
                new_pointer,
                "current",
            )


def _parameters_of(doc: Document, version: OperationVersion) -> _Parameters:
    """Path-level and operation-level parameters (the operation's win), keyed by where they go.

    Path parameters are keyed by their place in the template, since their names are in no URL."""
    path_names = _PATH_PARAMETER.findall(version.template)
    found: _Parameters = {}
    for owner, owner_pointer in ((version.item, version.item_pointer), (version.node, version.pointer)):
        for index, raw in enumerate(owner.get("parameters") or []):
            parameter, pointer = doc.follow(raw, f"{owner_pointer}/parameters/{index}")
            where, name = str(parameter.get("in")), str(parameter.get("name"))
            if where == "path" and name in path_names:
                key = (where, str(path_names.index(name)))
            else:
                key = (where, name.lower() if where == "header" else name)
            found[key] = (parameter, pointer)
    return found


def _label(parameter: dict[str, Any]) -> str:
    """``query parameter limit``."""
    return f"{parameter.get('in')} parameter {parameter.get('name')}"
