"""An upstream for gateway tests: answers what it received, and misbehaves on request."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec

from services.runtime.types import Receive, Scope, Send


class EchoUpstream:
    """``GET/POST/... anything``: 200 with ``{method, path, query, headers, header_list, body}``.

    ``X-Echo-Status: 502`` answers that status; ``X-Echo-Delay: 2.5`` waits first.
    ``failures`` counts down: while above zero, each request answers 502.
    """

    def __init__(self) -> None:
        self.url = ""
        self.received: list[dict[str, Any]] = []
        self.failures = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                kind = message["type"].rsplit(".", 1)[-1]
                await send({"type": f"lifespan.{kind}.complete"})
                if kind == "shutdown":
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        record = {
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode(),
            "headers": headers,
            # Every header as received, repeats included (``headers`` keeps only the last of a name).
            "header_list": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
            "body": body.decode(),
        }
        self.received.append(record)
        if delay := headers.get("x-echo-delay"):
            await asyncio.sleep(float(delay))
        status = int(headers.get("x-echo-status", "200"))
        if self.failures > 0:
            self.failures -= 1
            status = 502
        payload = msgspec.json.encode(record)
        extra = (
            [(b"location", b"/v2/customers/cus_01JD8Z6Q3W9R2N7M4K5H6G7F8E")]
            if scope["method"] == "POST"
            else []
        )
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"keep-alive"), *extra],
            }
        )
        await send({"type": "http.response.body", "body": payload})
