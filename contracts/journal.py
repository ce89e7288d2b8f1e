"""How an accepted request that runs across several systems shows its progress.

Order submission and contract updates answer ``202 Accepted`` with the ``Location`` of a status
resource; that resource lists every step with its state, so that an operator sees where a stalled
order is stuck and why.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from contracts._base import Model

StepState = Literal["pending", "running", "succeeded", "retrying", "stalled", "failed", "skipped"]
"""``retrying``: the last attempt failed for a passing reason and another is scheduled.
``stalled``: retries are used up; the step waits for ``nextAttemptAt`` or an operator's resume."""

RunStatus = Literal["accepted", "in-progress", "stalled", "compensating", "completed", "failed"]
"""``compensating``: a system refused a step for good and what was already done is being undone."""
UnderWay = Literal["accepted", "in-progress", "stalled", "compensating"]
"""The statuses of a run that is not over: what an operator lists to find what needs a hand."""


class Step(Model):
    """One step of the run, in the order the steps happen."""

    name: Annotated[str, msgspec.Meta(examples=["erp-order-booked"])]
    state: StepState
    attempts: int = 0
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    last_error: str | None = None
    """The last failure, in words, with the system that failed."""
    compensation: bool = False
    """A step that undoes an earlier one after a refusal."""


class Reason(Model):
    """Why a run failed: one refusal of one system."""

    system: Literal["revgate", "salesforce", "zuora", "netsuite"]
    message: str
    code: str | None = None
