"""What every workflow store must do, run against both: in process memory and in the shared Redis."""

from __future__ import annotations

import asyncio

from services.workflow._store import KeyClaim, KeyState, Versioned, WorkflowStore

from .conftest import CONCURRENCY

LEASE = 30.0
TTL = 60.0
# Short leases and ttls for the tests that wait for one to run out, and a wait a little longer.
SHORT = 0.05
PAST_SHORT = 0.08


async def begin(
    store: WorkflowStore,
    fingerprint: str = "fp-1",
    workflow_id: str = "wf-1",
    *,
    key: str = "key-1",
    scope: str = "client-a",
    lease: float = LEASE,
    ttl: float = TTL,
) -> KeyClaim:
    return await store.begin_request(scope, key, fingerprint, workflow_id, lease, ttl)


# --- Idempotency keys ----------------------------------------------------------------------------


async def test_a_new_key_is_claimed_for_the_callers_workflow(store: WorkflowStore) -> None:
    assert await begin(store) == KeyClaim(KeyState.NEW, "wf-1")


async def test_a_retry_while_the_first_request_runs_is_in_flight(store: WorkflowStore) -> None:
    await begin(store)

    assert await begin(store, workflow_id="wf-2") == KeyClaim(KeyState.IN_FLIGHT, "wf-1")


async def test_a_finished_key_answers_its_stored_response_every_time(store: WorkflowStore) -> None:
    await begin(store)
    await store.finish_request("client-a", "key-1", b'{"orderId": "o-1"}')

    expected = KeyClaim(KeyState.DONE, "wf-1", b'{"orderId": "o-1"}')
    assert await begin(store, workflow_id="wf-2") == expected
    assert await begin(store, workflow_id="wf-3") == expected


async def test_the_key_with_another_payload_is_a_mismatch_even_when_finished(store: WorkflowStore) -> None:
    await begin(store, "fp-1")
    assert (await begin(store, "fp-other", "wf-2")).state is KeyState.MISMATCH

    await store.finish_request("client-a", "key-1", b"answer")
    assert (await begin(store, "fp-other", "wf-2")).state is KeyState.MISMATCH


async def test_keys_are_kept_apart_per_scope(store: WorkflowStore) -> None:
    await begin(store, scope="client-a", key="key-1")

    assert await begin(store, "fp-2", "wf-2", scope="client-b", key="key-1") == KeyClaim(KeyState.NEW, "wf-2")
    # scopes and keys may contain any character: these two must not meet either
    assert (await begin(store, workflow_id="wf-3", scope="x:y", key="z")).state is KeyState.NEW
    assert (await begin(store, "fp-2", "wf-4", scope="x", key="y:z")).state is KeyState.NEW


async def test_a_retry_after_the_lease_ran_out_continues_the_earlier_workflow(store: WorkflowStore) -> None:
    await begin(store, workflow_id="wf-crashed", lease=SHORT)
    assert (await begin(store, workflow_id="wf-2", lease=SHORT)).state is KeyState.IN_FLIGHT
    await asyncio.sleep(PAST_SHORT)

    assert await begin(store, workflow_id="wf-2") == KeyClaim(KeyState.NEW, "wf-crashed")
    # the retry holds a fresh lease now
    assert await begin(store, workflow_id="wf-3") == KeyClaim(KeyState.IN_FLIGHT, "wf-crashed")


async def test_an_expired_key_can_be_used_afresh_finished_or_not(store: WorkflowStore) -> None:
    await begin(store, key="finished", ttl=SHORT)
    await store.finish_request("client-a", "finished", b"answer")  # keeps the ttl
    await begin(store, key="unfinished", ttl=SHORT)
    await asyncio.sleep(PAST_SHORT)

    assert await begin(store, "fp-2", "wf-2", key="finished") == KeyClaim(KeyState.NEW, "wf-2")
    assert await begin(store, "fp-2", "wf-3", key="unfinished") == KeyClaim(KeyState.NEW, "wf-3")


async def test_an_abandoned_key_can_be_used_again(store: WorkflowStore) -> None:
    await begin(store)
    await store.abandon_request("client-a", "key-1")

    assert await begin(store, "fp-2", "wf-2") == KeyClaim(KeyState.NEW, "wf-2")


async def test_finishing_an_unknown_key_stores_nothing(store: WorkflowStore) -> None:
    await store.finish_request("client-a", "key-1", b"stray answer")

    assert await begin(store) == KeyClaim(KeyState.NEW, "wf-1")
    assert await begin(store) == KeyClaim(KeyState.IN_FLIGHT, "wf-1")


