"""Zuora v1 JSON shapes of the sandbox, and body decoding that fails the way Zuora fails.

Decoders and the encoder are built once here. A body that does not fit its shape becomes a
:class:`ZuoraError` of the matching category: unknown field 21, missing required field 22,
wrong type 20, not JSON at all 90.
"""

from __future__ import annotations

import decimal
import re
from typing import Final, TypeVar

import msgspec
from litestar import Response

from services.sandbox.zuora._errors import Category, Resource, ZuoraError

T = TypeVar("T")

_ENCODER: Final = msgspec.json.Encoder(decimal_format="number")
_UNKNOWN: Final = re.compile(r"^Object contains unknown field `(?P<field>[^`]+)`")
_MISSING: Final = re.compile(r"^Object missing required field `(?P<field>[^`]+)`")
_AT: Final = re.compile(r" - at `\$(?P<at>[^`]*)`$")


def json_response(payload: object, status: int = 200) -> Response[bytes]:
    return Response(content=_ENCODER.encode(payload), status_code=status, media_type="application/json")


def decode(decoder: msgspec.json.Decoder[T], body: bytes, resource: Resource) -> T:
    """Decode a request body, translating msgspec's complaint into Zuora's category."""
    try:
        return decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise _validation_error(str(exc), resource) from exc
    except msgspec.DecodeError as exc:
        raise ZuoraError(
            Category.MALFORMED, "The request body is not valid JSON.", resource=resource, status=400
        ) from exc


def _validation_error(text: str, resource: Resource) -> ZuoraError:
    at_match = _AT.search(text)
    at = at_match.group("at").lstrip(".") if at_match else ""
    detail = text[: at_match.start()] if at_match else text
    if match := _UNKNOWN.match(detail):
        field = ".".join(p for p in (at, match.group("field")) if p)
        return ZuoraError(Category.UNKNOWN_FIELD, f"Field '{field}' is not recognized.", resource=resource)
    if match := _MISSING.match(detail):
        field = ".".join(p for p in (at, match.group("field")) if p)
        return ZuoraError(Category.MISSING_REQUIRED, f"'{field}' may not be null", resource=resource)
    return ZuoraError(
        Category.INVALID_VALUE,
        f"Invalid value for field '{at or '$'}': {detail.replace('`', '')}.",
        resource=resource,
    )


# --- requests -------------------------------------------------------------------------------


class ContactIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True, kw_only=True):
    first_name: str
    last_name: str
    country: str
    work_email: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None


class AccountCreate(msgspec.Struct, rename="camel", forbid_unknown_fields=True, kw_only=True):
    name: str
    currency: str
    bill_cycle_day: int
    bill_to_contact: ContactIn
    auto_pay: bool = False
    payment_term: str | None = None
    crm_id: str | None = None
    account_number: str | None = None
    batch: str | None = None
    sold_to_contact: ContactIn | None = None


_Unset = msgspec.UnsetType


class ContactPatch(msgspec.Struct, rename="camel", forbid_unknown_fields=True, kw_only=True):
    """Only the fields sent change; ``null`` or ``""`` empties an optional field."""

    first_name: str | _Unset = msgspec.UNSET
    last_name: str | _Unset = msgspec.UNSET
    country: str | _Unset = msgspec.UNSET
    work_email: str | _Unset | None = msgspec.UNSET
    address1: str | _Unset | None = msgspec.UNSET
    address2: str | _Unset | None = msgspec.UNSET
    city: str | _Unset | None = msgspec.UNSET
    state: str | _Unset | None = msgspec.UNSET
    zip_code: str | _Unset | None = msgspec.UNSET


class AccountPatch(msgspec.Struct, rename="camel", forbid_unknown_fields=True, kw_only=True):
    name: str | _Unset = msgspec.UNSET
    currency: str | _Unset = msgspec.UNSET
    bill_cycle_day: int | _Unset = msgspec.UNSET
    auto_pay: bool | _Unset = msgspec.UNSET
    payment_term: str | _Unset = msgspec.UNSET
    crm_id: str | _Unset | None = msgspec.UNSET
    batch: str | _Unset = msgspec.UNSET
    bill_to_contact: ContactPatch | _Unset = msgspec.UNSET
    sold_to_contact: ContactPatch | _Unset = msgspec.UNSET


ACCOUNT_CREATE: Final = msgspec.json.Decoder(AccountCreate)
ACCOUNT_PATCH: Final = msgspec.json.Decoder(AccountPatch)


# --- answers --------------------------------------------------------------------------------


class Done(msgspec.Struct, frozen=True):
    success: bool = True


class AccountCreated(msgspec.Struct, rename="camel", frozen=True):
    success: bool
    account_id: str
    account_number: str
    bill_to_contact_id: str
    sold_to_contact_id: str


class BasicInfo(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    name: str
    account_number: str
    status: str
    crm_id: str | None
    batch: str
    notes: str | None = None
    invoice_template_id: str | None = None
    communication_profile_id: str | None = None
    sales_rep: str | None = None
    parent_id: str | None = None


class BillingAndPayment(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    bill_cycle_day: int
    currency: str
    payment_term: str
    auto_pay: bool
    invoice_delivery_prefs_email: bool
    invoice_delivery_prefs_print: bool = False
    payment_gateway: str | None = None
    default_payment_method_id: str | None = None
    additional_email_addresses: list[str] = msgspec.field(default_factory=list)


class Metrics(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    balance: decimal.Decimal
    total_invoice_balance: decimal.Decimal
    credit_balance: decimal.Decimal
    contracted_mrr: decimal.Decimal
    currency: str
    total_debit_memo_balance: decimal.Decimal = decimal.Decimal(0)
    unapplied_credit_memo_amount: decimal.Decimal = decimal.Decimal(0)
    unapplied_payment_amount: decimal.Decimal = decimal.Decimal(0)


class ContactOut(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    id: str
    first_name: str
    last_name: str
    country: str
    work_email: str | None
    address1: str | None
    address2: str | None
    city: str | None
    state: str | None
    zip_code: str | None
    county: str | None = None
    tax_region: str | None = None
    work_phone: str | None = None
    personal_email: str | None = None


class AccountDetail(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    basic_info: BasicInfo
    billing_and_payment: BillingAndPayment
    metrics: Metrics
    bill_to_contact: ContactOut | None
    sold_to_contact: ContactOut | None
    success: bool = True
