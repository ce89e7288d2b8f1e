"""HTTP/1.1 on the gateway's hot path: the public listener and the keep-alive pools to upstreams.

Both are asyncio protocols on uvloop with llhttp (through httptools) doing the parsing: one task
per caller connection serves its requests in turn, and one watchdog timer per pool times the
answers in flight, so a request costs a handful of callbacks and no task or timer of its own.
Servers and clients from libraries (uvicorn, granian, aiohttp, pyreqwest, httpx) were measured
first and each cost more per request than the gateway's whole budget; see ``docs/performance.md``
and the decision in ``docs/architecture.md``.

The listener's body reader raises :class:`ClientGone` when the caller disconnects before its body
has arrived. Errors of the upstream side, all :class:`UpstreamError`:

* :class:`ConnectFailed`: no connection was made, so the upstream never saw the request.
* :class:`ConnectionBroken`: the connection failed after the request was sent (or while sending
  it), before a whole answer came back; the upstream may have acted on it.
* :class:`AnswerTimeout`: no whole answer within the time allowed; the connection is dropped.
* :class:`MalformedAnswer`: the upstream answered something that is not HTTP/1.1.
"""

from gateway.http1._client import ConnectionPool, UpstreamReply
from gateway.http1._errors import (
    AnswerTimeout,
    ClientGone,
    ConnectFailed,
    ConnectionBroken,
    MalformedAnswer,
    UpstreamError,
)
from gateway.http1._limits import ListenerLimits
from gateway.http1._server import Listener, RequestHandler

__all__ = [
    "AnswerTimeout",
    "ClientGone",
    "ConnectFailed",
    "ConnectionBroken",
    "ConnectionPool",
    "Listener",
    "ListenerLimits",
    "MalformedAnswer",
    "RequestHandler",
    "UpstreamError",
    "UpstreamReply",
]
