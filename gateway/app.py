"""The gateway's public app: the request pipeline, behind an ASGI and an RSGI face.

    correlation -> route + version (from the documents) -> lifecycle (410 after sunset)
    -> authentication -> scopes -> rate limit -> body size, media type, schema
    -> upstream (pool, timeouts, retries, circuit breaker) -> answer, metrics, access log

Everything the pipeline needs is compiled once into a :class:`GatewayState`; a reload builds a
new state and swaps it in whole, so a request sees one configuration from start to end.

The pipeline works on plain values (method, path, raw headers, a body reader) and answers
``(status, headers, body)``; :meth:`Gateway.__call__` (ASGI: tests, any ASGI server) and
:meth:`Gateway.__rsgi__` (granian's RSGI, which the server uses: one call to answer instead of
two awaited ASGI messages) only translate.
"""

from __future__ import annotations

import asyncio
import logging
import re
import string
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

import msgspec

from gateway._request import ClientGone, RequestHeaders, is_json, read_body, read_rsgi_body
from gateway.accesslog import AccessLog, AccessRecord, timestamp
from gateway.auth import InvalidToken, Principal, identity_headers, www_authenticate
from gateway.catalogue import MajorVersion, Operation
from gateway.metrics import GatewayMetrics
from gateway.problems import GatewayProblem, problem_answer
from gateway.state import GatewayState
from gateway.types import Answer, Message, RawHeaders, Receive, Scope, Send

if TYPE_CHECKING:
    from prometheus_client.metrics import Counter as _Counter
    from prometheus_client.metrics import Histogram as _Histogram

log = logging.getLogger("revgate.gateway")

_WITH_BODY: Final = frozenset({"POST", "PUT", "PATCH"})
#: Characters a path segment may carry unencoded (RFC 3986 pchar, less what ``quote`` keeps anyway).
_PATH_SAFE: Final = "/:@!$&'()*+,;="
#: A path of only those characters and the ones ``quote`` never encodes: ``quote`` would answer it as it is.
_UNENCODED_PATH: Final = re.compile(
    f"[{re.escape(string.ascii_letters + string.digits + '-._~' + _PATH_SAFE)}]*"
)
_MAX_CACHED: Final = 10_000
_encode = msgspec.json.Encoder().encode


