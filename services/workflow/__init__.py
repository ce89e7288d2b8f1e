"""Durable workflows: journals of steps kept in a store, run exactly once across crashes and retries.

- :class:`Runner` runs a :class:`Flow` (steps, and the compensation after a refusal) over a
  :class:`WorkflowStore`; see ``_engine`` for retries, stalls, leases and recovery.
- :class:`RedisWorkflowStore` shares state between processes; :class:`MemoryWorkflowStore` is its
  in-process twin for the embedded default. Both pass one conformance suite.
- :class:`IdempotentPost` gives POSTs ``Idempotency-Key`` semantics over the same store.
"""

from services.workflow._desk import WorkflowDesk
from services.workflow._engine import (
    Flow,
    NotResumable,
    Runner,
    RunPolicy,
    Skip,
    StepDefinition,
    StepPending,
    StepRefused,
)
from services.workflow._idempotency import IdempotentPost
from services.workflow._journal import FailureReason, Journal, Status, StepRecord, StepState, utcnow
from services.workflow._memory import MemoryWorkflowStore
from services.workflow._redis import RedisWorkflowStore
from services.workflow._store import KeyClaim, KeyState, Versioned, WorkflowStore
from services.workflow._views import reason_views, step_views

__all__ = [
    "FailureReason",
    "Flow",
    "IdempotentPost",
    "Journal",
    "KeyClaim",
    "KeyState",
    "MemoryWorkflowStore",
    "NotResumable",
    "RedisWorkflowStore",
    "RunPolicy",
    "Runner",
    "Skip",
    "Status",
    "StepDefinition",
    "StepPending",
    "StepRecord",
    "StepRefused",
    "StepState",
    "Versioned",
    "WorkflowDesk",
    "WorkflowStore",
    "reason_views",
    "step_views",
    "utcnow",
]
