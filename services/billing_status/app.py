"""The billing-status Litestar app: status per customer and per order, and Zuora's payment callouts."""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

import msgspec
from litestar import Controller, Litestar, Request, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter

from contracts.billing_status import v1
from contracts.common import Money, id_pattern
from contracts.problem import Problem
from services.billing_status.desk import BillingDesk, PaymentCallout
from services.customer_master._routes import CustomerIdPath
from services.runtime.openapi import problem_responses
from services.runtime.problems import ProblemError
from services.runtime.service_app import capability_app, capability_documents

CAPABILITY = "billing-status"
SCOPES = {"billing:read": "Read invoices, payments and balances"}
TAGS = {"billing-status": "Invoices, payments and balance of a customer or an order, reconciled"}
DESCRIPTION = (
    "Invoices, payments, balance and payment failures per customer and per order, read from Zuora and "
    "NetSuite and reconciled: every disagreement between the two is listed. Problem types: "
    "docs/problem-types.md."
)
PUBLIC_MODELS: tuple[type[msgspec.Struct], ...] = (
    v1.BillingStatus,
    v1.Invoice,
    v1.ErpInvoiceView,
    v1.Payment,
    v1.Discrepancy,
    Money,
    Problem,
)
OrderIdPath = Annotated[str, PathParameter(pattern=id_pattern("ord"), description="revgate order id.")]
_READ = [{"oauth2": ["billing:read"]}]
_callout = msgspec.json.Decoder(PaymentCallout)


class BillingStatusV1(Controller):
    path = "/v1"
    tags = list(TAGS)

    @get(
        "/customers/{customer_id:str}/billing-status",
        operation_id="getCustomerBillingStatus",
        summary="A customer's invoices, payments and balance, reconciled between Zuora and NetSuite",
        security=_READ,
        responses=problem_responses(400, 404, 500, 503),
    )
    async def customer(
        self, customer_id: CustomerIdPath, desk: NamedDependency[BillingDesk]
    ) -> v1.BillingStatus:
        return await desk.customer(customer_id)

    @get(
        "/orders/{order_id:str}/billing-status",
        operation_id="getOrderBillingStatus",
        summary="The invoices and payments of one order, reconciled between Zuora and NetSuite",
        security=_READ,
        responses=problem_responses(400, 404, 500, 503),
    )
    async def order(self, order_id: OrderIdPath, desk: NamedDependency[BillingDesk]) -> v1.BillingStatus:
        return await desk.order(order_id)

    @post("/callouts/zuora/payments", status_code=200, include_in_schema=False)
    async def zuora_callout(
        self, request: Request[Any, Any, Any], desk: NamedDependency[BillingDesk]
    ) -> dict[str, str]:
        """Zuora's payment notifications (called by Zuora directly, not through the gateway)."""
        if not desk.authentic(*_basic(request.headers.get("authorization"))):
            raise ProblemError(
                "unauthorized",
                "Callouts need the configured Basic credentials",
                headers={"WWW-Authenticate": "Basic"},
            )
        callout = _callout.decode(await request.body())
        state = await desk.payment_event(callout)
        return {"accountNumber": callout.account_number, "paymentStatus": state.payment_status}


def _basic(header: str | None) -> tuple[str, str]:
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    return user, password


def create_app(
    desk: BillingDesk | None,
    *,
    on_shutdown: Sequence[Callable[[], Awaitable[Any]]] = (),
) -> Litestar:
    return capability_app(
        CAPABILITY,
        DESCRIPTION,
        SCOPES,
        TAGS,
        BillingStatusV1,
        1,
        documents=openapi_documents,
        dependencies={"desk": desk},
        on_shutdown=on_shutdown,
    )


@functools.cache
def openapi_documents() -> dict[int, dict[str, Any]]:
    return capability_documents(create_app(None), PUBLIC_MODELS)
