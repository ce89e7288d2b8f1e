"""sObject Collections: ``POST /composite/sobjects`` creates up to 200 records in one call."""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Response, post
from litestar.di import NamedDependency

from services.sandbox.salesforce._errors import SalesforceApiError
from services.sandbox.salesforce._http import (
    DATA_API_PATH,
    AnyRequest,
    check_version,
    json_object,
    json_response,
)
from services.sandbox.salesforce._org import SalesforceOrg

MAX_COLLECTION: Final = 200
_ROLLED_BACK: Final = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": (
        "Record rolled back because not all records were valid and the request was using AllOrNone header"
    ),
    "fields": [],
}


class CollectionsApi(Controller):
    """Many records per call, each with its own result; ``allOrNone`` rolls all back on one failure."""

    path = DATA_API_PATH
    guards = [check_version]

    @post("/composite/sobjects", status_code=200)
    async def create_collection(
        self, request: AnyRequest, org: NamedDependency[SalesforceOrg]
    ) -> Response[bytes]:
        """sObject Collections: create up to 200 records in one call, each with its own result."""
        body = await json_object(request)
        records, all_or_none = body.get("records"), body.get("allOrNone") is True
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise SalesforceApiError.one(400, "JSON_PARSER_ERROR", "records must be an array of sObjects")
        if len(records) > MAX_COLLECTION:
            raise SalesforceApiError.one(
                400,
                "EXCEEDED_ID_LIMIT",
                f"record limit reached. cannot submit more than {MAX_COLLECTION} records",
            )
        before = org.store.snapshot()
        results: list[dict[str, Any]] = []
        for record in records:
            attributes = record.get("attributes")
            sobject = attributes.get("type") if isinstance(attributes, dict) else None
            try:
                if not isinstance(sobject, str):
                    raise SalesforceApiError.one(400, "INVALID_TYPE", "Must send a concrete entity type.")
                record_id = org.store.create(org.store.schema(sobject), record)
            except SalesforceApiError as exc:
                # Collections name the code ``statusCode``, unlike every other error of the API.
                errors = [
                    {"statusCode": e.error_code, "message": e.message, "fields": e.fields} for e in exc.errors
                ]
                results.append({"success": False, "errors": errors})
            else:
                results.append({"id": record_id, "success": True, "errors": []})
        if all_or_none and not all(r["success"] for r in results):
            org.store.restore(before)
            for result in results:
                if result["success"]:
                    result.pop("id")
                    result["success"] = False
                    result["errors"] = [_ROLLED_BACK]
        return json_response(200, results)
