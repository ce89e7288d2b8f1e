"""The gateway's public app: the request pipeline, behind the listener and an ASGI face.

    correlation -> route + version (from the documents) -> lifecycle (410 after sunset)
    -> authentication -> scopes -> rate limit -> body size, media type, schema
    -> upstream (pool, timeouts, retries, circuit breaker) -> answer, metrics, access log

Everything the pipeline needs is compiled once into a :class:`GatewayState`; a reload builds a
new state and swaps it in whole, so a request sees one configuration from start to end.

The pipeline works on plain values (method, path, raw headers, a body reader) and answers
``(status, headers, body)``: :meth:`Gateway.handle` is what :class:`gateway.http1.Listener` (the
server ``revgate gateway`` runs) calls per request; :meth:`Gateway.__call__` (ASGI, for any ASGI
server) only translates.
"""

from __future__ import annotations

import logging
import re
import string
import time
from collections.abc import Callable
from typing import Final
from urllib.parse import quote

import msgspec

from gateway._request import RequestHeaders, is_json, read_body
from gateway.accesslog import AccessLog
from gateway.auth import InvalidToken, Principal, identity_headers, www_authenticate
from gateway.catalogue import MajorVersion, Operation
from gateway.http1 import ClientGone
from gateway.metrics import GatewayMetrics
from gateway.problems import GatewayProblem, problem_answer
from gateway.ratelimit import Decision, RateLimitPolicy
from gateway.state import GatewayState
from gateway.types import Answer, BodyReader, Message, RawHeaders, Receive, Scope, Send
from gateway.validation import BodySchema

log = logging.getLogger("revgate.gateway")

