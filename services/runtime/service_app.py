"""What every capability app shares: problem handlers, ``/healthz``, its OpenAPI document and config."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

import msgspec
from litestar import Controller, Litestar, Request, get
from litestar.di import Provide

from services.runtime.openapi import Links, document, openapi_config
from services.runtime.problems import problem_handlers

Documents = Callable[[], dict[int, dict[str, Any]]]


@get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def openapi_route(majors: Iterable[int], documents: Documents) -> Any:
    """``GET /v{major}/openapi.json``: the document of that major, as committed in ``contracts/openapi``."""

    @get([f"/v{major}/openapi.json" for major in majors], include_in_schema=False)
    async def openapi_json(request: Request[Any, Any, Any]) -> dict[str, Any]:
        return documents()[int(request.url.path.split("/")[1][1:])]

    return openapi_json


def capability_app(
    capability: str,
    description: str,
    scopes: dict[str, str],
    tags: Mapping[str, str],
    controller: type[Controller],
    major: int,
    *,
    documents: Documents,
    dependencies: Mapping[str, Any],
    on_startup: Sequence[Callable[[], Awaitable[Any]]] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[Any]]] = (),
) -> Litestar:
    """The app of a capability with one major version, ``controller`` serving it.

    ``tags``: name -> description of the tags on the controller's routes, one per resource.
    """
    return Litestar(
        route_handlers=[controller, healthz, openapi_route([major], documents)],
        dependencies={
            name: Provide(_constant(value), sync_to_thread=False, use_cache=True)
            for name, value in dependencies.items()
        },
        exception_handlers=problem_handlers(),
        openapi_config=openapi_config(f"revgate {capability} v{major}", description, scopes, tags),
        on_startup=list(on_startup),
        on_shutdown=list(on_shutdown),
    )


def capability_documents(
    app: Litestar, models: Iterable[type[msgspec.Struct]], links: Links | None = None
) -> dict[int, dict[str, Any]]:
    """The document of an app made by :func:`capability_app`, by major."""
    major = int(app.openapi_schema.info.title.rsplit(" v", 1)[1])
    return {major: document(app, models, major, links)}


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value
