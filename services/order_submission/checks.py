"""Checks a submission against the three systems before anything is created, and plans the order.

Every reason is collected, not only the first, so that a rep fixes the deal once:

- the deal: a won opportunity, with a term and a start date revgate can book;
- the account hierarchy: the account (and its parent, if any) are revgate customers;
- the legal entity: the customer's NetSuite subsidiary sells in the order's currency, and the
  Zuora account bills in it;
- the tax region: a customer in another EU country than the selling entity needs a VAT number
  (reverse charge);
- product eligibility: every product is active in Salesforce and sold as a subscription in the
  Zuora catalog, priced in the order's currency; prices more than half below list need the deal
  desk.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Final

from contracts.order_submission import v1
from contracts.problem import InvalidParam
from services.order_submission.plan import OrderPlan, PlannedLine
from services.ports import BillingAccount, CrmAccount, ErpCustomer, LegalEntity
from services.quote_to_cash import CatalogProduct, Opportunity, SystemsOfRecord
from services.runtime.problems import validation_failed

DEFAULT_TERM_MONTHS: Final = 12
MAX_DISCOUNT: Final = Decimal("0.5")
BACKDATING: Final = dt.timedelta(days=31)
FORWARD_DATING: Final = dt.timedelta(days=366)
_EU: Final = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
EU_VAT_AREA: Final = frozenset(_EU.split(" "))


@dataclass(frozen=True, slots=True)
class _Line:
    """A requested line, wherever it came from, with where to point a reason at."""

    pointer: str
    label: str
    sku: str
    name: str
    quantity: int
    price: str


@dataclass(slots=True)
class _Request:
    """What was asked for, from an opportunity or given explicitly."""

    customer_id: str | None = None
    account: CrmAccount | None = None
    currency: str = ""
    start_date: dt.date | None = None
    term_months: int | None = None
    auto_renew: bool = True
    lines: list[_Line] = field(default_factory=list)
    opportunity_id: str | None = None
    date_pointer: str = "/order/startDate"


class OrderChecks:
    """Turns a submission into an :class:`OrderPlan`, or refuses it with every reason."""

    def __init__(self, systems: SystemsOfRecord) -> None:
        self.systems = systems

    async def plan(self, submission: v1.OrderSubmission, today: dt.date) -> OrderPlan:
        reasons: list[InvalidParam] = []
        if (submission.opportunity_id is None) == (submission.order is None):
            raise validation_failed(
                "The order", [InvalidParam("", "Give exactly one of opportunityId and order")]
            )
        if submission.opportunity_id is not None:
            request = await self._from_opportunity(submission.opportunity_id, reasons)
        else:
            assert submission.order is not None
            request = await self._from_order(submission.order, reasons)
        if request.account is None or request.customer_id is None:
            raise validation_failed("The order", reasons)
        customer_id = request.customer_id
        billing_account, erp_customer, entities, catalog, parent = await asyncio.gather(
            self.systems.billing_accounts.billing_account(customer_id),
            self.systems.erp_customers.customer(external_id=customer_id),
            self.systems.erp_customers.legal_entities(),
            self.systems.billing.catalog(),
            self._parent(request.account),
        )
        self._hierarchy(request.account, parent, reasons)
        entity = self._legal_entity(request, billing_account, erp_customer, entities, reasons)
        self._tax_region(request.account, erp_customer, entity, reasons)
        self._terms(request, today, reasons)
        lines = self._products(request, catalog, reasons)
        if reasons or erp_customer is None or request.start_date is None or request.term_months is None:
            raise validation_failed("The order", reasons)
        return OrderPlan(
            customer_id=customer_id,
            account_crm_id=request.account.crm_id or "",
            legal_entity=erp_customer.legal_entity,
            currency=request.currency,
            start_date=request.start_date,
            term_months=request.term_months,
            auto_renew=request.auto_renew,
            lines=tuple(lines),
            opportunity_id=request.opportunity_id,
        )

    async def _from_opportunity(self, opportunity_id: str, reasons: list[InvalidParam]) -> _Request:
        request = _Request()
        request.opportunity_id = opportunity_id
        request.date_pointer = "/opportunityId"
        deal = await self.systems.deals.opportunity(opportunity_id)
        if deal is None:
            reasons.append(InvalidParam("/opportunityId", f"Salesforce has no opportunity {opportunity_id}"))
            return request
        request.opportunity_id = deal.crm_id
        self._deal(deal, request, reasons)
        request.account = await self.systems.accounts.account(deal.account_crm_id)
        if request.account is None:
            reasons.append(InvalidParam("/opportunityId", f"Account {deal.account_crm_id} does not exist"))
        elif not request.account.customer_id:
            reasons.append(
                InvalidParam(
                    "/opportunityId",
                    f"Account {request.account.name!r} is not a revgate customer; create it with "
                    "customer-master first",
                )
            )
        else:
            request.customer_id = request.account.customer_id
        return request

    @staticmethod
    def _deal(deal: Opportunity, request: _Request, reasons: list[InvalidParam]) -> None:
        here = "/opportunityId"
        if not (deal.is_closed and deal.is_won):
            reasons.append(
                InvalidParam(here, f"Opportunity stage is {deal.stage!r}: only a won deal can be ordered")
            )
        if not deal.lines:
            reasons.append(InvalidParam(here, "The opportunity has no products"))
        request.currency = deal.currency
        request.term_months = deal.term_months or DEFAULT_TERM_MONTHS
        request.start_date = deal.start_date or min(
            (line.service_date for line in deal.lines if line.service_date), default=deal.close_date
        )
        request.lines = [
            _Line(
                here,
                f"line {i + 1} ({line.product_code})",
                line.product_code,
                line.product_name,
                line.quantity,
                str(line.unit_price),
            )
            for i, line in enumerate(deal.lines)
        ]
        for i, line in enumerate(deal.lines):
            if not line.product_active:
                reasons.append(
                    InvalidParam(
                        here, f"line {i + 1} ({line.product_code}): the product is inactive in Salesforce"
                    )
                )

    async def _from_order(self, order: v1.ExplicitOrder, reasons: list[InvalidParam]) -> _Request:
        request = _Request()
        request.customer_id = order.customer_id
        request.currency = order.currency
        request.start_date = order.start_date
        request.term_months = order.term_months
        request.auto_renew = order.auto_renew
        request.lines = [
            _Line(
                f"/order/lines/{i}",
                f"line {i + 1} ({line.product_code})",
                line.product_code,
                line.product_code,
                line.quantity,
                line.unit_price,
            )
            for i, line in enumerate(order.lines)
        ]
        request.account = await self.systems.accounts.account_by_customer_id(order.customer_id)
        if request.account is None:
            reasons.append(
                InvalidParam("/order/customerId", f"No customer {order.customer_id} in Salesforce")
            )
        return request

    async def _parent(self, account: CrmAccount) -> CrmAccount | None:
        return await self.systems.accounts.account(account.parent_crm_id) if account.parent_crm_id else None

    @staticmethod
    def _hierarchy(account: CrmAccount, parent: CrmAccount | None, reasons: list[InvalidParam]) -> None:
        if account.parent_crm_id is None:
            return
        if parent is None:
            reasons.append(InvalidParam("", f"The parent account {account.parent_crm_id} does not exist"))
        elif not parent.customer_id:
            reasons.append(
                InvalidParam(
                    "",
                    f"The parent account {parent.name!r} is not a revgate customer: invoices cannot roll up",
                )
            )

    @staticmethod
    def _legal_entity(
        request: _Request,
        billing: BillingAccount | None,
        erp: ErpCustomer | None,
        entities: list[LegalEntity],
        reasons: list[InvalidParam],
    ) -> LegalEntity | None:
        currency = request.currency
        if billing is None:
            reasons.append(InvalidParam("", f"The customer has no Zuora account {request.customer_id}"))
        elif billing.currency != currency:
            reasons.append(
                InvalidParam("", f"The Zuora account bills in {billing.currency}, the order is in {currency}")
            )
        if erp is None:
            reasons.append(InvalidParam("", "The customer has no NetSuite record"))
            return None
        entity = next((e for e in entities if e.code == erp.legal_entity), None)
        if entity is None:
            reasons.append(InvalidParam("", f"Legal entity {erp.legal_entity} does not exist in NetSuite"))
        elif currency not in entity.currencies:
            reasons.append(
                InvalidParam(
                    "",
                    f"Legal entity {entity.code} does not sell in {currency} "
                    f"(only {', '.join(entity.currencies)})",
                )
            )
        return entity

    @staticmethod
    def _tax_region(
        account: CrmAccount, erp: ErpCustomer | None, entity: LegalEntity | None, reasons: list[InvalidParam]
    ) -> None:
        address = account.billing_address
        if address is None or not address.country:
            reasons.append(InvalidParam("", "The account has no billing country, so no tax region"))
            return
        country = address.country
        if entity is None or erp is None or country == entity.country:
            return
        in_vat_area = country in EU_VAT_AREA and entity.country in EU_VAT_AREA
        if in_vat_area and not any(r.country == country for r in erp.tax_registrations):
            reasons.append(
                InvalidParam(
                    "",
                    f"A customer in {country} bought from {entity.code} needs a {country} VAT number "
                    "(reverse charge)",
                )
            )

    @staticmethod
    def _terms(request: _Request, today: dt.date, reasons: list[InvalidParam]) -> None:
        start, here = request.start_date, request.date_pointer
        if request.term_months is not None and not 1 <= request.term_months <= 60:
            reasons.append(InvalidParam(here, f"A term of {request.term_months} months is outside 1 to 60"))
        if start is not None and start < today - BACKDATING:
            reasons.append(InvalidParam(here, f"Start date {start} is more than 31 days in the past"))
        if start is not None and start > today + FORWARD_DATING:
            reasons.append(InvalidParam(here, f"Start date {start} is more than a year ahead"))

    @staticmethod
    def _products(
        request: _Request, catalog: list[CatalogProduct], reasons: list[InvalidParam]
    ) -> list[PlannedLine]:
        by_sku = {product.sku: product for product in catalog}
        planned: list[PlannedLine] = []
        for line in request.lines:
            where, label = line.pointer, line.label
            pointer = where if where == "/opportunityId" else f"{where}/productCode"
            product = by_sku.get(line.sku)
            if product is None:
                reasons.append(
                    InvalidParam(pointer, f"{label}: not sold as a subscription (not in the Zuora catalog)")
                )
                continue
            if not product.active:
                reasons.append(InvalidParam(pointer, f"{label}: no longer sold (outside its catalog dates)"))
                continue
            offer = next(
                (
                    (plan, charge)
                    for plan in product.rate_plans
                    if plan.active
                    for charge in plan.charges
                    if request.currency in charge.list_prices
                ),
                None,
            )
            if offer is None:
                reasons.append(InvalidParam(pointer, f"{label}: has no price in {request.currency}"))
                continue
            plan, charge = offer
            price = _price(line.price)
            price_pointer = where if where == "/opportunityId" else f"{where}/unitPrice"
            if price is None or price < 0:
                reasons.append(
                    InvalidParam(price_pointer, f"{label}: unit price {line.price!r} is not a price")
                )
                continue
            if price < charge.list_prices[request.currency] * (1 - MAX_DISCOUNT):
                reasons.append(
                    InvalidParam(
                        price_pointer,
                        f"{label}: {price} is more than {MAX_DISCOUNT:.0%} below the list price "
                        f"{charge.list_prices[request.currency]}; it needs deal-desk approval",
                    )
                )
                continue
            planned.append(
                PlannedLine(
                    sku=product.sku,
                    name=product.name,
                    quantity=line.quantity,
                    unit_price=price,
                    rate_plan_id=plan.rate_plan_id,
                    charge_id=charge.charge_id,
                    billing_period=charge.billing_period,
                )
            )
        return planned


def _price(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
