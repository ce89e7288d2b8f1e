"""A tiny API with a document, a token endpoint and answers that keep or break the document at will.

``revgate contract-test`` must fail a deployment whose answers break its own document, pass one
that keeps it, and refuse bad credentials before it starts: this app plays each of those.
"""

from __future__ import annotations

import base64
from typing import Any, Final

import msgspec

from services.runtime.types import Receive, Scope, Send

CLIENT_ID: Final = "widget-tester"
CLIENT_SECRET: Final = "widget-secret"
TOKEN: Final = "widget-token"
_PROBLEM: Final = {"application/problem+json": {"schema": {"type": "object"}}}
_WIDGET: Final = {
    "type": "object",
    "properties": {"id": {"type": "string", "pattern": "^w_[0-9]{1,8}$"}, "name": {"type": "string"}},
    "required": ["id", "name"],
    "additionalProperties": False,
}


def document(token_url: str) -> dict[str, Any]:
    """``GET /widgets/v1/widgets/{widgetId}`` and ``POST /widgets/v1/widgets`` (with Idempotency-Key)."""
    security = [{"oauth2": ["widgets:read"]}]
    refusals = {status: {"description": "A problem", "content": _PROBLEM} for status in ("400", "401", "422")}
    return {
        "openapi": "3.1.0",
        "info": {"title": "widgets", "version": "1"},
        "paths": {
            "/widgets/v1/widgets/{widgetId}": {
                "get": {
                    "operationId": "getWidget",
                    "security": security,
                    "parameters": [
                        {
                            "name": "widgetId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^w_[0-9]{1,8}$"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The widget",
                            "content": {"application/json": {"schema": _WIDGET}},
                        },
                        **refusals,
                    },
                }
            },
            "/widgets/v1/widgets": {
                "post": {
                    "operationId": "createWidget",
                    "security": security,
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"name": {"type": "string", "maxLength": 20}},
                                    "required": ["name"],
                                    "additionalProperties": False,
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": {"description": "Made", "content": {"application/json": {"schema": _WIDGET}}},
                        **refusals,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "oauth2": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {"tokenUrl": token_url, "scopes": {"widgets:read": "Read"}}
                    },
                }
            }
        },
    }


class Widgets:
    """The API. ``widget_id``: the id a GET answers (``42`` breaks the document: it is no string).

    ``refusal``: when set, every valid POST is refused with 422 and this problem type (a business
    rule, ``validation-failed``, passes the contract; ``invalid-body`` breaks it: the body was valid).
    POSTs with a key seen before are refused as reused (422), as revgate does.
    """

    def __init__(
        self, *, widget_id: object = "w_1", refusal: str | None = None, token_path: str = "/oauth2/token"
    ) -> None:
        self.widget_id = widget_id
        self.refusal = refusal
        self.token_path = token_path
        """Where tokens are given; the document always says ``/oauth2/token`` (relative)."""
        self.keys: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        status, answer = self.answer(scope["method"], scope["path"], headers, body)
        media = b"application/json" if status < 400 else b"application/problem+json"
        route = _route(scope["path"])
        extra = [(b"allow", _ALLOWED[route].encode())] if status == 405 and route else []
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", media), *extra]}
        )
        await send({"type": "http.response.body", "body": msgspec.json.encode(answer)})

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        if (method, path) == ("GET", "/openapi.json"):
            return 200, document("/oauth2/token")
        if method == "POST" and path == self.token_path:
            expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if headers.get("authorization") != f"Basic {expected}":
                return 401, {"error": "invalid_client", "error_description": "client authentication failed"}
            return 200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 900}
        route = _route(path)
        if route is None:
            return 404, _problem("not-found")
        if method not in _ALLOWED[route]:
            return 405, _problem("method-not-allowed")
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return 401, _problem("unauthorized")
        if route == "one":
            widget_id = path.rsplit("/", 1)[1]
            if not _valid_id(widget_id):
                return 400, _problem("invalid-request")
            return 200, {"id": self.widget_id, "name": "sprocket"}
        return self.create(headers, body)

    def create(self, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        key = headers.get("idempotency-key", "")
        if not 0 < len(key) <= 255:
            return 400, _problem("idempotency-key-required")
        try:
            data = msgspec.json.decode(body)
        except msgspec.DecodeError:
            return 400, _problem("invalid-request")
        if not (isinstance(data, dict) and set(data) == {"name"} and isinstance(data["name"], str)):
            return 422, _problem("invalid-body")
        if len(data["name"]) > 20:
            return 422, _problem("invalid-body")
        if key in self.keys:
            return 422, _problem("idempotency-key-reused")
        self.keys.append(key)
        if self.refusal:
            return 422, _problem(self.refusal)
        return 201, {"id": f"w_{len(self.keys)}", "name": data["name"]}


#: Each route's methods, as its ``Allow`` header says them.
_ALLOWED: Final = {"one": "GET", "collection": "POST"}


def _route(path: str) -> str | None:
    if path == "/widgets/v1/widgets":
        return "collection"
    if path.startswith("/widgets/v1/widgets/") and path.count("/") == 4:
        return "one"
    return None


def _valid_id(value: str) -> bool:
    return value.startswith("w_") and value[2:].isdigit() and 1 <= len(value) - 2 <= 8 and value.isascii()


def _problem(slug: str) -> dict[str, Any]:
    return {"type": f"https://revgate.dev/problems/{slug}", "title": slug, "status": 0}