async def test_of_many_concurrent_requests_with_one_key_exactly_one_is_new(store: WorkflowStore) -> None:
    claims = await asyncio.gather(*(begin(store, workflow_id=f"wf-{n}") for n in range(CONCURRENCY)))

    winners = [claim for claim in claims if claim.state is KeyState.NEW]
    assert len(winners) == 1
    assert {claim.state for claim in claims} == {KeyState.NEW, KeyState.IN_FLIGHT}
    assert {claim.workflow_id for claim in claims} == {winners[0].workflow_id}


# --- Workflow records ----------------------------------------------------------------------------


async def test_a_record_is_created_once(store: WorkflowStore) -> None:
    assert await store.load("wf-1") is None
    assert await store.create("wf-1", b"first")

    assert not await store.create("wf-1", b"second")
    assert await store.load("wf-1") == Versioned(b"first", 1)


async def test_save_replaces_only_the_version_it_was_given(store: WorkflowStore) -> None:
    await store.create("wf-1", b"v1")
    assert await store.save("wf-1", b"v2", expected_version=1)
    assert await store.load("wf-1") == Versioned(b"v2", 2)

    assert not await store.save("wf-1", b"stale", expected_version=1)
    assert await store.load("wf-1") == Versioned(b"v2", 2)
    assert not await store.save("wf-missing", b"data", expected_version=1)
    assert await store.load("wf-missing") is None


async def test_of_concurrent_saves_of_one_version_exactly_one_wins(store: WorkflowStore) -> None:
    await store.create("wf-1", b"v1")

    saved = await asyncio.gather(*(store.save("wf-1", f"writer-{n}".encode(), 1) for n in range(CONCURRENCY)))

    assert saved.count(True) == 1
    record = await store.load("wf-1")
    assert record == Versioned(f"writer-{saved.index(True)}".encode(), 2)


async def test_the_unfinished_set_takes_ids_in_and_out(store: WorkflowStore) -> None:
    assert await store.unfinished() == []
    await store.set_unfinished("wf-1", True)
    await store.set_unfinished("wf-2", True)
    await store.set_unfinished("wf-1", True)
    assert sorted(await store.unfinished()) == ["wf-1", "wf-2"]

    await store.set_unfinished("wf-1", False)
    await store.set_unfinished("wf-never", False)
    assert await store.unfinished() == ["wf-2"]


# --- Execution leases ----------------------------------------------------------------------------


async def test_a_lease_has_one_owner_until_released(store: WorkflowStore) -> None:
    assert await store.acquire("wf-1", "runner-a", LEASE)
    assert not await store.acquire("wf-1", "runner-b", LEASE)
    assert await store.acquire("wf-1", "runner-a", LEASE)

    await store.release("wf-1", "runner-b")
    assert not await store.acquire("wf-1", "runner-b", LEASE)
    await store.release("wf-1", "runner-a")
    assert await store.acquire("wf-1", "runner-b", LEASE)


async def test_a_renewed_lease_holds_until_it_runs_out(store: WorkflowStore) -> None:
    lease = 0.1
    assert await store.acquire("wf-1", "runner-a", lease)
    await asyncio.sleep(0.06)
    assert await store.acquire("wf-1", "runner-a", lease)  # renewed: now held until ~0.16 s
    await asyncio.sleep(0.06)
    assert not await store.acquire("wf-1", "runner-b", lease)  # ~0.12 s: past the first lease

    await asyncio.sleep(0.06)
    assert await store.acquire("wf-1", "runner-b", lease)
    assert not await store.acquire("wf-1", "runner-a", lease)


# --- Links ---------------------------------------------------------------------------------------


async def test_of_concurrent_links_of_one_name_one_wins_and_all_see_it(store: WorkflowStore) -> None:
    assert await store.linked("opportunity:006A") is None

    answers = await asyncio.gather(*(store.link("opportunity:006A", f"wf-{n}") for n in range(CONCURRENCY)))

    assert len(set(answers)) == 1
    assert answers[0] in {f"wf-{n}" for n in range(CONCURRENCY)}
    assert await store.linked("opportunity:006A") == answers[0]


async def test_unlink_removes_a_link_only_while_it_points_at_the_id(store: WorkflowStore) -> None:
    await store.link("opportunity:006A", "wf-1")
    await store.unlink("opportunity:006A", "wf-2")
    assert await store.linked("opportunity:006A") == "wf-1"

    await store.unlink("opportunity:006A", "wf-1")
    assert await store.linked("opportunity:006A") is None
    assert await store.link("opportunity:006A", "wf-2") == "wf-2"
