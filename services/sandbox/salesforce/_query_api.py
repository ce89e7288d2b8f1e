"""SOQL over REST: ``GET /query?q=`` and the batches after it, ``GET /query/<locator>-<offset>``."""

from __future__ import annotations

import re
from typing import Any, Final

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from services.sandbox.salesforce._errors import SalesforceApiError
from services.sandbox.salesforce._http import DATA_API_PATH, AnyRequest, check_version, json_response
from services.sandbox.salesforce._org import SalesforceOrg
from services.sandbox.salesforce._soql import run_query
from services.sandbox.salesforce._soql_columns import render_row

_BATCH_SIZE: Final = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)
DEFAULT_BATCH: Final = 2000
MIN_BATCH: Final = 200


class QueryApi(Controller):
    """Query results in batches: the first from ``/query``, the rest from ``nextRecordsUrl``."""

    path = DATA_API_PATH
    guards = [check_version]

    @get("/query", sync_to_thread=False)
    def query(
        self,
        request: AnyRequest,
        org: NamedDependency[SalesforceOrg],
        version: FromPath[str],
        q: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        if not q or not q.strip():
            raise SalesforceApiError.one(400, "MALFORMED_QUERY", "A query string has to be specified")
        result = run_query(org.store, q)
        if result.columns is None:
            return json_response(200, {"totalSize": len(result.records), "done": True, "records": []})
        rows = [render_row(org.store, result.schema, r, version, result.columns) for r in result.records]
        batch = _batch_size(request.headers.get("sforce-query-options"))
        if len(rows) <= batch:
            return json_response(200, {"totalSize": len(rows), "done": True, "records": rows})
        locator = org.cursors.open(rows)
        return json_response(200, _page(version, locator, rows, 0, batch))

    @get("/query/{cursor:str}", sync_to_thread=False)
    def query_more(
        self,
        request: AnyRequest,
        org: NamedDependency[SalesforceOrg],
        version: FromPath[str],
        cursor: FromPath[str],
    ) -> Response[bytes]:
        locator, _, start = cursor.partition("-")
        rows = org.cursors.rows(locator)
        if rows is None or not start.isdigit() or int(start) > len(rows):
            raise SalesforceApiError.one(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        batch = _batch_size(request.headers.get("sforce-query-options"))
        return json_response(200, _page(version, locator, rows, int(start), batch))


def _page(version: str, locator: str, rows: list[dict[str, Any]], start: int, batch: int) -> dict[str, Any]:
    end = start + batch
    page: dict[str, Any] = {"totalSize": len(rows), "done": end >= len(rows)}
    if end < len(rows):
        page["nextRecordsUrl"] = f"/services/data/{version}/query/{locator}-{end}"
    page["records"] = rows[start:end]
    return page


def _batch_size(options: str | None) -> int:
    """``Sforce-Query-Options: batchSize=N`` (200 to 2000; a hint Salesforce may round)."""
    match = _BATCH_SIZE.search(options or "")
    if match is None:
        return DEFAULT_BATCH
    return min(DEFAULT_BATCH, max(MIN_BATCH, int(match.group(1))))
