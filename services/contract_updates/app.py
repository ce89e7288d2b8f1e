"""The contract-updates Litestar app: ``/v1/amendments``."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

import msgspec
from litestar import Controller, Litestar, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from contracts.common import Money, id_pattern
from contracts.contract_updates import v1
from contracts.journal import Reason, Step, UnderWay
from contracts.problem import Problem
from services.contract_updates.desk import AmendmentDesk, view
from services.runtime.openapi import LOCATION, IdempotentOperation, problem_responses
from services.runtime.service_app import capability_app, capability_documents
from services.runtime.strict_body import StrictBody
from services.workflow import Status

CAPABILITY = "contract-updates"
SCOPES = {"contracts:read": "Read amendments and their progress", "contracts:write": "Amend subscriptions"}
TAGS = {"amendments": "Amendments: seat changes, renewals and cancellations of a subscription"}
DESCRIPTION = (
    "Seat changes (mid-term, prorated by Zuora), renewals and cancellations of a subscription, carried "
    "to Zuora, NetSuite (change order, renewal order, or closed lines) and Salesforce. Idempotent by "
    "`Idempotency-Key`; progress per step at `GET /v1/amendments/{id}`. Problem types: docs/problem-types.md."
)
PUBLIC_MODELS: tuple[type[msgspec.Struct], ...] = (
    v1.AmendmentRequest,
    v1.Amendment,
    v1.AmendmentList,
    Step,
    Reason,
    Money,
    Problem,
)
AmendmentIdPath = Annotated[
    str, PathParameter(pattern=id_pattern("amd"), description="revgate amendment id.")
]
StatusQuery = Annotated[
    UnderWay | None, QueryParameter(name="status", description="Only amendments in this status.")
]
_READ = [{"oauth2": ["contracts:read"]}]
_WRITE = [{"oauth2": ["contracts:write"]}]


class AmendmentsV1(Controller):
    path = "/v1/amendments"
    tags = list(TAGS)

    @post(
        dto=StrictBody[v1.AmendmentRequest],
        return_dto=None,
        status_code=202,
        operation_id="submitAmendment",
        summary="Amend a subscription: checked at once, then run step by step",
        operation_class=IdempotentOperation,
        response_headers=[LOCATION],
        security=_WRITE,
        responses=problem_responses(400, 409, 415, 422, 500, 503),
    )
    async def submit(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[v1.AmendmentRequest],
        desk: NamedDependency[AmendmentDesk],
    ) -> Response[v1.Amendment]:
        return await desk.submit(request, data)  # type: ignore[return-value]

    @get(
        operation_id="listAmendments",
        summary="Amendments still under way; `status=stalled` lists those waiting for a system or operator",
        security=_READ,
        responses=problem_responses(400, 500),
    )
    async def under_way(
        self, desk: NamedDependency[AmendmentDesk], status: StatusQuery = None
    ) -> v1.AmendmentList:
        journals = await desk.under_way(Status(status) if status else None)
        return v1.AmendmentList(items=tuple(view(j) for j in journals))

    @get(
        "/{amendment_id:str}",
        operation_id="getAmendment",
        summary="An amendment and the state of each of its steps",
        security=_READ,
        responses=problem_responses(400, 404, 500),
    )
    async def amendment(
        self, amendment_id: AmendmentIdPath, desk: NamedDependency[AmendmentDesk]
    ) -> v1.Amendment:
        return view(await desk.get(amendment_id))

    @post(
        "/{amendment_id:str}/resume",
        status_code=202,
        operation_id="resumeAmendment",
        summary="Try a stalled amendment again now",
        security=_WRITE,
        responses=problem_responses(400, 404, 409, 500),
    )
    async def resume(
        self, amendment_id: AmendmentIdPath, desk: NamedDependency[AmendmentDesk]
    ) -> v1.Amendment:
        return view(await desk.resume(amendment_id))


def create_app(
    desk: AmendmentDesk | None,
    *,
    on_startup: Sequence[Callable[[], Awaitable[Any]]] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[Any]]] = (),
) -> Litestar:
    """The app over an assembled :class:`AmendmentDesk` (None: for the OpenAPI document only)."""
    return capability_app(
        CAPABILITY,
        DESCRIPTION,
        SCOPES,
        TAGS,
        AmendmentsV1,
        1,
        documents=openapi_documents,
        dependencies={"desk": desk},
        on_startup=[*([desk.runner.start] if desk else []), *on_startup],
        on_shutdown=[*([desk.runner.stop] if desk else []), *on_shutdown],
    )


@functools.cache
def openapi_documents() -> dict[int, dict[str, Any]]:
    links = {
        "submitAmendment": {
            "GetAmendment": ("getAmendment", "amendment_id"),
            "ResumeAmendment": ("resumeAmendment", "amendment_id"),
        }
    }
    return capability_documents(create_app(None), PUBLIC_MODELS, links)
