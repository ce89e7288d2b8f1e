"""The access log: one JSON line per request, in the documented shape, written in batches."""

from __future__ import annotations

import asyncio
import io

import msgspec
import pytest

from gateway._access_record import AccessRecord
from gateway.accesslog import FLUSH_LINES, FLUSH_SECONDS, AccessLog

CORRELATION = b"0123456789abcdef0123456789abcdef"


def lines(log: AccessLog) -> list[AccessRecord]:
    out = log.out
    assert isinstance(out, io.BytesIO)
    return [msgspec.json.decode(line, type=AccessRecord) for line in out.getvalue().splitlines()]


def test_a_line_is_an_access_record_with_every_field() -> None:
    log = AccessLog(io.BytesIO())
    log.request(CORRELATION, "POST", "/v2/customers", 201, 0.0123456, "billing-app", 0.0101, None)
    (record,) = lines(log)
    assert record.correlation_id == CORRELATION.decode()
    assert (record.method, record.route, record.status, record.client) == (
        "POST", "/v2/customers", 201, "billing-app",
    )  # fmt: skip
    assert record.duration_ms == pytest.approx(12.346)
    assert record.upstream_ms == pytest.approx(10.1)
    assert record.problem is None
    assert record.ts.endswith("Z") and len(record.ts) == len("2026-11-25T23:37:49.123Z")


def test_fields_a_request_did_not_reach_are_left_out() -> None:
    out = io.BytesIO()
    AccessLog(out).request(CORRELATION, "GET", "-", 401, 0.0001, None, None, "unauthorized")
    raw = msgspec.json.decode(out.getvalue())
    assert "client" not in raw and "upstreamMs" not in raw
    assert raw["problem"] == "unauthorized"


def test_quotes_and_backslashes_in_a_client_id_stay_valid_json() -> None:
    # A client id may hold any printable ASCII (RFC 6749), quotes and backslashes included.
    log = AccessLog(io.BytesIO())
    log.request(CORRELATION, "GET", '/v2/"odd"', 200, 0.001, 'bad"client\\', None, None)
    (record,) = lines(log)
    assert (record.client, record.route) == ('bad"client\\', '/v2/"odd"')


async def test_batched_lines_are_written_together_soon_after() -> None:
    log = AccessLog(io.BytesIO(), batched=True)
    for status in (200, 201):
        log.request(CORRELATION, "GET", "/v2/customers", status, 0.001, None, None, None)
    assert lines(log) == []
    await asyncio.sleep(FLUSH_SECONDS + 0.1)
    assert [record.status for record in lines(log)] == [200, 201]


async def test_a_full_batch_is_written_at_once() -> None:
    log = AccessLog(io.BytesIO(), batched=True)
    for _ in range(FLUSH_LINES):
        log.request(CORRELATION, "GET", "/v2/customers", 200, 0.001, None, None, None)
    assert len(lines(log)) == FLUSH_LINES
