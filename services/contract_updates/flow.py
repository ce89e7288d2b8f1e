"""The steps of an amendment, each idempotent (keyed by the amendment id in Zuora and NetSuite).

::

    validated → subscription-amended → erp-adjusted → salesforce-updated
                        (NetSuite refuses a seat change) ↘ subscription-restored → salesforce-told
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from services.contract_updates.plan import AmendmentJournal
from services.order_submission.flow import erp_line
from services.order_submission.plan import add_months
from services.quote_to_cash import (
    AmendmentAction,
    Cancel,
    ChangeQuantity,
    DealUpdate,
    ErpOrderLine,
    ErpSalesOrder,
    IntegrationStatus,
    Renew,
    SubscriptionAmendment,
    SystemsOfRecord,
)
from services.workflow import Flow, Skip, StepDefinition, StepRefused, StepState


class AmendmentFlow:
    def __init__(self, systems: SystemsOfRecord) -> None:
        self.systems = systems

    def flow(self) -> Flow[AmendmentJournal]:
        return Flow(
            steps=[
                StepDefinition("validated", self._validated),
                StepDefinition("subscription-amended", self._amend),
                StepDefinition("erp-adjusted", self._adjust_erp),
                StepDefinition("salesforce-updated", self._tell_salesforce),
            ],
            compensation=[
                StepDefinition("subscription-restored", self._restore),
                StepDefinition("salesforce-told", self._tell_salesforce_of_failure),
            ],
        )

    async def _validated(self, journal: AmendmentJournal) -> None:
        """Checked synchronously when the amendment was accepted."""

    async def _amend(self, journal: AmendmentJournal) -> None:
        plan = journal.plan
        action: AmendmentAction
        if plan.type == "change-quantity":
            changed, quantity, effective = plan.seat_change()
            action = await self._change(plan.subscription_number, changed.charge_number, quantity, effective)
        elif plan.type == "renew":
            action = Renew()
        else:
            action = Cancel(effective_date=plan.effective_date)
        outcome = await self.systems.billing.amend(
            SubscriptionAmendment(journal.id, plan.subscription_number, action)
        )
        journal.outputs.update(
            zuora_order_number=outcome.order_number,
            prorated_amount=str(outcome.prorated_amount),
            term_end=outcome.subscription.term_end.isoformat(),
            subscription_status=outcome.subscription.status,
            seats=str(outcome.subscription.charges[0].quantity if outcome.subscription.charges else 0),
        )

    async def _adjust_erp(self, journal: AmendmentJournal) -> None:
        plan = journal.plan
        if plan.type == "cancel":
            if plan.order_id is None:
                raise Skip
            await self.systems.erp.close_sales_order(plan.order_id)
            return
        if plan.type == "renew":
            start = plan.term_end
            months = _term_months(plan.term_start, plan.term_end)
            end = add_months(start, months) - dt.timedelta(days=1)
            lines = tuple(erp_line(c, months, start, end, c.sku) for c in plan.charges)
            tran_date, memo = start, f"Renewal of {plan.subscription_number} for {months} months"
        else:
            changed, quantity, effective = plan.seat_change()
            added = quantity - changed.quantity
            prorated = Decimal(journal.outputs["prorated_amount"])
            rate = (prorated / added).quantize(Decimal("0.01"))
            lines = (
                ErpOrderLine(
                    item=changed.sku,
                    quantity=added,
                    rate=rate,
                    amount=rate * added,
                    billing_schedule="Upfront",
                    rev_rec_start=effective,
                    rev_rec_end=plan.last_day,
                    description=f"+{added} seats from {effective}, prorated by Zuora",
                ),
            )
            tran_date = effective
            memo = f"Change order for {plan.subscription_number}: {changed.quantity} → {quantity} seats"
        order = await self.systems.erp.book_sales_order(
            ErpSalesOrder(
                external_id=journal.id,
                customer_external_id=plan.customer_id,
                legal_entity=plan.legal_entity,
                currency=plan.currency,
                tran_date=tran_date,
                lines=lines,
                other_ref=plan.subscription_number,
                memo=memo,
            )
        )
        journal.outputs["erp_order_id"] = order.tran_id or order.erp_id or ""

    async def _tell_salesforce(self, journal: AmendmentJournal) -> None:
        plan, outputs = journal.plan, journal.outputs
        if plan.opportunity_id is None:
            raise Skip
        await self.systems.deals.update_deal(
            plan.opportunity_id,
            DealUpdate(
                integration_status=IntegrationStatus.COMPLETED,
                integration_message=f"{plan.type} {journal.id}: Zuora order {outputs['zuora_order_number']}",
                seats=int(outputs["seats"]),
                contract_end=dt.date.fromisoformat(outputs["term_end"]) - dt.timedelta(days=1),
                subscription_status="Cancelled" if plan.type == "cancel" else outputs["subscription_status"],
            ),
        )

    async def _restore(self, journal: AmendmentJournal) -> None:
        plan = journal.plan
        amended = journal.step("subscription-amended").state is StepState.SUCCEEDED
        if (
            plan.type != "change-quantity"
            or not amended
            or journal.step("erp-adjusted").state is StepState.SUCCEEDED
        ):
            raise Skip
        changed, _, effective = plan.seat_change()
        undo = await self._change(
            plan.subscription_number, changed.charge_number, changed.quantity, effective
        )
        await self.systems.billing.amend(
            SubscriptionAmendment(f"{journal.id}-undo", plan.subscription_number, undo)
        )

    async def _change(
        self, number: str, charge_number: str, quantity: int, effective: dt.date
    ) -> ChangeQuantity:
        """A quantity change of the charge as the subscription has it now.

        Zuora gives a subscription's rate plans new ids with every version; the charge number stays.
        """
        subscription = await self.systems.billing.subscription(number)
        charge = (
            next((c for c in subscription.charges if c.charge_number == charge_number), None)
            if subscription
            else None
        )
        if charge is None:
            raise StepRefused("zuora", f"subscription {number} no longer has charge {charge_number}")
        return ChangeQuantity(charge.rate_plan_id, charge_number, quantity, effective)

    async def _tell_salesforce_of_failure(self, journal: AmendmentJournal) -> None:
        if journal.plan.opportunity_id is None:
            raise Skip
        reasons = "; ".join(f"{r.system}: {r.message}" for r in journal.failure_reasons)
        await self.systems.deals.update_deal(
            journal.plan.opportunity_id,
            DealUpdate(
                integration_status=IntegrationStatus.FAILED,
                integration_message=f"{journal.plan.type} failed: {reasons}",
            ),
        )


def _term_months(start: dt.date, end: dt.date) -> int:
    """Whole months of a term, from its first day to the day after its last."""
    return (end.year - start.year) * 12 + end.month - start.month
