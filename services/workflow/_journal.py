"""The journal of a workflow: its steps, their states, and what the steps produced.

A capability subclasses :class:`Journal` with what its steps need (the validated order, the
amendment); the engine reads and writes only the fields here.
"""

from __future__ import annotations

import datetime as dt
import enum

import msgspec


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Status(enum.StrEnum):
    ACCEPTED = "accepted"
    IN_PROGRESS = "in-progress"
    STALLED = "stalled"
    COMPENSATING = "compensating"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (Status.COMPLETED, Status.FAILED)


class StepState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    RETRYING = "retrying"
    STALLED = "stalled"
    FAILED = "failed"
    SKIPPED = "skipped"

    @property
    def done(self) -> bool:
        return self in (StepState.SUCCEEDED, StepState.SKIPPED, StepState.FAILED)


class StepRecord(msgspec.Struct, kw_only=True):
    name: str
    state: StepState = StepState.PENDING
    attempts: int = 0
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    last_error: str | None = None
    compensation: bool = False


class FailureReason(msgspec.Struct, frozen=True):
    system: str
    message: str
    code: str | None = None


class Journal(msgspec.Struct, kw_only=True):
    """What every workflow keeps; stored as JSON under its id."""

    id: str
    steps: list[StepRecord]
    created_at: dt.datetime
    updated_at: dt.datetime
    status: Status = Status.ACCEPTED
    outputs: dict[str, str] = msgspec.field(default_factory=dict)
    """What steps produced, by name (``subscription_number``, ``erp_order_id``...)."""
    stalled_reason: str | None = None
    next_attempt_at: dt.datetime | None = None
    failure_reasons: list[FailureReason] = msgspec.field(default_factory=list)
    correlation_id: str | None = None
    """The correlation id of the request that started it, restored whenever it runs."""

    def step(self, name: str) -> StepRecord:
        return next(s for s in self.steps if s.name == name)
