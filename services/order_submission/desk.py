"""The order desk: accepts submissions exactly once and shows how far each order has got."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response

from contracts.common import Money
from contracts.order_submission import v1
from services.domain.customer import new_id
from services.order_submission.checks import OrderChecks
from services.order_submission.flow import OrderFlow
from services.order_submission.plan import OrderJournal
from services.quote_to_cash import SystemsOfRecord
from services.runtime.problems import ProblemError
from services.workflow import (
    IdempotentPost,
    Runner,
    RunPolicy,
    WorkflowDesk,
    WorkflowStore,
    reason_views,
    step_views,
)

COLLECTION = "/v1/orders"


def opportunity_link(opportunity_id: str) -> str:
    """The store link from an opportunity to its one order."""
    return f"opportunity:{opportunity_id}"


class OrderDesk(WorkflowDesk[OrderJournal]):
    """Order submission over the systems of record and a workflow store."""

    def __init__(
        self, systems: SystemsOfRecord, store: WorkflowStore, policy: RunPolicy | None = None
    ) -> None:
        runner = Runner(store, OrderFlow(systems, store).flow(), OrderJournal, policy, prefix="ord_")
        super().__init__(runner, OrderJournal, "order", COLLECTION)
        self.store = store
        self.checks = OrderChecks(systems)
        self.idempotent = IdempotentPost(store, lease=runner.policy.lease)

    async def submit(
        self, request: Request[Any, Any, Any], submission: v1.OrderSubmission
    ) -> Response[bytes]:
        async def accept(order_id: str) -> Response[bytes]:
            existing = await self.runner.load(order_id)
            if existing is not None:
                # A retry after a crash between accepting and answering: the order is there already.
                return self.accepted(order_id, view(existing))
            plan = await self.checks.plan(submission, dt.date.today())
            link = opportunity_link(plan.opportunity_id) if plan.opportunity_id else None
            if link is not None and (owner := await self.store.link(link, order_id)) != order_id:
                raise ProblemError(
                    "order-exists",
                    f"Opportunity {plan.opportunity_id} was ordered already as {owner}",
                    headers={"Location": f"{COLLECTION}/{owner}"},
                )
            journal = self.new_journal(order_id, plan=plan)
            try:
                await self.runner.submit(journal)
            except Exception:
                if link is not None:
                    await self.store.unlink(link, order_id)
                raise
            return self.accepted(order_id, view(journal))

        return await self.idempotent(request, submission, lambda: new_id("ord"), accept)


def view(journal: OrderJournal) -> v1.Order:
    plan, outputs = journal.plan, journal.outputs
    return v1.Order(
        id=journal.id,
        status=journal.status.value,
        customer_id=plan.customer_id,
        currency=plan.currency,
        start_date=plan.start_date,
        term_months=plan.term_months,
        lines=tuple(
            v1.OrderLine(product_code=line.sku, quantity=line.quantity, unit_price=str(line.unit_price))
            for line in plan.lines
        ),
        steps=step_views(journal),
        created_at=journal.created_at,
        updated_at=journal.updated_at,
        total_per_month=Money(amount=str(plan.total_per_month), currency=plan.currency),
        opportunity_id=plan.opportunity_id,
        subscription_number=outputs.get("subscription_number"),
        erp_order_id=outputs.get("erp_order_id") or None,
        stalled_reason=journal.stalled_reason,
        next_attempt_at=journal.next_attempt_at,
        failure_reasons=reason_views(journal),
    )
