"""The steps of an order, each idempotent, and what undoes them when the ERP refuses the order.

::

    validated → subscription-created → activated → erp-order-booked → salesforce-updated
                                   (refused for good) ↘ subscription-cancelled → salesforce-told

The order id keys every vendor write: the Zuora subscription's ``RevgateOrderId__c`` (and the
order's Idempotency-Key), the NetSuite sales order's external id. A step run again after a crash
therefore finds its own earlier write.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final, Protocol

from services.order_submission.plan import OrderJournal
from services.quote_to_cash import (
    Cancel,
    DealUpdate,
    ErpOrderLine,
    ErpSalesOrder,
    IntegrationStatus,
    NewSubscription,
    PlanSubscription,
    SubscriptionAmendment,
    SystemsOfRecord,
)
from services.workflow import Flow, Skip, StepDefinition, StepPending, StepRefused, StepState, WorkflowStore

PERIOD_MONTHS: Final = {"Month": 1, "Quarter": 3, "Semi-Annual": 6, "Annual": 12}
SCHEDULES: Final = {"Month": "Monthly", "Quarter": "Quarterly", "Annual": "Annual"}


def subscription_link(subscription_number: str) -> str:
    """The store link from a subscription to the order that created it."""
    return f"subscription:{subscription_number}"


class PricedLine(Protocol):
    """A product line with a per-period price: a planned order line, or a charge of a subscription."""

    @property
    def sku(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def unit_price(self) -> Decimal: ...
    @property
    def billing_period(self) -> str: ...


def erp_line(
    line: PricedLine, plan_months: int, start: dt.date, end: dt.date, description: str
) -> ErpOrderLine:
    """A NetSuite line for the whole term: the rate is the unit's price for the term, billed by schedule."""
    periods = Decimal(plan_months) / PERIOD_MONTHS.get(line.billing_period, 1)
    rate = (line.unit_price * periods).quantize(Decimal("0.01"))
    return ErpOrderLine(
        item=line.sku,
        quantity=line.quantity,
        rate=rate,
        amount=rate * line.quantity,
        billing_schedule=SCHEDULES.get(line.billing_period, "Monthly"),
        rev_rec_start=start,
        rev_rec_end=end,
        description=description,
    )


class OrderFlow:
    """The order workflow over the systems of record."""

    def __init__(self, systems: SystemsOfRecord, store: WorkflowStore) -> None:
        self.systems = systems
        self.store = store

    def flow(self) -> Flow[OrderJournal]:
        return Flow(
            steps=[
                StepDefinition("validated", self._validated),
                StepDefinition("subscription-created", self._create_subscription),
                StepDefinition("activated", self._activated),
                StepDefinition("erp-order-booked", self._book),
                StepDefinition("salesforce-updated", self._tell_salesforce),
            ],
            compensation=[
                StepDefinition("subscription-cancelled", self._cancel_subscription),
                StepDefinition("salesforce-told", self._tell_salesforce_of_failure),
            ],
            on_stalled=self._tell_salesforce_of_stall,
        )

    async def _validated(self, journal: OrderJournal) -> None:
        """Checked synchronously when the order was accepted; nothing to do here."""

    async def _create_subscription(self, journal: OrderJournal) -> None:
        plan = journal.plan
        subscription = await self.systems.billing.create_subscription(
            NewSubscription(
                order_ref=journal.id,
                account_number=plan.customer_id,
                start_date=plan.start_date,
                term_months=plan.term_months,
                auto_renew=plan.auto_renew,
                plans=tuple(
                    PlanSubscription(line.rate_plan_id, line.charge_id, line.quantity, line.unit_price)
                    for line in plan.lines
                ),
                opportunity_id=plan.opportunity_id,
            )
        )
        journal.outputs["subscription_number"] = subscription.subscription_number
        await self.store.link(subscription_link(subscription.subscription_number), journal.id)

    async def _activated(self, journal: OrderJournal) -> None:
        number = journal.outputs["subscription_number"]
        subscription = await self.systems.billing.subscription(number)
        if subscription is None:
            raise StepPending(f"Zuora does not show subscription {number} yet")
        if subscription.status == "Active":
            return
        if subscription.status == "Pending Activation":
            raise StepPending(f"subscription {number} is pending activation in Zuora")
        raise StepRefused("zuora", f"subscription {number} is {subscription.status}, not Active")

    async def _book(self, journal: OrderJournal) -> None:
        plan = journal.plan
        order = await self.systems.erp.book_sales_order(
            ErpSalesOrder(
                external_id=journal.id,
                customer_external_id=plan.customer_id,
                legal_entity=plan.legal_entity,
                currency=plan.currency,
                tran_date=plan.start_date,
                lines=tuple(
                    erp_line(line, plan.term_months, plan.start_date, plan.end_date, line.name)
                    for line in plan.lines
                ),
                other_ref=journal.outputs["subscription_number"],
                memo=f"revgate order {journal.id}"
                + (f" for opportunity {plan.opportunity_id}" if plan.opportunity_id else ""),
            )
        )
        journal.outputs["erp_order_id"] = order.tran_id or order.erp_id or ""
        journal.outputs["erp_internal_id"] = order.erp_id or ""

    async def _tell_salesforce(self, journal: OrderJournal) -> None:
        plan = journal.plan
        if plan.opportunity_id is None:
            raise Skip
        await self.systems.deals.update_deal(
            plan.opportunity_id,
            DealUpdate(
                order_id=journal.id,
                integration_status=IntegrationStatus.COMPLETED,
                integration_message="",
                subscription_number=journal.outputs["subscription_number"],
                erp_order_id=journal.outputs["erp_order_id"],
                seats=plan.lines[0].quantity,
                contract_end=plan.end_date,
                subscription_status="Active",
            ),
        )

    async def _cancel_subscription(self, journal: OrderJournal) -> None:
        number = journal.outputs.get("subscription_number")
        # Only an order the ERP could not book is undone: a booked order stays, whatever happens later.
        if number is None or journal.step("erp-order-booked").state is StepState.SUCCEEDED:
            raise Skip
        await self.systems.billing.amend(
            SubscriptionAmendment(
                amendment_ref=f"{journal.id}-undo",
                subscription_number=number,
                action=Cancel(effective_date=journal.plan.start_date),
            )
        )
        journal.outputs["subscription_cancelled"] = "true"

    async def _tell_salesforce_of_failure(self, journal: OrderJournal) -> None:
        plan = journal.plan
        if plan.opportunity_id is None:
            raise Skip
        reasons = "; ".join(f"{r.system}: {r.message}" for r in journal.failure_reasons)
        await self.systems.deals.update_deal(
            plan.opportunity_id,
            DealUpdate(
                order_id=journal.id,
                integration_status=IntegrationStatus.FAILED,
                integration_message=f"Order failed: {reasons}",
                subscription_number=journal.outputs.get("subscription_number"),
                subscription_status="Cancelled" if journal.outputs.get("subscription_cancelled") else None,
            ),
        )

    async def _tell_salesforce_of_stall(self, journal: OrderJournal) -> None:
        if journal.plan.opportunity_id is not None:
            await self.systems.deals.update_deal(
                journal.plan.opportunity_id,
                DealUpdate(
                    order_id=journal.id,
                    integration_status=IntegrationStatus.STALLED,
                    integration_message=f"Stalled at {journal.stalled_reason}; revgate retries it",
                ),
            )
