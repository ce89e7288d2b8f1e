"""Zuora's paging of v1 list operations: ``page`` (from 1) and ``pageSize`` query parameters.

An answer that has more carries ``nextPage``, the absolute URL of the next page (the same
path and parameters with ``page`` one higher), and has none on the last page (the field is left out).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

import msgspec
from litestar import Request

from services.sandbox.zuora._errors import Category, Resource, ZuoraError

T = TypeVar("T")


def _number(request: Request[Any, Any, Any], name: str, default: int, resource: Resource) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ZuoraError(
            Category.INVALID_VALUE, f"Invalid value for parameter '{name}': '{raw}'.", resource=resource
        )
    return int(raw)


def page_of(
    request: Request[Any, Any, Any],
    items: Sequence[T],
    resource: Resource,
    *,
    default_size: int = 20,
    max_size: int = 40,
) -> tuple[list[T], str | msgspec.UnsetType]:
    """The page of ``items`` the request asks for, and the ``nextPage`` URL when there are more."""
    page = _number(request, "page", 1, resource)
    size = _number(request, "pageSize", default_size, resource)
    if size > max_size:
        raise ZuoraError(
            Category.INVALID_VALUE, f"The pageSize must be at most {max_size}.", resource=resource
        )
    start = (page - 1) * size
    chunk = list(items[start : start + size])
    if start + size >= len(items):
        return chunk, msgspec.UNSET
    params = {**dict(request.query_params), "page": str(page + 1), "pageSize": str(size)}
    base = str(request.base_url).rstrip("/")
    return chunk, f"{base}{request.url.path}?{urlencode(params)}"
