"""Both workflow stores under one fixture: in memory, and in the shared Redis under a prefix of its own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from services.workflow._memory import MemoryWorkflowStore
from services.workflow._redis import RedisWorkflowStore
from services.workflow._store import WorkflowStore

SHARED_REDIS = "redis://127.0.0.1:6379/0"
CONCURRENCY = 20
"""The most calls a test makes at once."""


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[WorkflowStore]:
    """A fresh store; the Redis one's keys are deleted afterwards."""
    if request.param == "memory":
        memory = MemoryWorkflowStore()
        yield memory
        await memory.aclose()
        return
    client = aioredis.Redis.from_url(SHARED_REDIS, socket_connect_timeout=1.0, socket_timeout=2.0)
    try:
        # Twenty connections open before the test: otherwise the pool, opening them one at a time,
        # lines concurrent calls up and a store that is not atomic would pass the concurrency tests.
        await asyncio.gather(*(client.ping() for _ in range(CONCURRENCY)))
    except (RedisError, OSError) as exc:
        await client.aclose()
        pytest.skip(f"Redis does not answer at {SHARED_REDIS}: {exc}")
    prefix = f"revgate-test:wf:{uuid.uuid4().hex}:"
    store = RedisWorkflowStore(client, prefix)
    try:
        yield store
    finally:
        await store.aclose()
        keys = [key async for key in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
