"""The sandbox tenant's data: one table per record type, numbering sequences, tenant settings.

Tables are generic (any msgspec Struct with an ``id`` and an optional business number), so
subscriptions, orders, invoices and payments are added later as further tables on
:class:`ZuoraTenant` without touching the existing ones.
"""

from __future__ import annotations

import decimal
import uuid
from collections.abc import Callable, Iterator
from typing import Final, Generic, Protocol, TypeVar

import msgspec


class Record(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=Record)


def new_id() -> str:
    """A Zuora object id: 32 lowercase hex digits."""
    return uuid.uuid4().hex


class Table(Generic[R]):
    """Records of one type by id, optionally also by a unique business number (``A00000001``)."""

    def __init__(self, number_of: Callable[[R], str | None] | None = None) -> None:
        self._number_of = number_of
        self._by_id: dict[str, R] = {}
        self._by_number: dict[str, str] = {}

    def __iter__(self) -> Iterator[R]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, key: str) -> R | None:
        """By id or by number: Zuora's ``{object-key}`` path parameters accept either."""
        record = self._by_id.get(key)
        if record is None and (record_id := self._by_number.get(key)) is not None:
            record = self._by_id.get(record_id)
        return record

    def number_taken(self, number: str) -> bool:
        return number in self._by_number

    def put(self, record: R) -> R:
        """Insert or replace (by id)."""
        previous = self._by_id.get(record.id)
        if previous is not None and self._number_of is not None:
            old_number = self._number_of(previous)
            if old_number is not None:
                self._by_number.pop(old_number, None)
        self._by_id[record.id] = record
        if self._number_of is not None and (number := self._number_of(record)) is not None:
            self._by_number[number] = record.id
        return record


class Sequence:
    """Auto-numbering such as ``A00000001``: a prefix and a zero-padded counter."""

    def __init__(self, prefix: str, width: int = 8) -> None:
        self.prefix = prefix
        self.width = width
        self.last = 0

    def next(self, taken: Callable[[str], bool]) -> str:
        while True:
            self.last += 1
            number = f"{self.prefix}{self.last:0{self.width}d}"
            if not taken(number):
                return number

    def observe(self, number: str) -> None:
        """Keep the counter past a number chosen by hand in this sequence's own format."""
        digits = number[len(self.prefix) :]
        if number.startswith(self.prefix) and digits.isdigit() and len(digits) == self.width:
            self.last = max(self.last, int(digits))


class Contact(msgspec.Struct, kw_only=True):
    id: str
    account_id: str
    first_name: str
    last_name: str
    country: str
    """Zuora keeps the country's name (``United States``) whatever form it was given in."""
    work_email: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None


class Account(msgspec.Struct, kw_only=True):
    id: str
    account_number: str
    name: str
    currency: str
    bill_cycle_day: int
    payment_term: str
    auto_pay: bool = False
    crm_id: str | None = None
    batch: str = "Batch1"
    status: str = "Active"
    bill_to_contact_id: str | None = None
    sold_to_contact_id: str | None = None
    balance: decimal.Decimal = decimal.Decimal(0)
    credit_balance: decimal.Decimal = decimal.Decimal(0)


ENABLED_CURRENCIES: Final = ("USD", "EUR", "GBP", "AUD", "CAD", "JPY")
PAYMENT_TERMS: Final = ("Due Upon Receipt", "Net 15", "Net 30", "Net 45", "Net 60")
BATCHES: Final = tuple(f"Batch{n}" for n in range(1, 51))


class ZuoraTenant:
    """One Zuora tenant: its settings and its data."""

    def __init__(self) -> None:
        self.currencies: tuple[str, ...] = ENABLED_CURRENCIES
        self.payment_terms: tuple[str, ...] = PAYMENT_TERMS
        self.batches: tuple[str, ...] = BATCHES
        self.accounts: Table[Account] = Table(lambda a: a.account_number)
        self.contacts: Table[Contact] = Table()
        self.account_numbers = Sequence("A")

    def next_account_number(self) -> str:
        return self.account_numbers.next(self.accounts.number_taken)

    def add_account(self, account: Account) -> Account:
        self.account_numbers.observe(account.account_number)
        return self.accounts.put(account)
