"""What every Zuora call of the adapter shares: the track id header, body encoding, decoding, paging."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any, Final, Protocol, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from services.adapters._session import VendorSession
from services.adapters.errors import Unavailable
from services.adapters.zuora._errors import SYSTEM
from services.runtime.correlation import correlation_id

TRACK_HEADER: Final = "Zuora-Track-Id"
_NOT_IN_TRACK_ID: Final = re.compile(r"[^\x20-\x7e]|[:;\"']")
# Zuora takes amounts as JSON numbers; msgspec's default would send Decimals as strings.
_BODY_ENCODER: Final = msgspec.json.Encoder(decimal_format="number")

T = TypeVar("T")
Item = TypeVar("Item")


class _Page(Protocol):
    """A page of a v1 list: ``nextPage`` is the absolute URL of the next one, None on the last."""

    @property
    def next_page(self) -> str | None: ...


P = TypeVar("P", bound=_Page)


def track_id() -> str:
    """The correlation id as Zuora accepts it: US-ASCII, no ``:;"'``, at most 64 characters."""
    return _NOT_IN_TRACK_ID.sub("-", correlation_id.get())[:64]


def headers(**extra: str) -> dict[str, str]:
    return {TRACK_HEADER: track_id(), **extra}


def body(payload: object) -> msgspec.Raw:
    """A request body with amounts as JSON numbers (hand it to ``VendorSession.request(json=...)``)."""
    return msgspec.Raw(_BODY_ENCODER.encode(payload))


def key(value: str) -> str:
    """A path segment such as an account or subscription key, escaped."""
    return quote(value, safe="")


def read(decoder: msgspec.json.Decoder[T], response: httpx.Response, what: str) -> T:
    """Decode an answer; an answer we cannot read means Zuora is not working as it should."""
    try:
        return decoder.decode(response.content)
    except msgspec.DecodeError as exc:
        raise Unavailable(SYSTEM, f"unreadable {what} answer: {exc}", status=response.status_code) from exc


async def pages(
    session: VendorSession,
    path: str,
    decoder: msgspec.json.Decoder[P],
    items: Callable[[P], list[Item]],
    params: dict[str, Any] | None = None,
) -> AsyncIterator[Item]:
    """Every item of a v1 list, following ``nextPage`` (an absolute URL on the same tenant)."""
    url: str | None = path
    query = {k: str(v) for k, v in (params or {}).items()}
    while url is not None:
        response = await session.request("GET", url, params=query or None, headers=headers())
        page = read(decoder, response, path)
        for item in items(page):
            yield item
        if page.next_page is None:
            return
        # Path and query as sent (still escaped), on our own base URL.
        url, query = httpx.URL(page.next_page).raw_path.decode("ascii"), {}
