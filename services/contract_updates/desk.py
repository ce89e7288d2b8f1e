"""The amendment desk: accepts amendments exactly once and shows how far each has got."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from contracts.common import Money
from contracts.contract_updates import v1
from services.contract_updates.checks import AmendmentChecks
from services.contract_updates.flow import AmendmentFlow
from services.contract_updates.plan import AmendmentJournal
from services.domain.customer import new_id
from services.quote_to_cash import SystemsOfRecord
from services.workflow import (
    IdempotentPost,
    Runner,
    RunPolicy,
    WorkflowDesk,
    WorkflowStore,
    reason_views,
    step_views,
)

COLLECTION = "/v1/amendments"


class AmendmentDesk(WorkflowDesk[AmendmentJournal]):
    def __init__(
        self, systems: SystemsOfRecord, store: WorkflowStore, policy: RunPolicy | None = None
    ) -> None:
        runner = Runner(store, AmendmentFlow(systems).flow(), AmendmentJournal, policy, prefix="amd_")
        super().__init__(runner, AmendmentJournal, "amendment", COLLECTION)
        self.checks = AmendmentChecks(systems, store)
        self.idempotent = IdempotentPost(store, lease=runner.policy.lease)

    async def submit(
        self, request: Request[Any, Any, Any], amendment: v1.AmendmentRequest
    ) -> Response[bytes]:
        async def accept(amendment_id: str) -> Response[bytes]:
            journal = await self.runner.load(amendment_id)
            if journal is None:
                journal = self.new_journal(amendment_id, plan=await self.checks.plan(amendment))
                await self.runner.submit(journal)
            return self.accepted(amendment_id, view(journal))

        return await self.idempotent(request, amendment, lambda: new_id("amd"), accept)


def view(journal: AmendmentJournal) -> v1.Amendment:
    plan, outputs = journal.plan, journal.outputs
    prorated = outputs.get("prorated_amount")
    return v1.Amendment(
        id=journal.id,
        status=journal.status.value,
        type=plan.type,
        subscription_number=plan.subscription_number,
        steps=step_views(journal),
        created_at=journal.created_at,
        updated_at=journal.updated_at,
        product_code=plan.sku,
        quantity=plan.quantity,
        effective_date=plan.effective_date,
        order_id=plan.order_id,
        zuora_order_number=outputs.get("zuora_order_number"),
        prorated_amount=Money(amount=prorated, currency=plan.currency) if prorated is not None else None,
        erp_order_id=outputs.get("erp_order_id") or None,
        stalled_reason=journal.stalled_reason,
        next_attempt_at=journal.next_attempt_at,
        failure_reasons=reason_views(journal),
    )
