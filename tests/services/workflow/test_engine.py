"""The workflow engine over both stores: order of steps, retries, stalls, compensation, crashes."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from services.adapters.errors import Rejected, Unavailable
from services.workflow import (
    Flow,
    Journal,
    NotResumable,
    Runner,
    RunPolicy,
    Skip,
    Status,
    StepDefinition,
    StepState,
    WorkflowStore,
    utcnow,
)

FAST = RunPolicy(
    attempts=3, base_delay=0.001, max_delay=0.01, stall_retry=60.0, lease=0.3, sweep_interval=0.05
)


class Script:
    """Steps whose outcome a test sets; counts how often each ran."""

    def __init__(self) -> None:
        self.runs: Counter[str] = Counter()
        self.failures: dict[str, list[Exception]] = {}
        self.gates: dict[str, asyncio.Event] = {}
        self.entered: dict[str, asyncio.Event] = {}

    def step(self, name: str) -> StepDefinition[Journal]:
        async def action(journal: Journal) -> None:
            self.runs[name] += 1
            self.entered.setdefault(name, asyncio.Event()).set()
            if name in self.gates:
                await self.gates[name].wait()
            pending = self.failures.get(name)
            if pending:
                raise pending.pop(0)
            journal.outputs[name] = "done"

        return StepDefinition(name, action)

    def flow(self) -> Flow[Journal]:
        async def skipped(journal: Journal) -> None:
            self.runs["skipped-undo"] += 1
            raise Skip

        return Flow(
            steps=[self.step("one"), self.step("two"), self.step("three")],
            compensation=[self.step("undo-one"), StepDefinition("skipped-undo", skipped)],
        )


def new_journal(runner: Runner[Journal], workflow_id: str = "wf_1") -> Journal:
    now = utcnow()
    return Journal(id=workflow_id, steps=runner.flow.new_steps(), created_at=now, updated_at=now)


async def finished(runner: Runner[Journal], workflow_id: str = "wf_1") -> Journal:
    await runner.settle()
    journal = await runner.load(workflow_id)
    assert journal is not None
    return journal


async def test_steps_run_once_in_order_and_the_journal_shows_each(store: WorkflowStore) -> None:
    script = Script()
    runner = Runner(store, script.flow(), Journal, FAST)
    assert await runner.submit(new_journal(runner))
    journal = await finished(runner)
    assert journal.status is Status.COMPLETED
    assert [(s.name, s.state, s.attempts) for s in journal.steps] == [
        ("one", StepState.SUCCEEDED, 1),
        ("two", StepState.SUCCEEDED, 1),
        ("three", StepState.SUCCEEDED, 1),
    ]
    assert all(s.started_at and s.finished_at for s in journal.steps)
    assert journal.outputs == {"one": "done", "two": "done", "three": "done"}
    assert await store.unfinished() == []
    assert not await runner.submit(new_journal(runner)), "the same id twice is one workflow"


async def test_a_passing_failure_is_retried_within_the_step(store: WorkflowStore) -> None:
    script = Script()
    script.failures["two"] = [Unavailable("netsuite", "down"), Unavailable("netsuite", "down")]
    runner = Runner(store, script.flow(), Journal, FAST)
    await runner.submit(new_journal(runner))
    journal = await finished(runner)
    assert journal.status is Status.COMPLETED
    assert journal.step("two").attempts == 3
    assert journal.step("two").last_error is None


async def test_used_up_retries_stall_the_workflow_visibly_and_resume_finishes_it(
    store: WorkflowStore,
) -> None:
    script = Script()
    script.failures["two"] = [Unavailable("netsuite", "outage")] * 3
    runner = Runner(store, script.flow(), Journal, FAST)
    await runner.submit(new_journal(runner))
    journal = await finished(runner)
    assert journal.status is Status.STALLED
    assert journal.step("two").state is StepState.STALLED
    assert journal.stalled_reason == "two: netsuite: outage"
    assert journal.next_attempt_at is not None and journal.next_attempt_at > utcnow()
    assert journal.step("three").state is StepState.PENDING
    assert await store.unfinished() == ["wf_1"]

    await runner.recover()  # not due yet: nothing runs
    assert (await finished(runner)).status is Status.STALLED

    await runner.resume("wf_1")
    journal = await finished(runner)
    assert journal.status is Status.COMPLETED
    assert script.runs["one"] == 1, "a resumed workflow does not redo finished steps"
    assert journal.step("two").attempts == 4


async def test_a_refusal_runs_the_compensation_and_fails_with_the_reasons(store: WorkflowStore) -> None:
    script = Script()
    script.failures["two"] = [Rejected("netsuite", "customer on credit hold")]
    runner = Runner(store, script.flow(), Journal, FAST)
    await runner.submit(new_journal(runner))
    journal = await finished(runner)
    assert journal.status is Status.FAILED
    assert [(s.name, s.state, s.compensation) for s in journal.steps] == [
        ("one", StepState.SUCCEEDED, False),
        ("two", StepState.FAILED, False),
        ("three", StepState.SKIPPED, False),
        ("undo-one", StepState.SUCCEEDED, True),
        ("skipped-undo", StepState.SKIPPED, True),
    ]
    assert [(r.system, r.message) for r in journal.failure_reasons] == [
        ("netsuite", "customer on credit hold")
    ]
    assert script.runs["three"] == 0
    assert await store.unfinished() == []


async def test_only_a_stalled_workflow_can_be_resumed(store: WorkflowStore) -> None:
    script = Script()
    runner = Runner(store, script.flow(), Journal, FAST)
    await runner.submit(new_journal(runner))
    await finished(runner)
    with pytest.raises(NotResumable):
        await runner.resume("wf_1")
    assert await runner.resume("wf_unknown") is None


async def test_a_workflow_left_by_a_dead_process_is_finished_by_another_once(store: WorkflowStore) -> None:
    script = Script()
    script.gates["two"] = asyncio.Event()
    first = Runner(store, script.flow(), Journal, FAST)
    await first.submit(new_journal(first))
    await script.entered.setdefault("two", asyncio.Event()).wait()
    # The first process dies in the middle of step two: its task is gone, its lease is not released.
    task = first._tasks["wf_1"]
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await store.acquire("wf_1", first._owner, FAST.lease)  # as if its release never happened

    script.gates.pop("two").set()
    second = Runner(store, script.flow(), Journal, FAST)
    await second.start()
    try:
        for _ in range(200):
            journal = await second.load("wf_1")
            if journal is not None and journal.status is Status.COMPLETED:
                break
            await asyncio.sleep(0.02)
    finally:
        await second.stop()
    assert journal is not None and journal.status is Status.COMPLETED
    assert script.runs == Counter({"one": 1, "two": 2, "three": 1}), "only the interrupted step ran again"


async def test_two_processes_kicking_one_workflow_run_each_step_once(store: WorkflowStore) -> None:
    script = Script()
    a = Runner(store, script.flow(), Journal, FAST)
    b = Runner(store, script.flow(), Journal, FAST)
    await a.submit(new_journal(a))
    b.kick("wf_1")
    await asyncio.gather(a.settle(), b.settle())
    assert (await finished(a)).status is Status.COMPLETED
    assert script.runs == Counter({"one": 1, "two": 1, "three": 1})


async def test_a_runner_leaves_the_workflows_of_other_flows_alone(store: WorkflowStore) -> None:
    script = Script()
    orders = Runner(store, script.flow(), Journal, FAST, prefix="ord_")
    await store.create("amd_1", b"{}")
    await store.set_unfinished("amd_1", True)
    await orders.recover()
    await orders.settle()
    assert script.runs == Counter()
    assert await store.unfinished() == ["amd_1"]
