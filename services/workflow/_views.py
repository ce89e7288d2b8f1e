"""A journal's steps and failure reasons in their public shape (``contracts.journal``)."""

from __future__ import annotations

from typing import Any, cast

from contracts.journal import Reason, Step
from services.workflow._journal import Journal


def step_views(journal: Journal) -> tuple[Step, ...]:
    return tuple(
        Step(
            name=s.name,
            state=cast(Any, s.state.value),
            attempts=s.attempts,
            started_at=s.started_at,
            finished_at=s.finished_at,
            last_error=s.last_error,
            compensation=s.compensation,
        )
        for s in journal.steps
    )


def reason_views(journal: Journal) -> tuple[Reason, ...] | None:
    known = ("salesforce", "zuora", "netsuite")
    return (
        tuple(
            Reason(
                system=cast(Any, r.system if r.system in known else "revgate"), message=r.message, code=r.code
            )
            for r in journal.failure_reasons
        )
        or None
    )
