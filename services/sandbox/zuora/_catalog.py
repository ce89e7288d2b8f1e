"""``GET /v1/catalog/products``: the product catalog, seeded from the shared demo catalog.

Every product of :data:`services.sandbox._demo.CATALOG` sold as a subscription (``in_billing``)
is a Zuora product with one rate plan (``<name> Monthly``) and one recurring per-seat charge
billed monthly, priced in each currency of the entry. Ids are derived from the SKU, so they
are the same in every sandbox process and after every reset (see :func:`catalog_ids`). A
product no longer sold (RG-LEGACY) ended on :data:`RETIRED_ON`: its rate plan's status is
``Expired`` and orders cannot subscribe to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any, Final

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency

from services.sandbox import _demo
from services.sandbox.zuora._errors import Resource
from services.sandbox.zuora._paging import page_of
from services.sandbox.zuora._records import CatalogCharge, CatalogRatePlan, Product
from services.sandbox.zuora._store import ZuoraTenant
from services.sandbox.zuora._wire import json_response

LAUNCHED_ON: Final = dt.date(2024, 1, 1)
RETIRED_ON: Final = dt.date(2025, 7, 1)
"""Effective end (exclusive) of products no longer sold."""
ON_SALE_UNTIL: Final = dt.date(2099, 12, 31)


class CatalogIds(msgspec.Struct, frozen=True):
    """The Zuora ids of one SKU's product, rate plan and charge."""

    product_id: str
    product_rate_plan_id: str
    product_rate_plan_charge_id: str


def _zuora_id(kind: str, sku: str) -> str:
    return hashlib.sha256(f"{kind}:{sku}".encode()).hexdigest()[:32]


def catalog_ids(sku: str) -> CatalogIds:
    """The ids the sandbox gives to a SKU of the shared catalog."""
    return CatalogIds(
        product_id=_zuora_id("product", sku),
        product_rate_plan_id=_zuora_id("rate-plan", sku),
        product_rate_plan_charge_id=_zuora_id("charge", sku),
    )


def seed_catalog(tenant: ZuoraTenant) -> None:
    for entry in _demo.CATALOG:
        if not entry.in_billing:
            continue
        ids = catalog_ids(entry.sku)
        charge = CatalogCharge(
            id=ids.product_rate_plan_charge_id,
            name=f"{entry.name} Seats",
            billing_period="Month",
            prices=dict(entry.prices),
        )
        plan = CatalogRatePlan(id=ids.product_rate_plan_id, name=f"{entry.name} Monthly", charges=[charge])
        tenant.products.put(
            Product(
                id=ids.product_id,
                sku=entry.sku,
                name=entry.name,
                description=f"{entry.name}, per seat per month.",
                effective_start=LAUNCHED_ON,
                effective_end=ON_SALE_UNTIL if entry.active else RETIRED_ON,
                rate_plans=[plan],
            )
        )


def rate_plan_status(product: Product, today: dt.date) -> str:
    """``Active``, ``Expired`` or ``NotStarted``, as Zuora derives it from the effective dates."""
    if today >= product.effective_end:
        return "Expired"
    return "Active" if today >= product.effective_start else "NotStarted"


class PriceOut(msgspec.Struct, rename="camel", frozen=True):
    currency: str
    price: Decimal
    tiers: None = None
    included_units: None = None
    overage_price: None = None
    discount_percentage: None = None
    discount_amount: None = None


class ChargeOut(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    name: str
    type: str
    model: str
    uom: str
    pricing_summary: list[str]
    pricing: list[PriceOut]
    billing_period: str
    billing_day: str = "SubscriptionStartDay"
    billing_timing: str = "IN_ADVANCE"
    default_quantity: Decimal = Decimal(1)
    description: str = ""


class RatePlanOut(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    status: str
    name: str
    effective_start_date: dt.date
    effective_end_date: dt.date
    product_rate_plan_charges: list[ChargeOut]
    description: str = ""


class ProductOut(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    sku: str
    name: str
    description: str
    category: str
    effective_start_date: dt.date
    effective_end_date: dt.date
    product_rate_plans: list[RatePlanOut]


class ProductsPage(msgspec.Struct, rename="camel", frozen=True):
    products: list[ProductOut]
    next_page: str | msgspec.UnsetType = msgspec.UNSET
    success: bool = True


def _charge_out(charge: CatalogCharge) -> ChargeOut:
    return ChargeOut(
        id=charge.id,
        name=charge.name,
        type=charge.type,
        model=charge.model,
        uom=charge.uom,
        pricing_summary=[f"{currency}{price}" for currency, price in charge.prices.items()],
        pricing=[PriceOut(currency, price) for currency, price in charge.prices.items()],
        billing_period=charge.billing_period,
    )


def product_out(product: Product, today: dt.date) -> ProductOut:
    return ProductOut(
        id=product.id,
        sku=product.sku,
        name=product.name,
        description=product.description,
        category="Base Products",
        effective_start_date=product.effective_start,
        effective_end_date=product.effective_end,
        product_rate_plans=[
            RatePlanOut(
                id=plan.id,
                status=rate_plan_status(product, today),
                name=plan.name,
                effective_start_date=product.effective_start,
                effective_end_date=product.effective_end,
                product_rate_plan_charges=[_charge_out(c) for c in plan.charges],
            )
            for plan in product.rate_plans
        ],
    )


class CatalogController(Controller):
    """Product catalog (``GET /v1/catalog/products``, Zuora's page size 10 by default, at most 40)."""

    path = "/v1/catalog"

    @get("/products")
    async def products(
        self, request: Request[Any, Any, Any], tenant: NamedDependency[ZuoraTenant]
    ) -> Response[bytes]:
        today = dt.date.today()
        page, next_page = page_of(request, list(tenant.products), Resource.PRODUCT, default_size=10)
        return json_response(ProductsPage([product_out(p, today) for p in page], next_page))
