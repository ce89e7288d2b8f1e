"""What the capabilities that start workflows share: accepting one, reading it, resuming it."""

from __future__ import annotations

from typing import Any, Generic

import msgspec
from litestar import Response

from services.runtime.correlation import correlation_id
from services.runtime.problems import ProblemError
from services.workflow._engine import J, NotResumable, Runner
from services.workflow._journal import Status, StepState, utcnow


class WorkflowDesk(Generic[J]):
    """Starts, shows and resumes the workflows of one runner; ``noun`` names them in problems."""

    def __init__(self, runner: Runner[J], journal_type: type[J], noun: str, collection: str) -> None:
        self.runner = runner
        self.journal_type = journal_type
        self.noun = noun
        self.collection = collection
        """Path of the status resources, e.g. ``/v1/orders``."""

    def accepted(self, workflow_id: str, body: msgspec.Struct) -> Response[bytes]:
        """``202 Accepted`` with the status resource's ``Location``."""
        return Response(
            msgspec.json.encode(body),
            status_code=202,
            headers={"Location": f"{self.collection}/{workflow_id}"},
            media_type="application/json",
        )

    def new_journal(self, workflow_id: str, **fields: Any) -> J:
        """A journal whose first step, the synchronous check, has succeeded."""
        now = utcnow()
        journal = self.journal_type(
            id=workflow_id,
            steps=self.runner.flow.new_steps(),
            created_at=now,
            updated_at=now,
            correlation_id=correlation_id.get(),
            **fields,
        )
        checked = journal.steps[0]
        checked.state, checked.attempts, checked.started_at, checked.finished_at = (
            StepState.SUCCEEDED,
            1,
            now,
            now,
        )
        return journal

    async def under_way(self, status: Status | None = None) -> list[J]:
        """The workflows not over yet (all, or those with ``status``), oldest first."""
        found = []
        for workflow_id in await self.runner.store.unfinished():
            if workflow_id.startswith(self.runner.prefix):
                journal = await self.runner.load(workflow_id)
                if journal is not None and not journal.status.finished and status in (None, journal.status):
                    found.append(journal)
        return sorted(found, key=lambda j: j.created_at)

    async def get(self, workflow_id: str) -> J:
        journal = await self.runner.load(workflow_id)
        if journal is None:
            raise ProblemError("not-found", f"There is no {self.noun} {workflow_id}")
        return journal

    async def resume(self, workflow_id: str) -> J:
        try:
            journal = await self.runner.resume(workflow_id)
        except NotResumable as exc:
            raise ProblemError(
                "not-resumable", f"The {self.noun} {workflow_id} is {exc}, not stalled"
            ) from exc
        if journal is None:
            raise ProblemError("not-found", f"There is no {self.noun} {workflow_id}")
        return journal
