"""What every route of the sandbox shares: JSON answers, JSON bodies, the version guard."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import msgspec
from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from services.sandbox.salesforce._errors import SalesforceApiError, not_found

JSON_MEDIA_TYPE: Final = "application/json;charset=UTF-8"
DATA_API_PATH: Final = "/services/data/{version:str}"
_VERSION: Final = re.compile(r"^v\d{2}\.\d$")

AnyRequest = Request[Any, Any, Any]


def json_response(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response[bytes]:
    content = b"" if status == 204 else msgspec.json.encode(payload)
    return Response(content, status_code=status, media_type=JSON_MEDIA_TYPE, headers=dict(headers or {}))


def base_url(request: AnyRequest) -> str:
    """The sandbox's own address as the caller reached it: the ``instance_url`` of its tokens."""
    return str(request.base_url).rstrip("/")


def check_version(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Any ``vNN.N`` is served (the sandbox speaks one dialect); anything else is not a resource."""
    if not _VERSION.match(connection.path_params.get("version", "")):
        raise not_found()


async def json_object(request: AnyRequest) -> dict[str, Any]:
    """The request body as a JSON object, or Salesforce's JSON_PARSER_ERROR."""
    raw = await request.body()
    if not raw.strip():
        raise SalesforceApiError.one(400, "JSON_PARSER_ERROR", "No content to map due to end-of-input")
    try:
        body = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise SalesforceApiError.one(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None
    if not isinstance(body, dict):
        token = "START_ARRAY" if isinstance(body, list) else "VALUE"
        raise SalesforceApiError.one(
            400, "JSON_PARSER_ERROR", f"Cannot deserialize instance of SObject from {token}"
        )
    return body
