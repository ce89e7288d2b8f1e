"""Payment methods and payment runs: ``POST /v1/payment-methods``, ``POST|GET /v1/payment-runs``.

**The sandbox's payment gateway**, like a gateway's test mode: every credit card approves,
except the test card ``4000000000000002``, which the gateway always declines (``gatewayResponse``
"Your card was declined.", ``gatewayResponseCode`` ``card_declined``). Card numbers must pass
the Luhn check and the expiry must not be past.

A payment run (Zuora's *Create a payment run*) collects, for every account with ``autoPay`` and
a default payment method, every ``Posted`` invoice with a balance whose **due date** is on or
before the target date (today when not given): one electronic payment per invoice, on the
target date. An approved payment is ``Processed`` and pays the invoice (balance to 0); a
declined one is ``Error``, leaves the balance, and triggers the Payment Declined callout.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from services.sandbox.zuora._billing_wire import (
    PAYMENT_METHOD_CREATE,
    PAYMENT_RUN_CREATE,
    PaymentMethodCreated,
    PaymentRunAnswer,
)
from services.sandbox.zuora._callouts import Callouts
from services.sandbox.zuora._errors import Category, Resource, ZuoraError, not_found
from services.sandbox.zuora._records import Invoice, Payment, PaymentApplication, PaymentMethod, PaymentRun
from services.sandbox.zuora._store import Account, ZuoraTenant, new_id
from services.sandbox.zuora._wire import decode, json_response

DECLINING_CARD: Final = "4000000000000002"
DECLINED: Final = ("Your card was declined.", "card_declined")
APPROVED: Final = ("Approved", "approved")
CARD_TYPES: Final = frozenset({"Visa", "MasterCard", "AmericanExpress", "Discover", "JCB", "Diners"})


def _invalid(message: str, resource: Resource = Resource.PAYMENT_METHOD) -> ZuoraError:
    return ZuoraError(Category.INVALID_VALUE, message, resource=resource)


def _luhn(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def collect(
    tenant: ZuoraTenant, account: Account, invoice: Invoice, day: dt.date, callouts: Callouts
) -> Payment | None:
    """Charge the invoice's balance to the account's default payment method; None without one."""
    method = tenant.payment_methods.get(account.default_payment_method_id or "")
    if method is None:
        return None
    response, code = DECLINED if method.declines else APPROVED
    payment = Payment(
        id=new_id(),
        number=tenant.next_number("P-"),
        account_id=account.id,
        account_number=account.account_number,
        amount=invoice.balance,
        currency=account.currency,
        effective_date=day,
        status="Error" if method.declines else "Processed",
        gateway_response=response,
        gateway_response_code=code,
        payment_method_id=method.id,
        applications=[
            PaymentApplication(invoice_id=invoice.id, invoice_number=invoice.number, amount=invoice.balance)
        ],
    )
    tenant.payments.put(payment)
    if method.declines:
        callouts.payment_declined(payment)
    else:
        account.balance -= invoice.balance
        invoice.balance = Decimal(0)
    return payment


def add_payment_method(
    tenant: ZuoraTenant, account: Account, method: PaymentMethod, *, make_default: bool
) -> None:
    tenant.payment_methods.put(method)
    if make_default or account.default_payment_method_id is None:
        account.default_payment_method_id = method.id


class PaymentMethodsController(Controller):
    """Create a credit card payment method."""

    path = "/v1/payment-methods"

    @post("/", status_code=200)
    async def create(
        self, request: Request[Any, Any, Any], tenant: NamedDependency[ZuoraTenant]
    ) -> Response[bytes]:
        data = decode(PAYMENT_METHOD_CREATE, await request.body(), Resource.PAYMENT_METHOD)
        if data.type != "CreditCard":
            raise _invalid(f"Invalid value for field 'type': '{data.type}'. The sandbox takes CreditCard.")
        account = tenant.accounts.get(data.account_key)
        if account is None:
            raise _invalid(f"Invalid value for field 'accountKey': '{data.account_key}' is not an account.")
        number = data.card_number.replace(" ", "")
        if not number.isdigit() or not 12 <= len(number) <= 19 or not _luhn(number):
            raise _invalid("Invalid value for field 'cardNumber': it is not a valid card number.")
        if data.card_type not in CARD_TYPES:
            raise _invalid(f"Invalid value for field 'cardType': '{data.card_type}'.")
        today = dt.date.today()
        if not 1 <= data.expiration_month <= 12 or (data.expiration_year, data.expiration_month) < (
            today.year,
            today.month,
        ):
            raise _invalid("The card has expired: check 'expirationMonth' and 'expirationYear'.")
        if not data.card_holder_info.card_holder_name.strip():
            raise ZuoraError(
                Category.MISSING_REQUIRED,
                "'cardHolderInfo.cardHolderName' may not be null",
                resource=Resource.PAYMENT_METHOD,
            )
        method = PaymentMethod(
            id=new_id(),
            account_id=account.id,
            type="CreditCard",
            card_type=data.card_type,
            card_mask="*" * (len(number) - 4) + number[-4:],
            expiration_month=data.expiration_month,
            expiration_year=data.expiration_year,
            holder_name=data.card_holder_info.card_holder_name,
            declines=number == DECLINING_CARD,
        )
        add_payment_method(tenant, account, method, make_default=data.make_default)
        return json_response(PaymentMethodCreated(id=method.id))


def _answer(run: PaymentRun, tenant: ZuoraTenant) -> PaymentRunAnswer:
    payments = [p for pid in run.payment_ids if (p := tenant.payments.get(pid)) is not None]
    return PaymentRunAnswer(
        id=run.id,
        number=run.number,
        status=run.status,
        target_date=run.target_date,
        number_of_invoices=len(payments),
        number_of_payments=sum(p.status == "Processed" for p in payments),
        number_of_errors=sum(p.status == "Error" for p in payments),
    )


class PaymentRunsController(Controller):
    """Create and read payment runs."""

    path = "/v1/payment-runs"

    @post("/", status_code=200)
    async def create(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[ZuoraTenant],
        callouts: NamedDependency[Callouts],
    ) -> Response[bytes]:
        data = decode(PAYMENT_RUN_CREATE, await request.body(), Resource.PAYMENT_RUN)
        target = data.target_date or dt.date.today()
        accounts = [a for a in tenant.accounts if a.auto_pay and a.default_payment_method_id]
        if data.account_id is not None:
            accounts = [a for a in accounts if data.account_id in (a.id, a.account_number)]
        accounts = [
            a
            for a in accounts
            if (data.batch is None or a.batch == data.batch)
            and (data.currency is None or a.currency == data.currency)
        ]
        payment_ids: list[str] = []
        if data.collect_payment:
            for account in accounts:
                for invoice in tenant.invoices:
                    if (
                        invoice.account_id == account.id
                        and invoice.status == "Posted"
                        and invoice.balance > 0
                        and invoice.due_date <= target
                        and (payment := collect(tenant, account, invoice, target, callouts)) is not None
                    ):
                        payment_ids.append(payment.id)
        run = PaymentRun(
            id=new_id(),
            number=tenant.next_number("PR-"),
            target_date=target,
            status="Completed",
            payment_ids=payment_ids,
        )
        tenant.payment_runs.put(run)
        return json_response(_answer(run, tenant))

    @get("/{payment_run_key:str}")
    async def retrieve(
        self, payment_run_key: FromPath[str], tenant: NamedDependency[ZuoraTenant]
    ) -> Response[bytes]:
        run = tenant.payment_runs.get(payment_run_key)
        if run is None:
            raise not_found(payment_run_key)
        return json_response(_answer(run, tenant))
