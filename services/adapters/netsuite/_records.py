"""Reading NetSuite records: by id or external id, and whole collections (ids first, then each record)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, Final, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from services.adapters._session import VendorSession
from services.adapters.errors import NotFound
from services.adapters.netsuite._errors import decode
from services.adapters.netsuite._wire import CollectionPage

RECORDS: Final = "record/v1"
PAGE_SIZE: Final = 1000
CONCURRENT_READS: Final = 4
"""NetSuite limits concurrent requests per account; reads stay well below."""

R = TypeVar("R")
A = TypeVar("A")
_page_decoder: Final = msgspec.json.Decoder(CollectionPage)


async def all_or_first_error(*calls: Coroutine[Any, Any, A]) -> list[A]:
    """Run concurrently; on the first failure cancel the rest and raise that failure as it is."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(call) for call in calls]
    except BaseExceptionGroup as failed:
        raise first_failure(failed) from None
    return [task.result() for task in tasks]


def first_failure(failed: BaseExceptionGroup[BaseException]) -> BaseException:
    """The adapter raises one error of its tree, not a group."""
    first: BaseException = failed
    while isinstance(first, BaseExceptionGroup):
        first = first.exceptions[0]
    return first


def record_key(external_id: str | None, erp_id: str | None) -> str:
    """The URL key of a record: ``eid:<externalId>`` or the internal id."""
    if (external_id is None) == (erp_id is None):
        raise ValueError("give exactly one of external_id and erp_id")
    if external_id is not None:
        return "eid:" + quote(external_id, safe="")
    return quote(str(erp_id), safe="")


def id_from_location(response: httpx.Response) -> str | None:
    """NetSuite answers a create with 204 and the new record's URL in ``Location``, nothing else."""
    location = response.headers.get("location")
    return location.rstrip("/").rsplit("/", 1)[-1] if location else None


class RecordReader:
    """GETs of records of any type over one session."""

    def __init__(self, session: VendorSession) -> None:
        self.session = session

    async def get(
        self, record_type: str, key: str, decoder: msgspec.json.Decoder[R], *, expand: bool = False
    ) -> R | None:
        """The record, or None when NetSuite does not know it."""
        params = {"expandSubResources": "true"} if expand else None
        try:
            response = await self.session.request("GET", f"{RECORDS}/{record_type}/{key}", params=params)
        except NotFound:
            return None
        return decode(response, decoder)

    async def ids(self, record_type: str, query: str | None = None) -> list[str]:
        """Ids of every record of a type, or of those the ``q`` filter selects, page by page."""
        ids: list[str] = []
        offset = 0
        while True:
            params = {"limit": str(PAGE_SIZE), "offset": str(offset)}
            if query is not None:
                params["q"] = query
            response = await self.session.request("GET", f"{RECORDS}/{record_type}", params=params)
            page = decode(response, _page_decoder)
            ids += [item.id for item in page.items]
            if not page.has_more or not page.items:
                return ids
            offset += len(page.items)

    async def read_all(
        self,
        record_type: str,
        decoder: msgspec.json.Decoder[R],
        *,
        query: str | None = None,
        expand: bool = False,
    ) -> list[R]:
        """Every record of a type (or those ``query`` selects), read a few at a time."""
        ids = await self.ids(record_type, query)
        limit = asyncio.Semaphore(CONCURRENT_READS)

        async def read(record_id: str) -> R | None:
            async with limit:  # None: deleted since it was listed
                return await self.get(record_type, record_id, decoder, expand=expand)

        return [r for r in await all_or_first_error(*(read(i) for i in ids)) if r is not None]
