"""The order-submission Litestar app: ``/v1/orders``."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

import msgspec
from litestar import Controller, Litestar, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from contracts.common import Money, id_pattern
from contracts.journal import Reason, Step, UnderWay
from contracts.order_submission import v1
from contracts.problem import Problem
from services.order_submission.desk import OrderDesk, view
from services.runtime.openapi import LOCATION, IdempotentOperation, problem_responses
from services.runtime.service_app import capability_app, capability_documents
from services.runtime.strict_body import StrictBody
from services.workflow import Status

CAPABILITY = "order-submission"
SCOPES = {"orders:read": "Read orders and their progress", "orders:write": "Submit and resume orders"}
TAGS = {"orders": "Orders: submitted once, then run step by step across Zuora, NetSuite and Salesforce"}
DESCRIPTION = (
    "A closed-won Salesforce opportunity (or an explicit order) becomes a Zuora subscription and a "
    "NetSuite sales order with its billing schedule; the result is written back to Salesforce. "
    "Idempotent by `Idempotency-Key`; progress per step at `GET /v1/orders/{id}`. "
    "Problem types: docs/problem-types.md."
)
PUBLIC_MODELS: tuple[type[msgspec.Struct], ...] = (
    v1.OrderSubmission,
    v1.ExplicitOrder,
    v1.OrderLine,
    v1.Order,
    v1.OrderList,
    Step,
    Reason,
    Money,
    Problem,
)
OrderIdPath = Annotated[str, PathParameter(pattern=id_pattern("ord"), description="revgate order id.")]
StatusQuery = Annotated[
    UnderWay | None, QueryParameter(name="status", description="Only orders in this status.")
]
_READ = [{"oauth2": ["orders:read"]}]
_WRITE = [{"oauth2": ["orders:write"]}]


class OrdersV1(Controller):
    path = "/v1/orders"
    tags = list(TAGS)

    @post(
        dto=StrictBody[v1.OrderSubmission],
        return_dto=None,
        status_code=202,
        operation_id="submitOrder",
        summary="Submit an order: checked at once, then run step by step",
        operation_class=IdempotentOperation,
        response_headers=[LOCATION],
        security=_WRITE,
        responses=problem_responses(400, 409, 415, 422, 500, 503),
    )
    async def submit(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[v1.OrderSubmission],
        desk: NamedDependency[OrderDesk],
    ) -> Response[v1.Order]:
        return await desk.submit(request, data)  # type: ignore[return-value]

    @get(
        operation_id="listOrders",
        summary="Orders still under way; `status=stalled` lists those waiting for a system or an operator",
        security=_READ,
        responses=problem_responses(400, 500),
    )
    async def under_way(self, desk: NamedDependency[OrderDesk], status: StatusQuery = None) -> v1.OrderList:
        journals = await desk.under_way(Status(status) if status else None)
        return v1.OrderList(items=tuple(view(j) for j in journals))

    @get(
        "/{order_id:str}",
        operation_id="getOrder",
        summary="An order and the state of each of its steps",
        security=_READ,
        responses=problem_responses(400, 404, 500),
    )
    async def order(self, order_id: OrderIdPath, desk: NamedDependency[OrderDesk]) -> v1.Order:
        return view(await desk.get(order_id))

    @post(
        "/{order_id:str}/resume",
        status_code=202,
        operation_id="resumeOrder",
        summary="Try a stalled order again now",
        security=_WRITE,
        responses=problem_responses(400, 404, 409, 500),
    )
    async def resume(self, order_id: OrderIdPath, desk: NamedDependency[OrderDesk]) -> v1.Order:
        return view(await desk.resume(order_id))


def create_app(
    desk: OrderDesk | None,
    *,
    on_startup: Sequence[Callable[[], Awaitable[Any]]] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[Any]]] = (),
) -> Litestar:
    """The app over an assembled :class:`OrderDesk` (None: for the OpenAPI document only)."""
    return capability_app(
        CAPABILITY,
        DESCRIPTION,
        SCOPES,
        TAGS,
        OrdersV1,
        1,
        documents=openapi_documents,
        dependencies={"desk": desk},
        on_startup=[*([desk.runner.start] if desk else []), *on_startup],
        on_shutdown=[*([desk.runner.stop] if desk else []), *on_shutdown],
    )


@functools.cache
def openapi_documents() -> dict[int, dict[str, Any]]:
    links = {
        "submitOrder": {"GetOrder": ("getOrder", "order_id"), "ResumeOrder": ("resumeOrder", "order_id")}
    }
    return capability_documents(create_app(None), PUBLIC_MODELS, links)
