"""Runs workflows step by step, durably: every state change is saved before and after a step.

A step is an idempotent async function of the journal: run twice (after a crash between the
vendor's answer and our save), it finds what the first run did, by external ids and idempotency
keys, instead of doing it again. That is what makes a resumed workflow exactly-once.

- A passing failure (throttled, unavailable, not ready yet) is retried with jittered backoff,
  ``attempts`` times; then the workflow is *stalled* with the reason, and tried again by itself
  after ``stall_retry`` seconds, or at once on :meth:`Runner.resume`.
- A refusal for good (``Rejected``, ``Conflict``, ``NotFound``, :class:`StepRefused`) fails the
  step and runs the flow's compensation steps (durably, like any step); the workflow ends failed.
- One process runs a workflow at a time: a lease in the store, renewed while it runs. A process
  that dies loses its lease, and any other (or the same, restarted) picks the workflow up.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import msgspec

from services.adapters.errors import Throttled, VendorError
from services.runtime.correlation import correlation_id
from services.workflow._journal import FailureReason, Journal, Status, StepRecord, StepState, utcnow
from services.workflow._store import WorkflowStore

log = logging.getLogger("revgate.workflow")

J = TypeVar("J", bound=Journal)


class StepPending(Exception):
    """The step cannot finish yet (e.g. the subscription is not active yet): try again later."""

    system = "revgate"


class StepRefused(Exception):
    """The step can never succeed as things are: fail it and compensate."""

    def __init__(self, system: str, message: str) -> None:
        super().__init__(message)
        self.system = system
        self.message = message


class Skip(Exception):
    """The step does not apply to this workflow (e.g. no opportunity to write back to)."""


@dataclass(frozen=True, slots=True)
class StepDefinition(Generic[J]):
    name: str
    action: Callable[[J], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Flow(Generic[J]):
    """What a kind of workflow does: its steps, and the steps that undo them after a refusal."""

    steps: Sequence[StepDefinition[J]]
    compensation: Sequence[StepDefinition[J]] = ()
    on_stalled: Callable[[J], Awaitable[None]] | None = None
    """Told (best effort) when the workflow stalls, e.g. to show it in the CRM."""

    def new_steps(self) -> list[StepRecord]:
        return [StepRecord(name=s.name) for s in self.steps]


class RunPolicy(msgspec.Struct, frozen=True):
    """How hard a workflow tries before it stalls, and how long a process holds it."""

    attempts: int = 4
    """Tries of a step, in one go, before the workflow stalls."""
    base_delay: float = 1.0
    """Seconds before the first retry of a step; doubled each time, with full jitter."""
    max_delay: float = 30.0
    stall_retry: float = 300.0
    """Seconds a stalled workflow waits before it is tried again by itself."""
    lease: float = 30.0
    """Seconds a process holds a workflow without renewing; another process takes over after that."""
    sweep_interval: float = 5.0
    """Seconds between looks for workflows that are due (stalled ones, or those of a dead process)."""


class NotResumable(Exception):
    """Only a stalled workflow can be resumed."""


class Runner(Generic[J]):
    """Starts, runs, resumes and recovers the workflows of one flow."""

    def __init__(
        self,
        store: WorkflowStore,
        flow: Flow[J],
        journal_type: type[J],
        policy: RunPolicy | None = None,
        *,
        prefix: str = "",
    ) -> None:
        self.store = store
        self.prefix = prefix
        """Ids of this flow's workflows start with it (several flows may share one store)."""
        self.flow = flow
        self.policy = policy or RunPolicy()
        self._decoder = msgspec.json.Decoder(journal_type)
        self._actions = {s.name: s.action for s in (*flow.steps, *flow.compensation)}
        self._owner = uuid.uuid4().hex
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._sweeper: asyncio.Task[None] | None = None

    # --- Life cycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Begin looking for due workflows (those a dead process left, stalled ones whose time came)."""
        self._sweeper = asyncio.create_task(self._sweep())

    async def stop(self) -> None:
        tasks = [t for t in (self._sweeper, *self._tasks.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def settle(self) -> None:
        """Wait until every run this process started has ended (for tests and orderly shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    # --- Reading and starting -----------------------------------------------------------------------

    async def load(self, workflow_id: str) -> J | None:
        found = await self.store.load(workflow_id)
        return None if found is None else self._decoder.decode(found.data)

    async def submit(self, journal: J) -> bool:
        """Store the new workflow and start running it; False when one with its id exists already."""
        if not await self.store.create(journal.id, msgspec.json.encode(journal)):
            return False
        await self.store.set_unfinished(journal.id, True)
        self.kick(journal.id)
        return True

    def kick(self, workflow_id: str) -> None:
        """Run the workflow in the background, unless this process runs it already."""
        if workflow_id in self._tasks:
            return
        task = asyncio.create_task(self.run(workflow_id))
        self._tasks[workflow_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(workflow_id, None))

    async def resume(self, workflow_id: str) -> J | None:
        """Try a stalled workflow again now. None when unknown; NotResumable when not stalled."""
        while True:
            found = await self.store.load(workflow_id)
            if found is None:
                return None
            journal = self._decoder.decode(found.data)
            if journal.status is not Status.STALLED:
                raise NotResumable(journal.status.value)
            journal.next_attempt_at = utcnow()
            if await self.store.save(workflow_id, msgspec.json.encode(journal), found.version):
                self.kick(workflow_id)
                return journal

    # --- Running ------------------------------------------------------------------------------------

    async def run(self, workflow_id: str) -> None:
        """Run what is left of the workflow, if no other process holds it."""
        if not await self.store.acquire(workflow_id, self._owner, self.policy.lease):
            return
        heartbeat = asyncio.create_task(self._hold(workflow_id))
        try:
            await _Run(self, workflow_id).drive()
        except Exception:
            # The journal stays as it was saved: the sweep picks the workflow up again.
            log.exception("workflow %s stopped unexpectedly", workflow_id)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            await self.store.release(workflow_id, self._owner)

    async def recover(self) -> None:
        """Run every unfinished workflow that is due."""
        now = utcnow()
        for workflow_id in await self.store.unfinished():
            if not workflow_id.startswith(self.prefix):
                continue
            journal = await self.load(workflow_id)
            if journal is None or journal.status.finished:
                await self.store.set_unfinished(workflow_id, False)
            elif journal.status is not Status.STALLED or (journal.next_attempt_at or now) <= now:
                self.kick(workflow_id)

    async def _sweep(self) -> None:
        while True:
            try:
                await self.recover()
            except Exception:
                log.exception("workflow sweep failed")
            await asyncio.sleep(self.policy.sweep_interval)

    async def _hold(self, workflow_id: str) -> None:
        while True:
            await asyncio.sleep(self.policy.lease / 3)
            await self.store.acquire(workflow_id, self._owner, self.policy.lease)


class _Run(Generic[J]):
    """One run of one workflow, holding its lease."""

    def __init__(self, runner: Runner[J], workflow_id: str) -> None:
        self.runner = runner
        self.store = runner.store
        self.policy = runner.policy
        self.workflow_id = workflow_id
        self.journal: J
        self.version = 0

    async def drive(self) -> None:
        found = await self.store.load(self.workflow_id)
        if found is None:
            return
        self.journal, self.version = self.runner._decoder.decode(found.data), found.version
        journal = self.journal
        if journal.status.finished:
            await self.store.set_unfinished(self.workflow_id, False)
            return
        now = utcnow()
        if journal.status is Status.STALLED and (journal.next_attempt_at or now) > now:
            return
        token = correlation_id.set(journal.correlation_id or self.workflow_id)
        try:
            await self._steps()
        finally:
            correlation_id.reset(token)

    async def _steps(self) -> None:
        journal = self.journal
        journal.status = (
            Status.COMPENSATING if any(s.compensation for s in journal.steps) else Status.IN_PROGRESS
        )
        journal.stalled_reason = journal.next_attempt_at = None
        await self._save()
        while (record := next((s for s in journal.steps if not s.state.done), None)) is not None:
            if not await self._step(record):
                return
        journal.status = Status.FAILED if journal.status is Status.COMPENSATING else Status.COMPLETED
        await self._save()
        await self.store.set_unfinished(self.workflow_id, False)

    async def _step(self, record: StepRecord) -> bool:
        """Run one step to its end; False when the workflow stalled."""
        action = self.runner._actions[record.name]
        tries = 0
        while True:
            tries += 1
            record.state, record.attempts = StepState.RUNNING, record.attempts + 1
            record.started_at = record.started_at or utcnow()
            await self._save()
            try:
                await action(self.journal)
            except Skip:
                record.state = StepState.SKIPPED
            except (StepPending, VendorError) as exc:
                if isinstance(exc, VendorError) and not exc.transient:
                    await self._refused(record, exc.system, exc.message, _code(exc))
                    return True
                record.last_error = _describe(exc)
                if tries >= self.policy.attempts:
                    await self._stall(record)
                    return False
                record.state = StepState.RETRYING
                await self._save()
                await asyncio.sleep(self._delay(exc, tries))
                continue
            except StepRefused as exc:
                await self._refused(record, exc.system, exc.message, None)
                return True
            except Exception as exc:
                # Our own defect: never lose the order, park it where an operator sees it.
                log.exception("step %s of %s failed unexpectedly", record.name, self.workflow_id)
                record.last_error = f"internal error ({type(exc).__name__})"
                await self._stall(record)
                return False
            else:
                record.state = StepState.SUCCEEDED
                record.last_error = None
            record.finished_at = utcnow()
            await self._save()
            return True

    async def _refused(self, record: StepRecord, system: str, message: str, code: str | None) -> None:
        journal = self.journal
        record.state, record.last_error, record.finished_at = (
            StepState.FAILED,
            f"{system}: {message}",
            utcnow(),
        )
        journal.failure_reasons.append(FailureReason(system=system, message=message, code=code))
        if journal.status is not Status.COMPENSATING:
            journal.status = Status.COMPENSATING
            # Steps not reached will not run: they end skipped, and the compensation follows them.
            for pending in journal.steps:
                if not pending.state.done:
                    pending.state = StepState.SKIPPED
            journal.steps.extend(
                StepRecord(name=s.name, compensation=True) for s in self.runner.flow.compensation
            )
        await self._save()

    async def _stall(self, record: StepRecord) -> None:
        journal = self.journal
        record.state = StepState.STALLED
        journal.status = Status.STALLED
        journal.stalled_reason = f"{record.name}: {record.last_error}"
        journal.next_attempt_at = utcnow() + dt.timedelta(seconds=self.policy.stall_retry)
        await self._save()
        log.warning("workflow %s stalled at %s", self.workflow_id, journal.stalled_reason)
        if self.runner.flow.on_stalled is not None:
            try:
                await self.runner.flow.on_stalled(journal)
            except Exception as exc:
                log.warning("could not report the stall of %s: %s", self.workflow_id, exc)

    def _delay(self, exc: Exception, tries: int) -> float:
        if isinstance(exc, Throttled) and exc.retry_after is not None:
            return min(exc.retry_after, self.policy.max_delay)
        ceiling = min(self.policy.max_delay, self.policy.base_delay * 2 ** (tries - 1))
        return random.uniform(0, ceiling)  # noqa: S311 - jitter, not secrecy

    async def _save(self) -> None:
        self.journal.updated_at = utcnow()
        data = msgspec.json.encode(self.journal)
        if not await self.store.save(self.workflow_id, data, self.version):
            # Only an operator's resume writes beside a running workflow: keep our state, newer version.
            found = await self.store.load(self.workflow_id)
            if found is None or not await self.store.save(self.workflow_id, data, found.version):
                raise RuntimeError(f"workflow {self.workflow_id} changed under its runner")
            self.version = found.version + 1
        else:
            self.version += 1


def _code(error: VendorError) -> str | None:
    return next((r.code for r in error.reasons if r.code), None)


def _describe(exc: Exception) -> str:
    if isinstance(exc, VendorError):
        return f"{exc.system}: {exc.message}"
    return f"{getattr(exc, 'system', 'revgate')}: {exc}"
