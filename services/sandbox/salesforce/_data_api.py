"""sObject rows: create, read, update, delete, by record id or by external id (upsert), and describe."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from services.sandbox.salesforce._errors import SalesforceApiError, no_such_column, not_found
from services.sandbox.salesforce._http import (
    DATA_API_PATH,
    AnyRequest,
    check_version,
    json_object,
    json_response,
)
from services.sandbox.salesforce._ids import looks_like_id
from services.sandbox.salesforce._org import DAILY_API_LIMIT, SalesforceOrg
from services.sandbox.salesforce._schema import FieldSpec, FieldType, SObjectSchema
from services.sandbox.salesforce._store import MultipleMatches, record_url, render


@get("/services/data", sync_to_thread=False)
def versions() -> Response[bytes]:
    """The API versions the org speaks (no session needed, as in Salesforce)."""
    return json_response(
        200,
        [
            {"label": label, "url": f"/services/data/v{number}", "version": number}
            for label, number in (("Spring '24", "60.0"), ("Summer '24", "61.0"), ("Winter '25", "62.0"))
        ],
    )


class DataApi(Controller):
    """``/services/data/vNN.N``: resources, limits, describe, and sObject rows."""

    path = DATA_API_PATH
    guards = [check_version]

    @get("/", sync_to_thread=False)
    def resources(self, version: FromPath[str]) -> Response[bytes]:
        root = f"/services/data/{version}"
        names = ("sobjects", "query", "limits")
        return json_response(200, {name: f"{root}/{name}" for name in names})

    @get("/limits", sync_to_thread=False)
    def limits(self, org: NamedDependency[SalesforceOrg]) -> Response[bytes]:
        remaining = max(0, DAILY_API_LIMIT - org.api_usage)
        return json_response(200, {"DailyApiRequests": {"Max": DAILY_API_LIMIT, "Remaining": remaining}})

    @get("/sobjects", sync_to_thread=False)
    def describe_global(self, org: NamedDependency[SalesforceOrg], version: FromPath[str]) -> Response[bytes]:
        sobjects = [_summary(schema, version) for schema in org.store.registry]
        return json_response(200, {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects})

    @get("/sobjects/{sobject:str}", sync_to_thread=False)
    def basic_info(
        self, org: NamedDependency[SalesforceOrg], version: FromPath[str], sobject: FromPath[str]
    ) -> Response[bytes]:
        schema = org.store.schema(sobject)
        return json_response(200, {"objectDescribe": _summary(schema, version), "recentItems": []})

    @get("/sobjects/{sobject:str}/describe", sync_to_thread=False)
    def describe(
        self, org: NamedDependency[SalesforceOrg], version: FromPath[str], sobject: FromPath[str]
    ) -> Response[bytes]:
        schema = org.store.schema(sobject)
        return json_response(
            200, {**_summary(schema, version), "fields": [_describe_field(f) for f in schema]}
        )

    @post("/sobjects/{sobject:str}")
    async def create(
        self, request: AnyRequest, org: NamedDependency[SalesforceOrg], sobject: FromPath[str]
    ) -> Response[bytes]:
        schema = org.store.schema(sobject)
        record_id = org.store.create(schema, await json_object(request))
        return json_response(201, {"id": record_id, "success": True, "errors": []})

    @get("/sobjects/{sobject:str}/{record_id:str}", sync_to_thread=False)
    def read(
        self,
        org: NamedDependency[SalesforceOrg],
        version: FromPath[str],
        sobject: FromPath[str],
        record_id: FromPath[str],
        fields: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        schema = org.store.schema(sobject)
        if not looks_like_id(record_id):
            raise _no_such_external_id_field(record_id)
        record = org.store.get(schema, record_id)
        if record is None:
            raise not_found()
        return json_response(200, render(schema, record, version, _field_list(schema, fields)))

    @patch("/sobjects/{sobject:str}/{record_id:str}")
    async def update(
        self,
        request: AnyRequest,
        org: NamedDependency[SalesforceOrg],
        sobject: FromPath[str],
        record_id: FromPath[str],
    ) -> Response[bytes]:
        schema = org.store.schema(sobject)
        org.store.update(schema, record_id, await json_object(request))
        return json_response(204, None)

    @delete("/sobjects/{sobject:str}/{record_id:str}", status_code=200, sync_to_thread=False)
    def remove(
        self, org: NamedDependency[SalesforceOrg], sobject: FromPath[str], record_id: FromPath[str]
    ) -> Response[bytes]:
        org.store.delete(org.store.schema(sobject), record_id)
        return json_response(204, None)

    @get("/sobjects/{sobject:str}/{field:str}/{value:str}", sync_to_thread=False)
    def read_by_external_id(
        self,
        org: NamedDependency[SalesforceOrg],
        version: FromPath[str],
        sobject: FromPath[str],
        field: FromPath[str],
        value: FromPath[str],
        fields: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        schema = org.store.schema(sobject)
        matches = org.store.find(schema, _external_id(schema, field), value)
        if not matches:
            raise not_found()
        if len(matches) > 1:
            return _multiple_choices(version, schema, [m["Id"] for m in matches])
        return json_response(200, render(schema, matches[0], version, _field_list(schema, fields)))

    @patch("/sobjects/{sobject:str}/{field:str}/{value:str}")
    async def upsert(
        self,
        request: AnyRequest,
        org: NamedDependency[SalesforceOrg],
        version: FromPath[str],
        sobject: FromPath[str],
        field: FromPath[str],
        value: FromPath[str],
    ) -> Response[bytes]:
        schema = org.store.schema(sobject)
        spec = _external_id(schema, field)
        body = await json_object(request)
        try:
            record_id, created = org.store.upsert(schema, spec, value, body)
        except MultipleMatches as exc:
            return _multiple_choices(version, schema, exc.record_ids)
        answer = {"id": record_id, "success": True, "errors": [], "created": created}
        return json_response(201 if created else 200, answer)

    @delete("/sobjects/{sobject:str}/{field:str}/{value:str}", status_code=200, sync_to_thread=False)
    def remove_by_external_id(
        self,
        org: NamedDependency[SalesforceOrg],
        version: FromPath[str],
        sobject: FromPath[str],
        field: FromPath[str],
        value: FromPath[str],
    ) -> Response[bytes]:
        schema = org.store.schema(sobject)
        matches = org.store.find(schema, _external_id(schema, field), value)
        if not matches:
            raise not_found()
        if len(matches) > 1:
            return _multiple_choices(version, schema, [m["Id"] for m in matches])
        org.store.delete(schema, matches[0]["Id"])
        return json_response(204, None)


def _field_list(schema: SObjectSchema, fields: str | None) -> list[str] | None:
    """The ``?fields=`` of a record read: those fields (canonical names), then ``Id``, as Salesforce does."""
    if fields is None:
        return None
    names: list[str] = []
    for raw in (part.strip() for part in fields.split(",")):
        spec = schema.field(raw) if raw else None
        if spec is None:
            raise SalesforceApiError.one(400, "INVALID_FIELD", no_such_column(raw, schema.name))
        if spec.name not in names:
            names.append(spec.name)
    return names if "Id" in names else [*names, "Id"]


def _external_id(schema: SObjectSchema, field: str) -> FieldSpec:
    spec = schema.field(field)
    if spec is None or not (spec.external_id or spec.type is FieldType.ID):
        raise _no_such_external_id_field(field)
    return spec


def _no_such_external_id_field(name: str) -> SalesforceApiError:
    return SalesforceApiError.one(
        404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {name}"
    )


def _multiple_choices(version: str, schema: SObjectSchema, record_ids: list[str]) -> Response[bytes]:
    return json_response(300, [record_url(version, schema.name, record_id) for record_id in record_ids])


def _summary(schema: SObjectSchema, version: str) -> dict[str, Any]:
    root = f"/services/data/{version}/sobjects/{schema.name}"
    return {
        "name": schema.name,
        "label": schema.label,
        "labelPlural": schema.label_plural,
        "keyPrefix": schema.key_prefix,
        "custom": schema.name.endswith("__c"),
        "createable": True,
        "updateable": True,
        "deletable": True,
        "queryable": True,
        "urls": {"sobject": root, "describe": f"{root}/describe", "rowTemplate": f"{root}/{{ID}}"},
    }


def _describe_field(spec: FieldSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "label": spec.label,
        "type": spec.type.value,
        "length": spec.length,
        "nillable": not spec.required and spec.type is not FieldType.ID,
        "createable": spec.createable,
        "updateable": spec.updateable,
        "unique": spec.unique,
        "externalId": spec.external_id,
        "idLookup": spec.external_id or spec.type is FieldType.ID,
        "caseSensitive": spec.case_sensitive,
        "custom": spec.name.endswith("__c"),
        "referenceTo": [spec.reference_to] if spec.reference_to else [],
        "relationshipName": spec.relationship_name,
        "cascadeDelete": spec.cascade_delete,
        "restrictedDelete": spec.restricted_delete,
        "restrictedPicklist": spec.restricted,
        "picklistValues": [
            {"active": True, "defaultValue": False, "label": value, "validFor": None, "value": value}
            for value in spec.picklist
        ],
    }