_WITH_BODY: Final = frozenset({"POST", "PUT", "PATCH"})
#: Characters a path segment may carry unencoded (RFC 3986 pchar, less what ``quote`` keeps anyway).
_PATH_SAFE: Final = "/:@!$&'()*+,;="
#: A path of only those characters and the ones ``quote`` never encodes: ``quote`` would answer it as it is.
_UNENCODED_PATH: Final = re.compile(
    f"[{re.escape(string.ascii_letters + string.digits + '-._~' + _PATH_SAFE)}]*"
)
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
        """ASGI."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        client = scope.get("client")
        answer = await self.handle(
            scope["method"],
            scope["path"],
            scope["query_string"].decode("latin-1"),
            scope["headers"],
            client[0] if client else "unknown",
            scope["scheme"],
            lambda limit, length: read_body(receive, limit),
        )
        if answer is None:
            return
        status, headers, body = answer
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def refuse(self, status: int, detail: str) -> Answer:
        """The answer to a request the listener refuses itself (400, 431), counted and logged."""
        problem = GatewayProblem("invalid-request", detail, status=status)
        exchange = Exchange()
        exchange.status, exchange.problem = status, problem.slug
        headers = RequestHeaders([])
        self._record("-", headers, exchange, 0.0)
        return problem_answer(problem, "-", headers.correlation_id)

    async def handle(
        self,
        method: str,
        path: str,
        query: str,
        raw_headers: RawHeaders,
        client_ip: str,
        scheme: str,
        read: BodyReader,
    ) -> Answer | None:
        """One request, whatever the server interface: its answer (None: the caller has gone),
        counted and logged."""
        started = time.perf_counter()
        state = self.state  # one configuration for the whole request, whatever a reload does meanwhile
        headers = RequestHeaders(raw_headers)
        ex = Exchange()
        # Every await of the pipeline is in this one coroutine, not in helpers: each coroutine between
        # the request's task and the future it waits on costs time at every wake-up.
        try:
            own = self._own_answer(state, method, path, headers, ex)
            if own is not None:
                return own
            version, operation, service_path = self._route(state, method, path, headers, ex)
            principal = await self._authenticate(state, headers, operation)  # cached: answers at once
            ex.client = principal.client_id
            policy = state.policy_for(principal.client_id, operation)
            decision = await state.limiter.check(principal.client_id, policy)
            limit_headers = self._admit(state, policy, decision)
            body = b""
            if method in _WITH_BODY or headers.content_length:
                limit = self._body_limit(state, headers, operation)
                try:
                    body = await read(limit, headers.content_length)
                except GatewayProblem:
                    self.metrics.validation_failures.labels("size").inc()
                    raise
                if operation.body is not None:
                    self._check_body(operation.body, body)
            forward = _forwarded(headers, principal, version, client_ip, scheme)
            upstream_started = time.perf_counter()
            answer = await state.upstreams[version.key].forward(
                method, _upstream_target(service_path, query), forward, body
            )
            ex.upstream_seconds = time.perf_counter() - upstream_started
            ex.status = answer.status
            out = answer.headers
            for i, (name, value) in enumerate(out):
                if name == b"location" and value.startswith(b"/v"):
                    # The service names its own path; the caller knows the public one.
                    out[i] = (name, version.public_prefix + value)
            out += version.lifecycle_headers
            out += limit_headers
            out += [
                (b"x-correlation-id", headers.correlation_id),
                (b"content-length", b"%d" % len(answer.body)),
            ]
            return answer.status, out, answer.body
        except GatewayProblem as problem:
            ex.status, ex.problem = problem.status, problem.slug
            return problem_answer(problem, path, headers.correlation_id)
        except ClientGone:
            ex.status = 499
            return None
        except Exception:
            log.exception("unexpected error, correlation id %s", headers.correlation_id.decode())
            ex.status, ex.problem = 500, "internal-error"
            return problem_answer(GatewayProblem("internal-error"), path, headers.correlation_id)
        finally:
            self._record(method, headers, ex, time.perf_counter() - started)

    @staticmethod
    def _own_answer(
        state: GatewayState, method: str, path: str, headers: RequestHeaders, ex: Exchange
    ) -> Answer | None:
        """The gateway's own pages: the merged document, its docs page and a capability's majors."""
        if method not in ("GET", "HEAD"):
            return None
        if path in ("/openapi.json", "/docs"):
            document = path == "/openapi.json"
            ex.status = 200
            return _own_answer(
                state.public_document if document else state.docs_page,
                b"application/json" if document else b"text/html; charset=utf-8",
                headers.correlation_id,
            )
        capability, _, rest = path[1:].partition("/")
        if not rest:
            ex.status = 200
            return _own_answer(
                _encode(state.version_listing(capability)), b"application/json", headers.correlation_id
            )
        return None

    def _route(
        self, state: GatewayState, method: str, path: str, headers: RequestHeaders, ex: Exchange
    ) -> tuple[MajorVersion, Operation, str]:
        """The major version and operation of a request, and its path on the service; or a problem."""
        capability, _, rest = path[1:].partition("/")
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
        return version, operation, service_path

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

    def _admit(self, state: GatewayState, policy: RateLimitPolicy, decision: Decision) -> RawHeaders:
        """The rate-limit headers of an allowed request; a 429 problem for a limited one."""
        limit_headers = state.limit_headers(policy, decision)
        decisions = self.metrics.tally.decisions
        key = (policy.name, decision.allowed)
        decisions[key] = decisions.get(key, 0) + 1
        if decision.allowed:
            return limit_headers
        wait = max(1, int(-(-decision.retry_after // 1)))
        raise GatewayProblem(
            "quota-exceeded",
            f"Over the {policy.name!r} policy of {policy.limit} requests per {policy.window:g}s",
            headers=[*limit_headers, (b"retry-after", str(wait).encode())],
            violated_policies=(policy.name,),
            retry_after=wait,
        )

    def _body_limit(self, state: GatewayState, headers: RequestHeaders, operation: Operation) -> int:
        """The most body bytes to read; 413 and 415 for what can be refused by the headers alone."""
        limit = state.config.server.max_body_bytes
        if headers.content_length is not None and headers.content_length > limit:
            self.metrics.validation_failures.labels("size").inc()
            raise GatewayProblem("payload-too-large", f"The body is larger than {limit} bytes")
        if operation.body is not None and not is_json(headers.content_type):
            self.metrics.validation_failures.labels("media_type").inc()
            raise GatewayProblem("unsupported-media-type", "Send the body as application/json")
        return limit

    def _check_body(self, schema: BodySchema, body: bytes) -> None:
        try:
            schema.check(body)
        except GatewayProblem:
            self.metrics.validation_failures.labels("body").inc()
            raise

    def _record(self, method: str, headers: RequestHeaders, ex: Exchange, seconds: float) -> None:
        tally = self.metrics.tally
        operation = ex.operation
        key = (ex.version, operation, method, ex.status, ex.client)
        tally.requests[key] = tally.requests.get(key, 0) + 1
        if operation is not None:
            latencies = tally.latencies_of(operation)
            latencies[0].observe(seconds)
            if ex.upstream_seconds is not None:
                latencies[1].observe(ex.upstream_seconds)
        if self.access_log is not None:
            self.access_log.request(
                headers.correlation_id,
                method,
                operation.template if operation else "-",
                ex.status,
                seconds,
                ex.client,
                ex.upstream_seconds,
                ex.problem,
            )

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


def _own_answer(body: bytes, media_type: bytes, correlation_id: bytes) -> Answer:
    headers = [
        (b"content-type", media_type),
        (b"content-length", b"%d" % len(body)),
        (b"x-correlation-id", correlation_id),
    ]
    return 200, headers, body


def _forwarded(
    headers: RequestHeaders, principal: Principal, version: MajorVersion, client_ip: str, scheme: str
) -> RawHeaders:
    """The request's headers as the upstream gets them: the caller's, less what the gateway sets itself."""
    forward = headers.forward
    forward += identity_headers(principal)
    forward += [
        (b"x-correlation-id", headers.correlation_id),
        (b"traceparent", headers.traceparent),
        (
            b"forwarded",
            f'for="{client_ip}";proto={scheme};host="{headers.host.decode("latin-1")}"'.encode("latin-1"),
        ),
        (b"x-forwarded-for", client_ip.encode()),
        (b"x-forwarded-proto", scheme.encode()),
        (b"x-forwarded-host", headers.host),
        # Services name their own paths (a problem's ``instance``); this is the public part before them.
        (b"x-forwarded-prefix", version.public_prefix),
    ]
    return forward


def _upstream_target(service_path: str, query: str) -> str:
    # Routing, scopes and schemas were decided on the decoded path; the service must get that same
    # path, so it is encoded again (sent decoded, a ``%3F`` in an id would start a query string
    # there: another operation than the one checked). Only a path that came with escapes needs it;
    # the others skip ``quote``, which costs more than the check.
    path = service_path if _UNENCODED_PATH.fullmatch(service_path) else quote(service_path, safe=_PATH_SAFE)
    return path + "?" + query if query else path
