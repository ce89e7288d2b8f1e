"""The Litestar app: the token endpoint and the record service under ``/services/rest``."""

from __future__ import annotations

from typing import Any, Final

import msgspec
from litestar import Litestar, Request, Response, delete, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.middleware import DefineMiddleware
from litestar.params import FromPath

from services.sandbox._kernel import (
    IssuedTokens,
    SandboxConfig,
    SandboxControls,
    SandboxControlsController,
    SandboxFront,
)
from services.sandbox.netsuite._auth import AccessToken, ClientAssertionVerifier, OAuthError, TokenError
from services.sandbox.netsuite._errors import (
    EXCEPTION_HANDLERS,
    INVALID_LOGIN_DETAIL,
    NetSuiteError,
    NetSuiteFaultShapes,
)
from services.sandbox.netsuite._invoices import INVOICE, transform_to_invoice
from services.sandbox.netsuite._items import CATALOG_TYPES
from services.sandbox.netsuite._orders import SALES_ORDER
from services.sandbox.netsuite._payments import CUSTOMER_PAYMENT
from services.sandbox.netsuite._query import record_filter
from services.sandbox.netsuite._records import RECORD_TYPES
from services.sandbox.netsuite._render import (
    RECORD_PREFIX,
    collection_page,
    record_href,
    render_record,
    self_link,
    sublist_lines,
)
from services.sandbox.netsuite._seed import seed
from services.sandbox.netsuite._store import RecordStore, value

TOKEN_PATH: Final = "/services/rest/auth/oauth2/v1/token"
MAX_PAGE: Final = 1000
_JSON: Final = "application/json"


