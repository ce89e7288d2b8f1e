"""Types shared by every capability and major version."""

from __future__ import annotations

from typing import Annotated, Final, Generic, Literal, TypeVar

import msgspec

from contracts._base import Model

T = TypeVar("T")

CurrencyCode = Annotated[
    str, msgspec.Meta(pattern="^[A-Z]{3}$", description="ISO 4217 currency code.", examples=["USD"])
]
CountryCode = Annotated[
    str, msgspec.Meta(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code.", examples=["US"])
]
DecimalString = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?$",
        description="A decimal number as a string, so that no precision is lost in JSON.",
        examples=["1250.00"],
    ),
]


def id_pattern(prefix: str) -> str:
    """The pattern of a revgate id: ``<prefix>_`` and a ULID (Crockford base32, 26 characters)."""
    return f"^{prefix}_[0-9A-HJKMNP-TV-Z]{{26}}$"


CUSTOMER_ID_PATTERN: Final = id_pattern("cus")
CustomerId = Annotated[
    str,
    msgspec.Meta(
        pattern=CUSTOMER_ID_PATTERN,
        description="revgate's id of a customer: `cus_` and a ULID.",
        examples=["cus_01JD8Z6Q3W9R2N7M4K5H6G7F8E"],
    ),
]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255, examples=["Acme Rockets Ltd"])]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]


class Money(Model):
    """An amount in one currency."""

    amount: DecimalString
    currency: CurrencyCode


class Page(Model, Generic[T]):
    """One page of a list. Pass ``next`` back as ``cursor`` for the following page."""

    items: tuple[T, ...]
    next: str | None = None


LegalEntityCode = Annotated[
    str,
    msgspec.Meta(
        pattern="^[A-Z]{2}[0-9]{2}$",
        description="Code of the legal entity that sells to the customer (an ERP subsidiary).",
        examples=["US01"],
    ),
]
PaymentTerms = Literal["DUE_ON_RECEIPT", "NET15", "NET30", "NET45", "NET60"]
BillCycleDay = Annotated[
    int, msgspec.Meta(ge=1, le=28, description="Day of the month on which the customer is billed.")
]
#: ECMA-262's ``\s``, spelled out. Patterns in the documents are ECMA-262 (JSON Schema), the services
#: check them with Python's ``re``, whose ``\s`` also takes \x1c-\x1f and \x85: with ``\s`` itself the
#: services would refuse addresses the document allows.
_SPACE = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
Email = Annotated[
    str,
    msgspec.Meta(
        pattern=rf"^[^@{_SPACE}]+@[^@{_SPACE}]+\.[^@{_SPACE}]+$", max_length=254, examples=["ap@acme.example"]
    ),
]
