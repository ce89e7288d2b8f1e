"""The exceptions of both sides (documented in the package docstring)."""


class ClientGone(Exception):
    """The caller disconnected before its body arrived."""


class UpstreamError(Exception):
    """Talking to an upstream failed."""


class ConnectFailed(UpstreamError):
    """No connection could be made: the upstream never saw the request, so any method may go again."""


class ConnectionBroken(UpstreamError):
    """The connection failed once the request was on its way, before a whole answer came back."""


class AnswerTimeout(UpstreamError):
    """No whole answer within the time allowed."""


class MalformedAnswer(ConnectionBroken):
    """What came back is not HTTP/1.1."""