#: Reads the request body (limit, Content-Length if given), refusing with 413 past the limit.
BodyReader = Callable[[int, int | None], Awaitable[bytes]]


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
        # The metric children of each label set, looked up once: prometheus_client's labels()
        # checks and joins the label values on every call. Keys are bounded (routes x methods x
        # statuses x verified clients), and the caches are dropped if they ever grow past _MAX_CACHED.
        self._request_counters: dict[tuple[object, ...], _Counter] = {}
        self._latencies: dict[Operation, tuple[_Histogram, _Histogram]] = {}
        self._decisions: dict[tuple[str, bool], _Counter] = {}

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

    async def __rsgi__(self, scope: Any, protocol: Any) -> None:
        """RSGI (granian); the server starts and stops the state around serving (no lifespan here)."""
        if scope.proto != "http":
            return
        answer = await self.handle(
            scope.method,
            scope.path,
            scope.query_string,
            [(k.encode("latin-1"), v.encode("latin-1")) for k, v in scope.headers.items()],
            _address(scope.client),
            scope.scheme,
            lambda limit, length: read_rsgi_body(protocol, limit, length),
        )
        if answer is None:
            return
        status, headers, body = answer
        protocol.response_bytes(
            status, [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers], body
        )

    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        """RSGI start-up hook: nothing to do (see :meth:`__rsgi__`)."""

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        """RSGI shut-down hook: nothing to do (see :meth:`__rsgi__`)."""

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
        exchange = Exchange()
        try:
            return await self._handle(state, method, path, query, client_ip, scheme, headers, read, exchange)
        except GatewayProblem as problem:
            exchange.status, exchange.problem = problem.status, problem.slug
            return problem_answer(problem, path, headers.correlation_id)
        except ClientGone:
            exchange.status = 499
            return None
        except Exception:
            log.exception("unexpected error, correlation id %s", headers.correlation_id.decode())
            exchange.status, exchange.problem = 500, "internal-error"
            return problem_answer(GatewayProblem("internal-error"), path, headers.correlation_id)
        finally:
            self._record(method, headers, exchange, time.perf_counter() - started)

    async def _handle(
        self,
        state: GatewayState,
        method: str,
        path: str,
        query: str,
        client_ip: str,
        scheme: str,
        headers: RequestHeaders,
        read: BodyReader,
        ex: Exchange,
    ) -> Answer:
        if path in ("/openapi.json", "/docs") and method in ("GET", "HEAD"):
            document = path == "/openapi.json"
            ex.status = 200
            return _own_answer(
                state.public_document if document else state.docs_page,
                b"application/json" if document else b"text/html; charset=utf-8",
                headers.correlation_id,
            )
        capability, _, rest = path[1:].partition("/")
        if not rest and method in ("GET", "HEAD"):
            listing = _encode(state.version_listing(capability))
            ex.status = 200
            return _own_answer(listing, b"application/json", headers.correlation_id)
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
            body = await self._body(state, read, headers, operation)

        host = headers.host.decode("latin-1")
        forward = headers.forward
        forward += identity_headers(principal)
        forward += [
            ("x-correlation-id", headers.correlation_id.decode()),
            ("traceparent", headers.traceparent.decode()),
            ("forwarded", f'for="{client_ip}";proto={scheme};host="{host}"'),
            ("x-forwarded-for", client_ip),
            ("x-forwarded-proto", scheme),
            ("x-forwarded-host", host),
            # Services name their own paths (a problem's ``instance``); this is the public part before them.
            ("x-forwarded-prefix", version.public_prefix),
        ]
        if body:
            forward.append(("content-length", str(len(body))))
        # Routing, scopes and schemas were decided on the decoded path; the service must get that same
        # path, so it is encoded again (sent decoded, a ``%3F`` in an id would start a query string
        # there: another operation than the one checked). Only a path that came with escapes needs it;
        # the others skip ``quote``, which costs more than the check.
        upstream_path = (
            service_path if _UNENCODED_PATH.fullmatch(service_path) else quote(service_path, safe=_PATH_SAFE)
        )
        upstream_started = time.perf_counter()
        answer = await state.upstreams[version.key].forward(
            method, upstream_path + "?" + query if query else upstream_path, forward, body
        )
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
            (b"content-length", b"%d" % len(answer.body)),
        ]
        return answer.status, out, answer.body

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
        counter = self._decisions.get((policy.name, decision.allowed))
        if counter is None:
            outcome = "allowed" if decision.allowed else "limited"
            counter = self._decisions[(policy.name, decision.allowed)] = self.metrics.rate_limited.labels(
                policy.name, outcome
            )
        counter.inc()
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

    async def _body(
        self, state: GatewayState, read: BodyReader, headers: RequestHeaders, operation: Operation
    ) -> bytes:
        limit = state.config.server.max_body_bytes
        if headers.content_length is not None and headers.content_length > limit:
            self.metrics.validation_failures.labels("size").inc()
            raise GatewayProblem("payload-too-large", f"The body is larger than {limit} bytes")
        if operation.body is not None and not is_json(headers.content_type):
            self.metrics.validation_failures.labels("media_type").inc()
            raise GatewayProblem("unsupported-media-type", "Send the body as application/json")
        try:
            body = await read(limit, headers.content_length)
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

    def _record(self, method: str, headers: RequestHeaders, ex: Exchange, seconds: float) -> None:
        version, operation, status = ex.version, ex.operation, ex.status
        key = (version, operation, method, status, ex.client)
        counter = self._request_counters.get(key)
        if counter is None:
            if len(self._request_counters) >= _MAX_CACHED:
                self._request_counters.clear()
            counter = self._request_counters[key] = self.metrics.requests.labels(
                version.capability if version else "-",
                str(version.number) if version else "-",
                operation.template if operation else "-",
                method,
                str(status),
                ex.client or "-",
            )
        counter.inc()
        if operation is not None:
            histograms = self._latencies.get(operation)
            if histograms is None:
                if len(self._latencies) >= _MAX_CACHED:
                    self._latencies.clear()
                labels = (operation.major.capability, str(operation.major.number), operation.template)
                histograms = self._latencies[operation] = (
                    self.metrics.latency.labels(*labels),
                    self.metrics.upstream_latency.labels(*labels),
                )
            histograms[0].observe(seconds)
            if ex.upstream_seconds is not None:
                histograms[1].observe(ex.upstream_seconds)
        if self.access_log is not None:
            upstream = ex.upstream_seconds
            self.access_log.write(
                AccessRecord(
                    ts=timestamp(),
                    correlation_id=headers.correlation_id.decode(),
                    method=method,
                    route=operation.template if operation else "-",
                    status=status,
                    duration_ms=round(seconds * 1000, 3),
                    client=ex.client,
                    upstream_ms=None if upstream is None else round(upstream * 1000, 3),
                    problem=ex.problem,
                )
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


def _address(client: str) -> str:
    """The address of an RSGI ``client`` (``host:port``, or ``[v6]:port``)."""
    host = client.rpartition(":")[0] or client
    return host[1:-1] if host.startswith("[") else host
