"""Zuora's ``Idempotency-Key`` on POST and PATCH, as an ASGI layer.

What Zuora documents: the key is under 255 characters; the first answer's status, headers and
body are saved whatever its outcome and replayed for later requests with the key, for 24
hours; 409 while the first request is still in progress; 422 on a mismatch (Zuora names
tenant, URL and HTTP method; the sandbox also compares the JSON body, so a reused key with a
different payload is refused rather than silently answered with the old result).

There is no replay marker header: a replay is recognisable by its ``Zuora-Request-Id``,
which is the first answer's, since Zuora saves the headers too.
"""

from __future__ import annotations

import hashlib
import time
from typing import Final

import msgspec

from services.runtime.types import ASGIApp, Message, Receive, Scope, Send
from services.sandbox.zuora._errors import Category, Resource, current_request_id, error_body

KEY_HEADER: Final = b"idempotency-key"
MAX_KEY_LENGTH: Final = 255
RETENTION_SECONDS: Final = 24 * 3600
_NOT_SAVED: Final = frozenset({b"zuora-track-id", b"zuora-request-id"})


class SavedAnswer(msgspec.Struct):
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class KeyRecord(msgspec.Struct):
    expires_at: float
    fingerprint: bytes | None = None
    """None while the first request's body is still arriving."""
    answer: SavedAnswer | None = None
    """None while the first request is in progress."""


class IdempotencyKeys:
    """Keys seen by the tenant, with the answer each produced."""

    def __init__(self, retention: float = RETENTION_SECONDS) -> None:
        self.retention = retention
        self._records: dict[str, KeyRecord] = {}

    def clear(self) -> None:
        self._records.clear()

    def find(self, key: str) -> KeyRecord | None:
        record = self._records.get(key)
        if record is not None and record.expires_at <= time.monotonic():
            del self._records[key]
            return None
        return record

    def begin(self, key: str) -> KeyRecord:
        record = KeyRecord(expires_at=time.monotonic() + self.retention)
        self._records[key] = record
        return record

    def abandon(self, key: str, record: KeyRecord) -> None:
        if self._records.get(key) is record:
            del self._records[key]


def _fingerprint(scope: Scope, body: bytes) -> bytes:
    """Method, path and body, the body compared as JSON when it is JSON (key order is no difference)."""
    try:
        canonical = msgspec.json.encode(msgspec.json.decode(body), order="sorted")
    except msgspec.DecodeError:
        canonical = body
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionError("client went away before sending the whole body")
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def send_error(send: Send, status: int, body: object) -> None:
    content = msgspec.json.encode(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})


async def refuse(send: Send, status: int, category: Category, message: str) -> None:
    """Answer a v1 failure body (generic resource) with ``status``, before any operation ran."""
    await send_error(send, status, error_body(Resource.GENERIC, category, message))


class IdempotentRequests:
    """Runs a POST/PATCH that carries an ``Idempotency-Key`` at most once per key."""

    def __init__(self, app: ASGIApp, keys: IdempotencyKeys) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send, key: str) -> None:
        if len(key) >= MAX_KEY_LENGTH:
            await refuse(
                send, 400, Category.INVALID_VALUE, "The idempotency-key must be under 255 characters."
            )
            return
        record = self.keys.find(key)
        if record is not None and record.answer is None:
            message = "A request with the same idempotency-key is still being processed."
            await refuse(send, 409, Category.LOCKING_CONTENTION, message)
            return
        if record is None:
            await self._first(scope, receive, send, key)
            return
        fingerprint = _fingerprint(scope, await _read_body(receive))
        if record.answer is None or record.fingerprint != fingerprint:
            message = "The idempotency-key was already used for a different request."
            await refuse(send, 422, Category.INVALID_VALUE, message)
            return
        answer = record.answer
        await send({"type": "http.response.start", "status": answer.status, "headers": list(answer.headers)})
        await send({"type": "http.response.body", "body": answer.body})

    async def _first(self, scope: Scope, receive: Receive, send: Send, key: str) -> None:
        # The key counts as in progress from the first byte, so a retry racing the original gets 409.
        record = self.keys.begin(key)
        try:
            body = await _read_body(receive)
            record.fingerprint = _fingerprint(scope, body)
            status = 500
            headers: list[tuple[bytes, bytes]] = [(b"zuora-request-id", current_request_id.get().encode())]
            chunks: list[bytes] = []
            delivered = False

            async def replay_body() -> Message:
                nonlocal delivered
                if delivered:
                    return await receive()
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}

            async def capture(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    headers.extend(
                        (name, value) for name, value in message.get("headers", []) if name not in _NOT_SAVED
                    )
                elif message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))
                await send(message)

            await self.app(scope, replay_body, capture)
            record.answer = SavedAnswer(status=status, headers=headers, body=b"".join(chunks))
        finally:
            if record.answer is None:
                self.keys.abandon(key, record)
