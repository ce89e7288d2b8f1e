"""Records as NetSuite answers them: ``links`` first, references as ``{links, id, refName}``.

Sublists are only links unless the request asks ``expandSubResources=true``, as in NetSuite;
multi-select fields are always shown with their items.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import msgspec

from services.sandbox.netsuite._store import RecordStore, RecordType, Target

RECORD_PREFIX = "/services/rest/record/v1"


def self_link(href: str) -> list[dict[str, str]]:
    return [{"rel": "self", "href": href}]


def record_href(base: str, type_name: str, record_id: str) -> str:
    return f"{base}{RECORD_PREFIX}/{type_name}/{record_id}"


def _reference(store: RecordStore, base: str, target: Target, raw: dict[str, Any]) -> dict[str, Any]:
    ref_id = str(raw["id"])
    rendered: dict[str, Any] = {}
    if isinstance(target, str):
        rendered["links"] = self_link(record_href(base, target, ref_id))
    rendered["id"] = ref_id
    if (name := store.ref_name(target, ref_id)) is not None:
        rendered["refName"] = name
    return rendered


def sublist_lines(
    store: RecordStore, base: str, rtype: RecordType, name: str, raw: dict[str, Any], href: str
) -> list[dict[str, Any]]:
    refs = rtype.sublists[name]
    lines = []
    for index, line in enumerate(raw.get("items", [])):
        shown: dict[str, Any] = {"links": self_link(f"{href}/{index + 1}")}
        for key, item in line.items():
            shown[key] = _reference(store, base, refs[key], item) if key in refs else item
        lines.append(shown)
    return lines


def render_record(
    store: RecordStore,
    base: str,
    rtype: RecordType,
    record_id: str,
    record: msgspec.Struct,
    *,
    expand: bool = False,
) -> dict[str, Any]:
    href = record_href(base, rtype.name, record_id)
    raw: dict[str, Any] = msgspec.to_builtins(record)
    shown: dict[str, Any] = {"links": self_link(href)}
    for key, item in raw.items():
        if key in rtype.references:
            shown[key] = _reference(store, base, rtype.references[key], item)
        elif key in rtype.multiselects:
            target = rtype.multiselects[key]
            shown[key] = {"items": [_reference(store, base, target, ref) for ref in item.get("items", [])]}
        elif key in rtype.sublists:
            sub_href = f"{href}/{key}"
            shown[key] = {"links": self_link(sub_href)}
            if expand:
                lines = sublist_lines(store, base, rtype, key, item, sub_href)
                shown[key].update(items=lines, totalResults=len(lines))
        else:
            shown[key] = item
    return shown


def collection_page(
    base: str, path: str, ids: list[str], type_name: str, *, limit: int, offset: int, query: str | None = None
) -> dict[str, Any]:
    """``{links, count, hasMore, items, offset, totalResults}``, with first/previous/next/last links."""
    page = ids[offset : offset + limit]
    total = len(ids)
    has_more = offset + len(page) < total
    filtered = "" if query is None else "&q=" + quote(query, safe="")

    def at(start: int) -> str:
        return f"{base}{path}?limit={limit}&offset={start}{filtered}"

    links = []
    if offset > 0:
        links += [{"rel": "previous", "href": at(max(0, offset - limit))}, {"rel": "first", "href": at(0)}]
    if has_more:
        last = ((total - 1) // limit) * limit
        links += [{"rel": "next", "href": at(offset + limit)}, {"rel": "last", "href": at(last)}]
    links.append({"rel": "self", "href": at(offset)})
    return {
        "links": links,
        "count": len(page),
        "hasMore": has_more,
        "items": [{"links": self_link(record_href(base, type_name, i)), "id": i} for i in page],
        "offset": offset,
        "totalResults": total,
    }