class NetSuiteSandbox:
    """The state of one simulated NetSuite account."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.store = RecordStore((*RECORD_TYPES, *CATALOG_TYPES, SALES_ORDER, INVOICE, CUSTOMER_PAYMENT))
        self.tokens = IssuedTokens(config.token_ttl)
        self.verifier = ClientAssertionVerifier(config.client_id, config.client_public_keys)
        self.controls = SandboxControls(NetSuiteFaultShapes(), self.tokens, self.reseed)
        self.reseed()

    def reseed(self) -> None:
        seed(self.store)
        self.verifier.forget_used()

    def authorize(self, request: Request[Any, Any, Any]) -> None:
        if not self.tokens.valid(request.headers.get("authorization")):
            raise NetSuiteError(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL)


def _base(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url).rstrip("/")


def _json(content: Any, status: int = 200) -> Response[Any]:
    return Response(content=msgspec.json.encode(content), status_code=status, media_type=_JSON)


def _no_content(location: str | None = None) -> Response[Any]:
    return Response(content=None, status_code=204, headers={"Location": location} if location else None)


async def _body(request: Request[Any, Any, Any]) -> bytes:
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != _JSON:
        raise NetSuiteError(
            415, "UNSUPPORTED_MEDIA_TYPE", f"Content type '{content_type}' is not supported. Use {_JSON}."
        )
    return await request.body()


def _int_param(request: Request[Any, Any, Any], name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise NetSuiteError(
            400,
            "INVALID_PARAMETER",
            f"Invalid value '{raw}' for query parameter {name}: expected an integer from {low} to {high}.",
        )
    return int(raw)


@post("/services/rest/auth/oauth2/v1/token", status_code=200)
async def issue_token(
    request: Request[Any, Any, Any], netsuite: NamedDependency[NetSuiteSandbox]
) -> Response[Any]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        netsuite.verifier.verify(form, _base(request) + TOKEN_PATH)
    except TokenError as exc:
        return _json(OAuthError(error=exc.error, error_description=exc.description), 400)
    ttl = str(int(netsuite.config.token_ttl))
    return _json(AccessToken(access_token=netsuite.tokens.issue(), expires_in=ttl))


@get(RECORD_PREFIX + "/{record_type:str}")
async def list_records(
    request: Request[Any, Any, Any], netsuite: NamedDependency[NetSuiteSandbox], record_type: FromPath[str]
) -> Response[Any]:
    """A page of ids; ``q`` filters them (see ``_query``)."""
    netsuite.authorize(request)
    store = netsuite.store
    rtype = store.record_type(record_type)
    query = request.query_params.get("q")
    if query is None:
        ids = store.ids(rtype.name)
    else:
        selects = record_filter(rtype, query)
        ids = [record_id for record_id, record in store.items(rtype.name) if selects(record)]
    limit = _int_param(request, "limit", MAX_PAGE, 1, MAX_PAGE)
    offset = _int_param(request, "offset", 0, 0, 10**9)
    page = collection_page(
        _base(request), request.url.path, ids, rtype.name, limit=limit, offset=offset, query=query
    )
    return _json(page)


@post(RECORD_PREFIX + "/{record_type:str}")
async def create_record(
    request: Request[Any, Any, Any], netsuite: NamedDependency[NetSuiteSandbox], record_type: FromPath[str]
) -> Response[Any]:
    netsuite.authorize(request)
    body = netsuite.store.decode(record_type, await _body(request))
    record_id = netsuite.store.create(record_type, body)
    return _no_content(record_href(_base(request), netsuite.store.record_type(record_type).name, record_id))


@post(RECORD_PREFIX + "/{record_type:str}/{key:str}/!transform/{target:str}")
async def transform_record(
    request: Request[Any, Any, Any],
    netsuite: NamedDependency[NetSuiteSandbox],
    record_type: FromPath[str],
    key: FromPath[str],
    target: FromPath[str],
) -> Response[Any]:
    """``salesOrder/{id}/!transform/invoice``: bill the order; the body (optional) sets invoice fields."""
    netsuite.authorize(request)
    store = netsuite.store
    source, made = store.record_type(record_type).name, store.record_type(target).name
    if (source, made) != ("salesOrder", "invoice"):
        raise NetSuiteError(
            400, "INVALID_REQUEST", f"Transformation of {source} to {made} is not supported.", None
        )
    raw = await request.body()
    record_id = transform_to_invoice(store, key, await _body(request) if raw.strip() else b"")
    return _no_content(record_href(_base(request), made, record_id))


@get(RECORD_PREFIX + "/{record_type:str}/{key:str}")
async def read_record(
    request: Request[Any, Any, Any],
    netsuite: NamedDependency[NetSuiteSandbox],
    record_type: FromPath[str],
    key: FromPath[str],
) -> Response[Any]:
    netsuite.authorize(request)
    rtype = netsuite.store.record_type(record_type)
    record_id, record = netsuite.store.get(record_type, key)
    expand = request.query_params.get("expandSubResources", "").lower() == "true"
    return _json(render_record(netsuite.store, _base(request), rtype, record_id, record, expand=expand))


@get(RECORD_PREFIX + "/{record_type:str}/{key:str}/{field:str}")
async def read_subresource(
    request: Request[Any, Any, Any],
    netsuite: NamedDependency[NetSuiteSandbox],
    record_type: FromPath[str],
    key: FromPath[str],
    field: FromPath[str],
) -> Response[Any]:
    """A sublist of a record, or the record a reference field points at (``customer/107/subsidiary``)."""
    netsuite.authorize(request)
    store, base = netsuite.store, _base(request)
    rtype = store.record_type(record_type)
    record_id, record = store.get(record_type, key)
    if field in rtype.sublists:
        sublist = value(record, field)
        raw = msgspec.to_builtins(sublist) if sublist is not msgspec.UNSET else {}
        href = f"{record_href(base, record_type, record_id)}/{field}"
        lines = sublist_lines(store, base, rtype, field, raw, href)
        return _json({"links": self_link(href), "items": lines, "totalResults": len(lines)})
    target = rtype.references.get(field)
    ref = value(record, field) if field in rtype.references else msgspec.UNSET
    if isinstance(target, str) and ref is not msgspec.UNSET:
        target_id, target_record = store.get(target, str(ref.id))
        return _json(render_record(store, base, store.record_type(target), target_id, target_record))
    raise NetSuiteError(404, "NONEXISTENT_ID", f"The subresource {field} does not exist on {record_type}.")


@patch(RECORD_PREFIX + "/{record_type:str}/{key:str}", status_code=200)  # the Response says 204
async def update_record(
    request: Request[Any, Any, Any],
    netsuite: NamedDependency[NetSuiteSandbox],
    record_type: FromPath[str],
    key: FromPath[str],
) -> Response[Any]:
    netsuite.authorize(request)
    body = netsuite.store.decode(record_type, await _body(request))
    netsuite.store.update(record_type, key, body, replace=_replace(request))
    return _no_content()


@put(RECORD_PREFIX + "/{record_type:str}/{key:str}", status_code=200)  # the Response says 204
async def upsert_record(
    request: Request[Any, Any, Any],
    netsuite: NamedDependency[NetSuiteSandbox],
    record_type: FromPath[str],
    key: FromPath[str],
) -> Response[Any]:
    """Upsert by external id: create the record, or update it as PATCH would."""
    netsuite.authorize(request)
    if not key.startswith("eid:") or len(key) == 4:
        raise NetSuiteError(
            400,
            "USER_ERROR",
            "Error while accessing a resource. The upsert operation needs an external ID in the URL "
            "(eid:<externalId>).",
        )
    store = netsuite.store
    body = store.decode(record_type, await _body(request))
    external_id = key[4:]
    sent = value(body, "externalId")
    if sent is not msgspec.UNSET and sent != external_id:
        raise NetSuiteError(
            400,
            "INVALID_CONTENT",
            "Error while accessing a resource. The externalId in the body differs from the one in the URL.",
            "externalId",
        )
    if store.find(record_type, key) is not None:
        store.update(record_type, key, body, replace=_replace(request))
        return _no_content()
    record_id = store.create(record_type, body, external_id=external_id)
    return _no_content(record_href(_base(request), store.record_type(record_type).name, record_id))


@delete(RECORD_PREFIX + "/{record_type:str}/{key:str}", status_code=200)  # the Response says 204
async def delete_record(
    request: Request[Any, Any, Any],
    netsuite: NamedDependency[NetSuiteSandbox],
    record_type: FromPath[str],
    key: FromPath[str],
) -> Response[Any]:
    netsuite.authorize(request)
    netsuite.store.delete(record_type, key)
    return _no_content()


def _replace(request: Request[Any, Any, Any]) -> frozenset[str]:
    """``?replace=taxRegistration,addressBook``: these sublists are replaced, not added to."""
    raw = request.query_params.get("replace", "")
    return frozenset(name.strip() for name in raw.split(",") if name.strip())


def create_app(config: SandboxConfig) -> Litestar:
    """A NetSuite account simulator serving ``/services/rest/...`` and ``/__sandbox/...``."""
    netsuite = NetSuiteSandbox(config)
    return Litestar(
        route_handlers=[
            issue_token,
            list_records,
            create_record,
            transform_record,
            read_record,
            read_subresource,
            update_record,
            upsert_record,
            delete_record,
            SandboxControlsController,
        ],
        dependencies={
            "netsuite": Provide(lambda: netsuite, sync_to_thread=False),
            "sandbox": Provide(lambda: netsuite.controls, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        middleware=[DefineMiddleware(SandboxFront, controls=netsuite.controls)],  # type: ignore[arg-type]
        openapi_config=None,
    )
