"""The gateway's public ASGI app: the request pipeline.

    correlation -> route + version (from the documents) -> lifecycle (410 after sunset)
    -> authentication -> scopes -> rate limit -> body size, media type, schema
    -> upstream (pool, timeouts, retries, circuit breaker) -> answer, metrics, access log

Everything the pipeline needs is compiled once into a :class:`GatewayState`; a reload builds a
new state and swaps it in whole, so a request sees one configuration from start to end.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Final

import msgspec

from gateway._request import ClientGone, RequestHeaders, is_json, read_body
from gateway.accesslog import AccessLog, AccessRecord, timestamp
from gateway.auth import InvalidToken, Principal, identity_headers, www_authenticate
from gateway.catalogue import MajorVersion, Operation
from gateway.metrics import GatewayMetrics
from gateway.problems import GatewayProblem, send_problem
from gateway.state import GatewayState
from gateway.types import Message, RawHeaders, Receive, Scope, Send

log = logging.getLogger("revgate.gateway")

_WITH_BODY: Final = frozenset({"POST", "PUT", "PATCH"})
_encode = msgspec.json.Encoder().encode


class Exchange:
    """What one request became, for metrics and the access log."""

    __slots__ = ("client", "operation", "problem", "status", "upstream_seconds", "version")

    def __init__(self) -> None:
        self.version: MajorVersion | None = None
        self.operation: Operation | None = None
        self.client: str | None = None
        self.status = 500
        self.upstream_seconds: float | None = None
        self.problem: str | None = None


class Gateway:
    """The public listener's app."""

    def __init__(
        self, state: GatewayState, metrics: GatewayMetrics, access_log: AccessLog | None = None
    ) -> None:
        self.state = state
        self.metrics = metrics
        self.access_log = access_log
        self.on_started: Callable[[], None] | None = None
        """Called once the server has started, inside its event loop (the runner installs SIGHUP here)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        state = self.state  # one configuration for the whole request, whatever a reload does meanwhile
        headers = RequestHeaders(scope)
        exchange = Exchange()
        try:
            await self._handle(state, scope, receive, send, headers, exchange)
        except GatewayProblem as problem:
            exchange.status, exchange.problem = problem.status, problem.slug
            await send_problem(send, problem, scope["path"], headers.correlation_id)
        except ClientGone:
            exchange.status = 499
        except Exception:
            log.exception("unexpected error, correlation id %s", headers.correlation_id.decode())
            exchange.status, exchange.problem = 500, "internal-error"
            await send_problem(send, GatewayProblem("internal-error"), scope["path"], headers.correlation_id)
        finally:
            self._record(scope, headers, exchange, time.perf_counter() - started)

    async def _handle(
        self,
        state: GatewayState,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: RequestHeaders,
        ex: Exchange,
    ) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        if path in ("/openapi.json", "/docs") and method in ("GET", "HEAD"):
            document = path == "/openapi.json"
            await self._send(
                send,
                200,
                state.public_document if document else state.docs_page,
                b"application/json" if document else b"text/html; charset=utf-8",
                headers.correlation_id,
            )
            ex.status = 200
            return
        capability, _, rest = path[1:].partition("/")
        if not rest and method in ("GET", "HEAD"):
            listing = _encode(state.version_listing(capability))
            await self._send(send, 200, listing, b"application/json", headers.correlation_id)
            ex.status = 200
            return
        version, service_path = state.resolve(capability, rest, headers.api_version)
        ex.version = version
        if version.sunset_epoch is not None and time.time() >= version.sunset_epoch:
            raise GatewayProblem(
                "version-sunset",
                f"{version.prefix} was retired; use {version.successor}" if version.successor else None,
                successor=version.successor,
                headers=[(b"link", f'<{version.successor}>; rel="successor-version"'.encode())]
                if version.successor
                else [],
            )
        try:
            operation = version.find(method.lower(), service_path)
        except GatewayProblem as problem:
            self.metrics.validation_failures.labels("route").inc()
            raise problem
        ex.operation = operation

        principal = await self._authenticate(state, headers, operation)
        ex.client = principal.client_id
        limit_headers = await self._admit(state, principal, operation)

        body = b""
        if method in _WITH_BODY or headers.content_length:
            body = await self._body(state, receive, headers, operation)

        target = service_path + (
            "?" + scope["query_string"].decode("latin-1") if scope["query_string"] else ""
        )
        forward = headers.forward
        forward += [(k.decode(), v.decode()) for k, v in identity_headers(principal)]
        client_ip = scope["client"][0] if scope.get("client") else "unknown"
        host = headers.host.decode("latin-1")
        forward += [
            ("x-correlation-id", headers.correlation_id.decode()),
            ("traceparent", headers.traceparent.decode()),
            ("forwarded", f'for="{client_ip}";proto={scope["scheme"]};host="{host}"'),
            ("x-forwarded-for", client_ip),
            ("x-forwarded-proto", scope["scheme"]),
            ("x-forwarded-host", host),
        ]
        if body:
            forward.append(("content-length", str(len(body))))
        upstream_started = time.perf_counter()
        answer = await state.upstreams[version.key].forward(method, target, forward, body)
        ex.upstream_seconds = time.perf_counter() - upstream_started
        ex.status = answer.status
        out = answer.headers
        for i, (name, value) in enumerate(out):
            if name == b"location" and value.startswith(b"/v"):
                # The service names its own path; the caller knows the public one.
                out[i] = (name, f"/{version.capability}".encode() + value)
        out += version.lifecycle_headers
        out += limit_headers
        out += [
            (b"x-correlation-id", headers.correlation_id),
            (b"content-length", str(len(answer.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": answer.status, "headers": out})
        await send({"type": "http.response.body", "body": answer.body})

    async def _authenticate(
        self, state: GatewayState, headers: RequestHeaders, operation: Operation
    ) -> Principal:
        try:
            principal = await state.verifier.verify(headers.authorization)
        except InvalidToken as refusal:
            self.metrics.auth_failures.labels(refusal.reason).inc()
            challenge = www_authenticate("invalid_token")
            raise GatewayProblem(
                "unauthorized",
                "Send a valid bearer token"
                if refusal.reason == "missing"
                else f"The token is {refusal.reason}",
                headers=[(b"www-authenticate", challenge)],
            ) from None
        if not principal.scopes.issuperset(operation.scopes):
            self.metrics.auth_failures.labels("insufficient_scope").inc()
            needed = " ".join(sorted(operation.scopes))
            raise GatewayProblem(
                "insufficient-scope",
                f"This operation needs the scope(s) {needed}",
                headers=[(b"www-authenticate", www_authenticate("insufficient_scope", needed))],
            )
        return principal

    async def _admit(self, state: GatewayState, principal: Principal, operation: Operation) -> RawHeaders:
        policy = state.policy_for(principal.client_id, operation)
        decision = await state.limiter.check(principal.client_id, policy)
        limit_headers = state.limit_headers(policy, decision)
        if decision.allowed:
            self.metrics.rate_limited.labels(policy.name, "allowed").inc()
            return limit_headers
        self.metrics.rate_limited.labels(policy.name, "limited").inc()
        wait = max(1, int(-(-decision.retry_after // 1)))
        raise GatewayProblem(
            "quota-exceeded",
            f"Over the {policy.name!r} policy of {policy.limit} requests per {policy.window:g}s",
            headers=[*limit_headers, (b"retry-after", str(wait).encode())],
            violated_policies=(policy.name,),
            retry_after=wait,
        )

    async def _body(
        self, state: GatewayState, receive: Receive, headers: RequestHeaders, operation: Operation
    ) -> bytes:
        limit = state.config.server.max_body_bytes
        if headers.content_length is not None and headers.content_length > limit:
            self.metrics.validation_failures.labels("size").inc()
            raise GatewayProblem("payload-too-large", f"The body is larger than {limit} bytes")
        if operation.body is not None and not is_json(headers.content_type):
            self.metrics.validation_failures.labels("media_type").inc()
            raise GatewayProblem("unsupported-media-type", "Send the body as application/json")
        try:
            body = await read_body(receive, limit)
        except GatewayProblem:
            self.metrics.validation_failures.labels("size").inc()
            raise
        if operation.body is not None:
            try:
                operation.body.check(body)
            except GatewayProblem:
                self.metrics.validation_failures.labels("body").inc()
                raise
        return body

    def _record(self, scope: Scope, headers: RequestHeaders, ex: Exchange, seconds: float) -> None:
        version, operation = ex.version, ex.operation
        capability = version.capability if version else "-"
        major = str(version.number) if version else "-"
        route = operation.template if operation else "-"
        self.metrics.requests.labels(
            capability, major, route, scope["method"], str(ex.status), ex.client or "-"
        ).inc()
        if operation is not None:
            self.metrics.latency.labels(capability, major, route).observe(seconds)
            if ex.upstream_seconds is not None:
                self.metrics.upstream_latency.labels(capability, major, route).observe(ex.upstream_seconds)
        if self.access_log is not None:
            self.access_log.write(
                AccessRecord(
                    ts=timestamp(),
                    correlation_id=headers.correlation_id.decode(),
                    method=scope["method"],
                    route=route,
                    status=ex.status,
                    duration_ms=round(seconds * 1000, 3),
                    client=ex.client,
                    upstream_ms=round(ex.upstream_seconds * 1000, 3)
                    if ex.upstream_seconds is not None
                    else None,
                    problem=ex.problem,
                )
            )

    @staticmethod
    async def _send(send: Send, status: int, body: bytes, media_type: bytes, correlation_id: bytes) -> None:
        headers = [
            (b"content-type", media_type),
            (b"content-length", str(len(body)).encode()),
            (b"x-correlation-id", correlation_id),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message: Message = await receive()
            if message["type"] == "lifespan.startup":
                await self.state.start()
                if self.on_started is not None:
                    self.on_started()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.state.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
