"""The demo tenant: customer accounts across four currencies, terms and bill cycle days, the catalog.

Accounts created by revgate carry the revgate customer id (``cus_`` + ULID) as account number
and the Salesforce Account id as ``crmId``; two older accounts keep Zuora's own numbering.
The quote-to-cash demo customer of :mod:`services.sandbox._demo` (account number
``CUSTOMER_ID``, ``crmId`` ``ACCOUNT_CRM_ID``, USD, bill cycle day 1, Net 30, auto-pay) pays
with a default Visa card that the sandbox's gateway approves; the catalog is
:func:`services.sandbox.zuora._catalog.seed_catalog`.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Final

from services.sandbox import _demo
from services.sandbox.zuora._catalog import seed_catalog
from services.sandbox.zuora._payments import add_payment_method
from services.sandbox.zuora._records import PaymentMethod
from services.sandbox.zuora._store import Account, Contact, ZuoraTenant

DEMO_ACCOUNT_ID: Final = "8ad09be48f3a1c2d018f3a5b7e2c0020"
DEMO_PAYMENT_METHOD_ID: Final = "8ad09be48f3a1c2d018f3a5b7e2c3020"


def _account(
    tenant: ZuoraTenant,
    *,
    account_id: str,
    number: str,
    name: str,
    currency: str,
    bill_cycle_day: int,
    payment_term: str,
    crm_id: str,
    contact: Contact,
    auto_pay: bool = False,
    batch: str = "Batch1",
    balance: str = "0",
) -> None:
    contact.account_id = account_id
    tenant.contacts.put(contact)
    tenant.add_account(
        Account(
            id=account_id,
            account_number=number,
            name=name,
            currency=currency,
            bill_cycle_day=bill_cycle_day,
            payment_term=payment_term,
            auto_pay=auto_pay,
            crm_id=crm_id,
            batch=batch,
            bill_to_contact_id=contact.id,
            sold_to_contact_id=contact.id,
            balance=decimal.Decimal(balance),
        )
    )


def _demo_customer(tenant: ZuoraTenant) -> None:
    _account(
        tenant,
        account_id=DEMO_ACCOUNT_ID,
        number=_demo.CUSTOMER_ID,
        name=_demo.CUSTOMER_NAME,
        currency=_demo.CURRENCY,
        bill_cycle_day=1,
        payment_term="Net 30",
        crm_id=_demo.ACCOUNT_CRM_ID,
        contact=Contact(
            id="8ad09be48f3a1c2d018f3a5b7e2c1020",
            account_id="",
            first_name="Bill",
            last_name="Lumbergh",
            work_email="ap@initech.example",
            address1="4120 Freidrich Lane",
            city="Austin",
            state="Texas",
            zip_code="78744",
            country="United States",
        ),
        auto_pay=True,
    )
    account = tenant.accounts.get(DEMO_ACCOUNT_ID)
    assert account is not None
    card = PaymentMethod(
        id=DEMO_PAYMENT_METHOD_ID,
        account_id=DEMO_ACCOUNT_ID,
        type="CreditCard",
        card_type="Visa",
        card_mask="************4242",
        expiration_month=12,
        expiration_year=dt.date.today().year + 3,
        holder_name="Bill Lumbergh",
        declines=False,
    )
    add_payment_method(tenant, account, card, make_default=True)


def seed(tenant: ZuoraTenant) -> None:
    seed_catalog(tenant)
    _demo_customer(tenant)
    _account(
        tenant,
        account_id="8ad09be48f3a1c2d018f3a5b7e2c0011",
        number="cus_01HK27EH804TFF59TDWH9EDD1R",
        name="Acme Robotics, Inc.",
        currency="USD",
        bill_cycle_day=1,
        payment_term="Net 30",
        crm_id="001Dn00000AcmeR0AQ",
        contact=Contact(
            id="8ad09be48f3a1c2d018f3a5b7e2c1011",
            account_id="",
            first_name="Dana",
            last_name="Whitfield",
            work_email="ap@acmerobotics.example",
            address1="500 Howard Street",
            address2="Suite 400",
            city="San Francisco",
            state="California",
            zip_code="94105",
            country="United States",
        ),
        balance="12500.00",
    )
    _account(
        tenant,
        account_id="8ad09be48f3a1c2d018f3a5b7e2c0012",
        number="cus_01HNJ56NW01HEAD8X4A1JH69RE",
        name="Northwind Traders Ltd",
        currency="GBP",
        bill_cycle_day=15,
        payment_term="Net 45",
        crm_id="001Dn00000NwTrd2AB",
        contact=Contact(
            id="8ad09be48f3a1c2d018f3a5b7e2c1012",
            account_id="",
            first_name="Oliver",
            last_name="Hughes",
            work_email="accounts.payable@northwind.example",
            address1="20 Gresham Street",
            city="London",
            zip_code="EC2V 7JE",
            country="United Kingdom",
        ),
        batch="Batch2",
    )
    _account(
        tenant,
        account_id="8ad09be48f3a1c2d018f3a5b7e2c0013",
        number="cus_01HQWTQGW0H4QX4FR84G98PBSK",
        name="Baltic Logistik GmbH",
        currency="EUR",
        bill_cycle_day=1,
        payment_term="Net 30",
        crm_id="001Dn00000BaltLgAC",
        contact=Contact(
            id="8ad09be48f3a1c2d018f3a5b7e2c1013",
            account_id="",
            first_name="Jonas",
            last_name="Petersen",
            work_email="rechnungen@baltic-logistik.example",
            address1="Am Sandtorkai 50",
            city="Hamburg",
            zip_code="20457",
            country="Germany",
        ),
    )
    _account(
        tenant,
        account_id="8ad09be48f3a1c2d018f3a5b7e2c0014",
        number="cus_01HWRQ6W00JMRNV7E9Z0C1HT0H",
        name="Kookaburra Analytics Pty Ltd",
        currency="AUD",
        bill_cycle_day=28,
        payment_term="Net 15",
        crm_id="001Dn00000KookAnAE",
        contact=Contact(
            id="8ad09be48f3a1c2d018f3a5b7e2c1014",
            account_id="",
            first_name="Mia",
            last_name="Nguyen",
            work_email="finance@kookaburra.example",
            address1="1 Macquarie Place",
            city="Sydney",
            state="NSW",
            zip_code="2000",
            country="Australia",
        ),
        auto_pay=True,
        batch="Batch3",
    )
    _account(
        tenant,
        account_id="8ad09be48f3a1c2d018f3a5b7e2c0015",
        number="A00000001",
        name="Globex Corporation",
        currency="USD",
        bill_cycle_day=0,
        payment_term="Due Upon Receipt",
        crm_id="001Dn00000GlobxCAQ",
        contact=Contact(
            id="8ad09be48f3a1c2d018f3a5b7e2c1015",
            account_id="",
            first_name="Hank",
            last_name="Scorpio",
            work_email="billing@globex.example",
            address1="15201 Maple Systems Road",
            city="Cypress Creek",
            state="Oregon",
            zip_code="97001",
            country="United States",
        ),
        balance="830.40",
    )
    _account(
        tenant,
        account_id="8ad09be48f3a1c2d018f3a5b7e2c0016",
        number="A00000002",
        name="Fromagerie Dupont SAS",
        currency="EUR",
        bill_cycle_day=5,
        payment_term="Net 60",
        crm_id="001Dn00000FromDpAG",
        contact=Contact(
            id="8ad09be48f3a1c2d018f3a5b7e2c1016",
            account_id="",
            first_name="Claire",
            last_name="Dupont",
            work_email="compta@fromagerie-dupont.example",
            address1="12 rue de Rivoli",
            city="Paris",
            zip_code="75004",
            country="France",
        ),
        batch="Batch2",
    )
