"""The committed documents, as fresh copies to change in a test."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
OPENAPI_DIR = REPO_ROOT / "contracts" / "openapi"


@functools.cache
def _parsed(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((OPENAPI_DIR / name).read_text())
    return document


def committed(name: str = "customer-master.v2.json") -> dict[str, Any]:
    return copy.deepcopy(_parsed(name))


def schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


def operation(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    found: dict[str, Any] = document["paths"][path][method]
    return found


def parameter(document: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    return next(p for p in operation(document, path, method)["parameters"] if p["name"] == name)
