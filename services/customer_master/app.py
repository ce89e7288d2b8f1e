"""The customer-master Litestar app, serving ``/v1`` and ``/v2`` from one canonical model."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import msgspec
from litestar import Litestar
from litestar.di import Provide

from contracts.customer_master import v1, v2
from contracts.problem import Problem
from services.customer_master.master import CustomerMaster
from services.customer_master.v1 import CustomersV1
from services.customer_master.v2 import CustomersV2
from services.runtime.openapi import document, openapi_config
from services.runtime.problems import problem_handlers
from services.runtime.service_app import healthz, openapi_route

CAPABILITY = "customer-master"
SCOPES = {"customers:read": "Read customers", "customers:write": "Create and change customers"}
TAGS = {"customers": "Customers: one record across Salesforce, Zuora and NetSuite"}
MAJORS = {1: CustomersV1, 2: CustomersV2}

#: Every model the documents show, so that closed schemas are marked as such.
PUBLIC_MODELS: tuple[type[msgspec.Struct], ...] = (
    v1.CustomerCreate,
    v1.Customer,
    v1.CustomerUpdate,
    v1.CustomerSummary,
    v1.CustomerPage,
    v1.ExternalIds,
    v2.CustomerCreate,
    v2.Customer,
    v2.CustomerUpdate,
    v2.CustomerSummary,
    v2.CustomerPage,
    v2.Address,
    v2.TaxRegistration,
    v2.Contact,
    v2.ExternalId,
    Problem,
)


def create_app(
    master: CustomerMaster | None,
    *,
    majors: Sequence[int] = tuple(MAJORS),
    on_shutdown: Sequence[Callable[[], Awaitable[Any]]] = (),
) -> Litestar:
    """The app over an assembled :class:`CustomerMaster`; ``on_shutdown`` closes its adapters.

    Litestar's own OpenAPI generation runs on apps of one major (see :func:`openapi_documents`);
    the full app serves those documents at ``/v{major}/openapi.json``.
    """
    return Litestar(
        route_handlers=[
            *(MAJORS[m] for m in majors),
            healthz,
            openapi_route(MAJORS, openapi_documents),
        ],
        dependencies={"master": Provide(lambda: master, sync_to_thread=False, use_cache=True)},
        exception_handlers=problem_handlers(),
        openapi_config=(
            openapi_config(
                f"revgate {CAPABILITY} v{majors[0]}",
                "One customer across Salesforce (engagement), Zuora (billing) and NetSuite (financials). "
                "Field ownership: docs/ownership.md. Problem types: docs/problem-types.md.",
                SCOPES,
                TAGS,
            )
            if len(majors) == 1
            else None
        ),
        on_shutdown=list(on_shutdown),
    )


@functools.cache
def openapi_documents() -> dict[int, dict[str, Any]]:
    """The OpenAPI document of each major, as committed in ``contracts/openapi``."""
    links = {
        "createCustomer": {
            "GetCustomer": ("getCustomer", "customer_id"),
            "UpdateCustomer": ("updateCustomer", "customer_id"),
        }
    }
    return {
        major: document(create_app(None, majors=(major,)), PUBLIC_MODELS, major, links) for major in MAJORS
    }
