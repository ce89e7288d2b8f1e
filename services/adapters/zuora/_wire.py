"""The Zuora v1 JSON shapes the adapter sends and reads; decoders built once.

Reading shapes list only the fields the adapter uses: Zuora's answers carry many more,
which msgspec skips without building them.
"""

from __future__ import annotations

from typing import Final

import msgspec

_Unset = msgspec.UnsetType
UNSET: Final = msgspec.UNSET


class ContactBody(msgspec.Struct, rename="camel", omit_defaults=True, kw_only=True):
    """A contact to write. Unset fields are left out; ``None`` empties the field on update."""

    first_name: str | _Unset = UNSET
    last_name: str | _Unset = UNSET
    work_email: str | _Unset | None = UNSET
    address1: str | _Unset | None = UNSET
    address2: str | _Unset | None = UNSET
    city: str | _Unset | None = UNSET
    state: str | _Unset | None = UNSET
    zip_code: str | _Unset | None = UNSET
    country: str | _Unset | None = UNSET


class CreateAccountBody(msgspec.Struct, rename="camel", omit_defaults=True, kw_only=True):
    name: str
    currency: str
    bill_cycle_day: int
    auto_pay: bool
    payment_term: str
    crm_id: str
    account_number: str
    bill_to_contact: ContactBody


class UpdateAccountBody(msgspec.Struct, rename="camel", omit_defaults=True, kw_only=True):
    name: str
    # Zuora refuses a changed currency (rule restriction); sending it surfaces that refusal
    # instead of silently keeping the old currency.
    currency: str
    bill_cycle_day: int
    auto_pay: bool
    payment_term: str
    crm_id: str
    bill_to_contact: ContactBody | _Unset = UNSET


class AccountCreated(msgspec.Struct, rename="camel", frozen=True):
    account_id: str
    account_number: str


class TokenGranted(msgspec.Struct, frozen=True):
    access_token: str
    expires_in: float | None = None


class ContactRead(msgspec.Struct, rename="camel", frozen=True):
    first_name: str | None = None
    last_name: str | None = None
    work_email: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None
    country: str | None = None


class BasicInfo(msgspec.Struct, rename="camel", frozen=True):
    id: str
    name: str
    account_number: str
    crm_id: str | None = None


class BillingAndPayment(msgspec.Struct, rename="camel", frozen=True):
    bill_cycle_day: int
    currency: str
    payment_term: str | None = None
    auto_pay: bool = False


class AccountRead(msgspec.Struct, rename="camel", frozen=True):
    basic_info: BasicInfo
    billing_and_payment: BillingAndPayment
    bill_to_contact: ContactRead | None = None


ACCOUNT_READ: Final = msgspec.json.Decoder(AccountRead)
ACCOUNT_CREATED: Final = msgspec.json.Decoder(AccountCreated)
TOKEN_GRANTED: Final = msgspec.json.Decoder(TokenGranted)
