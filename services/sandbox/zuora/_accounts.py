"""``/v1/accounts``: create, retrieve and update customer accounts, with Zuora's validation.

Every failure here is a :class:`ZuoraError` answered with HTTP 200 and ``success: false``.
"""

from __future__ import annotations

import decimal
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath

from services.sandbox.zuora._countries import country_name
from services.sandbox.zuora._errors import Category, Resource, ZuoraError, not_found
from services.sandbox.zuora._store import Account, Contact, ZuoraTenant, new_id
from services.sandbox.zuora._wire import (
    ACCOUNT_CREATE,
    ACCOUNT_PATCH,
    AccountCreate,
    AccountCreated,
    AccountDetail,
    AccountPatch,
    BasicInfo,
    BillingAndPayment,
    ContactIn,
    ContactOut,
    ContactPatch,
    Done,
    Metrics,
    decode,
    json_response,
)

_MAX_ACCOUNT_NUMBER = 70


def _invalid(message: str) -> ZuoraError:
    return ZuoraError(Category.INVALID_VALUE, message)


def _missing(field: str) -> ZuoraError:
    return ZuoraError(Category.MISSING_REQUIRED, f"'{field}' may not be null")


def _check_email(email: str | None, field: str) -> None:
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        raise _invalid(f"Invalid value for field '{field}': '{email}' is not a valid email address.")


def _country(value: str, field: str) -> str:
    name = country_name(value)
    if name is None:
        raise _invalid(f"Invalid value for field '{field}': country '{value}' is not valid.")
    return name


def _new_contact(data: ContactIn, field: str, account_id: str) -> Contact:
    if not data.first_name.strip():
        raise _missing(f"{field}.firstName")
    if not data.last_name.strip():
        raise _missing(f"{field}.lastName")
    _check_email(data.work_email, f"{field}.workEmail")
    return Contact(
        id=new_id(),
        account_id=account_id,
        first_name=data.first_name,
        last_name=data.last_name,
        country=_country(data.country, f"{field}.country"),
        work_email=data.work_email or None,
        address1=data.address1 or None,
        address2=data.address2 or None,
        city=data.city or None,
        state=data.state or None,
        zip_code=data.zip_code or None,
    )


def _check_settings(
    tenant: ZuoraTenant, *, bill_cycle_day: int | None, payment_term: str | None, batch: str | None
) -> None:
    if bill_cycle_day is not None and not 0 <= bill_cycle_day <= 31:
        raise _invalid(f"Invalid value for field 'billCycleDay': {bill_cycle_day}. It must be 0 to 31.")
    if payment_term is not None and payment_term not in tenant.payment_terms:
        raise _invalid(f"Payment term '{payment_term}' is not defined in this tenant.")
    if batch is not None and batch not in tenant.batches:
        raise _invalid(f"Invalid value for field 'batch': '{batch}'.")


def create_account(tenant: ZuoraTenant, data: AccountCreate) -> AccountCreated:
    if not data.name.strip():
        raise _missing("name")
    if data.currency not in tenant.currencies:
        raise _invalid(f"The currency '{data.currency}' is not enabled in this tenant.")
    _check_settings(
        tenant, bill_cycle_day=data.bill_cycle_day, payment_term=data.payment_term, batch=data.batch
    )
    if data.account_number is not None:
        if not data.account_number or len(data.account_number) > _MAX_ACCOUNT_NUMBER:
            raise _invalid(f"Invalid value for field 'accountNumber': '{data.account_number}'.")
        if tenant.accounts.number_taken(data.account_number):
            raise ZuoraError(
                Category.LOCKING_CONTENTION,
                f"An account with account number '{data.account_number}' already exists.",
            )
    account_id = new_id()
    bill_to = _new_contact(data.bill_to_contact, "billToContact", account_id)
    # Without a sold-to contact Zuora points both roles at the one bill-to contact record.
    sold_to = (
        bill_to
        if data.sold_to_contact is None
        else _new_contact(data.sold_to_contact, "soldToContact", account_id)
    )
    account = Account(
        id=account_id,
        account_number=data.account_number or tenant.next_account_number(),
        name=data.name,
        currency=data.currency,
        bill_cycle_day=data.bill_cycle_day,
        payment_term=data.payment_term or tenant.payment_terms[0],
        auto_pay=data.auto_pay,
        crm_id=data.crm_id or None,
        batch=data.batch or "Batch1",
        bill_to_contact_id=bill_to.id,
        sold_to_contact_id=sold_to.id,
    )
    tenant.contacts.put(bill_to)
    tenant.contacts.put(sold_to)
    tenant.add_account(account)
    return AccountCreated(
        success=True,
        account_id=account.id,
        account_number=account.account_number,
        bill_to_contact_id=bill_to.id,
        sold_to_contact_id=sold_to.id,
    )


def _contact_out(contact: Contact | None) -> ContactOut | None:
    if contact is None:
        return None
    return ContactOut(
        id=contact.id,
        first_name=contact.first_name,
        last_name=contact.last_name,
        country=contact.country,
        work_email=contact.work_email,
        address1=contact.address1,
        address2=contact.address2,
        city=contact.city,
        state=contact.state,
        zip_code=contact.zip_code,
    )


