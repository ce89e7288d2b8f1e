"""Lookups the order mapping needs, cached per adapter: billing schedules by name, item SKUs,
and the external ids behind internal ids (customers, sales orders).

Billing schedules are a short list, loaded whole on first use and again when a name or id is
not in it. The rest is looked up one record at a time and remembered: an item's SKU, a
customer's or an order's external id do not change once revgate has set them.
"""

from __future__ import annotations

from typing import Final

import msgspec

from services.adapters.netsuite._order_wire import BillingScheduleRecord, ItemRecord, RecordKeys
from services.adapters.netsuite._records import RecordReader, record_key
from services.adapters.netsuite._reference import ReferenceCache

ITEM_TYPE: Final = "serviceSaleItem"
_schedule_decoder: Final = msgspec.json.Decoder(BillingScheduleRecord)
_item_decoder: Final = msgspec.json.Decoder(ItemRecord)
_keys_decoder: Final = msgspec.json.Decoder(RecordKeys)


class Schedules(msgspec.Struct, frozen=True):
    """The account's billing schedules, both ways."""

    by_name: dict[str, str]
    """Name -> internal id, active schedules only."""
    names: dict[str, str]
    """Internal id -> name."""


class OrderCatalog:
    """Cached lookups over one record reader."""

    def __init__(self, reader: RecordReader) -> None:
        self._reader = reader
        self._schedules = ReferenceCache(self._load_schedules)
        self._skus: dict[str, str] = {}
        self._external_ids: dict[tuple[str, str], str | None] = {}
        self._internal_ids: dict[tuple[str, str], str] = {}

    async def schedule_id(self, name: str) -> str | None:
        """The internal id of the active billing schedule of that name, None when there is none."""
        schedules = await self._schedules.get_knowing(lambda data: name in data.by_name)
        return schedules.by_name.get(name)

    async def schedule_name(self, schedule_id: str) -> str:
        schedules = await self._schedules.get_knowing(lambda data: schedule_id in data.names)
        return schedules.names.get(schedule_id, "")

    async def sku(self, item_id: str) -> str:
        """The item's external id (the SKU), or its name when it has none."""
        if item_id not in self._skus:
            item = await self._reader.get(ITEM_TYPE, record_key(None, item_id), _item_decoder)
            self._skus[item_id] = (item.external_id or item.item_id) if item else ""
        return self._skus[item_id]

    async def external_id(self, record_type: str, internal_id: str) -> str | None:
        """The external id of a record, None when it has none or does not exist."""
        key = (record_type, internal_id)
        if key not in self._external_ids:
            found = await self._reader.get(record_type, record_key(None, internal_id), _keys_decoder)
            if found is None:
                return None
            self._external_ids[key] = found.external_id
        return self._external_ids[key]

    async def internal_id(self, record_type: str, external_id: str) -> str | None:
        """The internal id of the record with that external id, None when there is none."""
        key = (record_type, external_id)
        if key not in self._internal_ids:
            found = await self._reader.get(record_type, record_key(external_id, None), _keys_decoder)
            if found is None:
                return None
            self._internal_ids[key] = found.id
        return self._internal_ids[key]

    async def _load_schedules(self) -> Schedules:
        records = await self._reader.read_all("billingSchedule", _schedule_decoder)
        return Schedules(
            by_name={s.name: s.id for s in records if not s.is_inactive},
            names={s.id: s.name for s in records},
        )
