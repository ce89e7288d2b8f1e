"""The sandbox tenant's data: one table per record type, numbering sequences, tenant settings.

Tables are generic (any msgspec Struct with an ``id`` and an optional business number); the
quote-to-cash records themselves are in :mod:`services.sandbox.zuora._records`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Iterator
from typing import Final, Generic, Protocol, TypeVar

import msgspec

from services.sandbox.zuora._calendar import PAYMENT_TERM_DAYS
from services.sandbox.zuora._records import (
    BillRun,
    Invoice,
    Order,
    Payment,
    PaymentMethod,
    PaymentRun,
    Product,
    Subscription,
)


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

    def remove(self, record_id: str) -> None:
        record = self._by_id.pop(record_id, None)
        if record is not None and self._number_of is not None:
            number = self._number_of(record)
            if number is not None and self._by_number.get(number) == record_id:
                del self._by_number[number]

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
    default_payment_method_id: str | None = None


ENABLED_CURRENCIES: Final = ("USD", "EUR", "GBP", "AUD", "CAD", "JPY")
PAYMENT_TERMS: Final = tuple(PAYMENT_TERM_DAYS)
"""The tenant's payment terms (the first is the default): those the billing calendar can date."""
BATCHES: Final = tuple(f"Batch{n}" for n in range(1, 51))
ORDER_CUSTOM_FIELDS: Final = frozenset({"RevgateAmendmentId__c"})
"""Custom fields defined on the Order object of the tenant."""
SUBSCRIPTION_CUSTOM_FIELDS: Final = frozenset({"RevgateOrderId__c", "RevgateOpportunityId__c"})
"""Custom fields defined on the Subscription object of the tenant."""

BilledSegment = tuple[str, int]
"""(rate plan charge id, segment number)."""


class ZuoraTenant:
    """One Zuora tenant: its settings and its data."""

    def __init__(self) -> None:
        self.currencies: tuple[str, ...] = ENABLED_CURRENCIES
        self.payment_terms: tuple[str, ...] = PAYMENT_TERMS
        self.batches: tuple[str, ...] = BATCHES
        self.accounts: Table[Account] = Table(lambda a: a.account_number)
        self.contacts: Table[Contact] = Table()
        self.account_numbers = Sequence("A")
        self.products: Table[Product] = Table(lambda p: p.sku)
        self.subscriptions: Table[Subscription] = Table(lambda s: s.number)
        self.subscription_versions: dict[str, Subscription] = {}
        """Earlier versions by their id (Zuora keeps every version, each with its own id)."""
        self.orders: Table[Order] = Table(lambda o: o.number)
        self.invoices: Table[Invoice] = Table(lambda i: i.number)
        self.bill_runs: Table[BillRun] = Table(lambda r: r.number)
        self.payment_methods: Table[PaymentMethod] = Table()
        self.payments: Table[Payment] = Table(lambda p: p.number)
        self.payment_runs: Table[PaymentRun] = Table(lambda r: r.number)
        self.billed: dict[BilledSegment, dict[dt.date, dt.date]] = {}
        """How far each charge segment is billed, by billing period start (exclusive end)."""
        self.sequences = {
            prefix: Sequence(prefix) for prefix in ("O-", "A-S", "C-", "INV", "BR-", "P-", "PR-")
        }

    def next_account_number(self) -> str:
        return self.account_numbers.next(self.accounts.number_taken)

    def next_number(self, prefix: str) -> str:
        """The next number of a sequence such as ``O-`` (orders) or ``INV`` (invoices)."""
        return self.sequences[prefix].next(lambda _: False)

    def subscription(self, key: str) -> Subscription | None:
        """By number, by the current version's id, or by an earlier version's id."""
        return self.subscriptions.get(key) or self.subscription_versions.get(key)

    def add_account(self, account: Account) -> Account:
        self.account_numbers.observe(account.account_number)
        return self.accounts.put(account)