def account_detail(tenant: ZuoraTenant, account: Account) -> AccountDetail:
    bill_to = tenant.contacts.get(account.bill_to_contact_id or "")
    sold_to = tenant.contacts.get(account.sold_to_contact_id or "")
    return AccountDetail(
        basic_info=BasicInfo(
            id=account.id,
            name=account.name,
            account_number=account.account_number,
            status=account.status,
            crm_id=account.crm_id,
            batch=account.batch,
        ),
        billing_and_payment=BillingAndPayment(
            bill_cycle_day=account.bill_cycle_day,
            currency=account.currency,
            payment_term=account.payment_term,
            auto_pay=account.auto_pay,
            invoice_delivery_prefs_email=bool(bill_to and bill_to.work_email),
            default_payment_method_id=account.default_payment_method_id,
        ),
        metrics=Metrics(
            balance=account.balance,
            total_invoice_balance=account.balance,
            credit_balance=account.credit_balance,
            contracted_mrr=decimal.Decimal(0),
            currency=account.currency,
        ),
        bill_to_contact=_contact_out(bill_to),
        sold_to_contact=_contact_out(sold_to),
    )


def _patched_contact(contact: Contact, patch: ContactPatch, field: str) -> Contact:
    changes: dict[str, Any] = {}
    for name, wire_name in (("first_name", "firstName"), ("last_name", "lastName"), ("country", "country")):
        value = getattr(patch, name)
        if value is msgspec.UNSET:
            continue
        if not value or not value.strip():
            raise _missing(f"{field}.{wire_name}")
        changes[name] = _country(value, f"{field}.country") if name == "country" else value
    for name in ("work_email", "address1", "address2", "city", "state", "zip_code"):
        value = getattr(patch, name)
        if value is not msgspec.UNSET:
            changes[name] = value or None
    _check_email(changes.get("work_email"), f"{field}.workEmail")
    return msgspec.structs.replace(contact, **changes)


def update_account(tenant: ZuoraTenant, account: Account, patch: AccountPatch) -> None:
    if patch.currency is not msgspec.UNSET and patch.currency != account.currency:
        raise ZuoraError(
            Category.RULE_RESTRICTION,
            f"The currency of account {account.account_number} cannot be changed.",
        )
    if patch.name is not msgspec.UNSET and not patch.name.strip():
        raise _missing("name")
    _check_settings(
        tenant,
        bill_cycle_day=None if patch.bill_cycle_day is msgspec.UNSET else patch.bill_cycle_day,
        payment_term=None if patch.payment_term is msgspec.UNSET else patch.payment_term,
        batch=None if patch.batch is msgspec.UNSET else patch.batch,
    )
    # Validate both contacts before writing anything: an update applies entirely or not at all.
    contacts: list[Contact] = []
    for contact_id, contact_patch, field in (
        (account.bill_to_contact_id, patch.bill_to_contact, "billToContact"),
        (account.sold_to_contact_id, patch.sold_to_contact, "soldToContact"),
    ):
        contact = tenant.contacts.get(contact_id or "")
        if contact is not None and not isinstance(contact_patch, msgspec.UnsetType):
            # Bill-to and sold-to may be one record; a second patch applies on top of the first.
            current = next((c for c in contacts if c.id == contact.id), contact)
            contacts.append(_patched_contact(current, contact_patch, field))
    changes: dict[str, Any] = {
        name: getattr(patch, name)
        for name in ("name", "bill_cycle_day", "auto_pay", "payment_term", "batch", "crm_id")
        if getattr(patch, name) is not msgspec.UNSET
    }
    if "crm_id" in changes:
        changes["crm_id"] = changes["crm_id"] or None
    for contact in contacts:
        tenant.contacts.put(contact)
    tenant.accounts.put(msgspec.structs.replace(account, **changes))


class AccountsController(Controller):
    """The v1 Accounts operations."""

    path = "/v1/accounts"

    @post("/", status_code=200)
    async def create(
        self, request: Request[Any, Any, Any], tenant: NamedDependency[ZuoraTenant]
    ) -> Response[bytes]:
        data = decode(ACCOUNT_CREATE, await request.body(), Resource.ACCOUNT)
        return json_response(create_account(tenant, data))

    @get("/{account_key:str}")
    async def retrieve(
        self, account_key: FromPath[str], tenant: NamedDependency[ZuoraTenant]
    ) -> Response[bytes]:
        account = tenant.accounts.get(account_key)
        if account is None:
            raise not_found(account_key)
        return json_response(account_detail(tenant, account))

    @put("/{account_key:str}")
    async def update(
        self,
        account_key: FromPath[str],
        request: Request[Any, Any, Any],
        tenant: NamedDependency[ZuoraTenant],
    ) -> Response[bytes]:
        account = tenant.accounts.get(account_key)
        if account is None:
            raise not_found(account_key)
        patch = decode(ACCOUNT_PATCH, await request.body(), Resource.ACCOUNT)
        update_account(tenant, account, patch)
        return json_response(Done())
