"""Three OS processes sharing one Redis let through exactly the policy's quota between them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from ._hammer import POLICY
from .conftest import SHARED_REDIS

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def cleanup(key_prefix: str) -> Iterator[None]:
    yield
    client = redis.Redis.from_url(SHARED_REDIS)
    client.delete(f"{key_prefix}{POLICY.name}:client-a")
    client.close()


def test_three_processes_share_one_quota(key_prefix: str, cleanup: None) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.gateway.ratelimit._hammer", SHARED_REDIS, key_prefix, "40"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "ready"
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = [process.communicate(timeout=30)[0].split() for process in processes]
    finally:
        for process in processes:
            process.kill()
            process.wait()

    allowed = [int(result[0]) for result in results]
    degraded = [int(result[1]) for result in results]
    # 120 requests against a quota of 50 per hour: exactly 50 get through, whichever process sent them
    assert sum(allowed) == POLICY.limit
    assert degraded == [0, 0, 0]
