"""Ports for quote-to-cash: deals in the CRM, subscriptions and billing in Zuora, orders in the ERP.

Like :mod:`services.ports`, these are Protocols the capability services speak and the
adapters implement, translating vendor shapes and errors at one seam each. Every method may
raise the errors of :mod:`services.adapters.errors`.

Links between records are external ids kept in the vendors, so that a step replayed after a
crash finds what it already did instead of doing it twice:

- revgate's order id is the Zuora subscription's ``RevgateOrderId__c`` custom field (and the
  ``Idempotency-Key`` of the order that creates it) and the NetSuite sales order's ``externalId``;
- an amendment id is the Zuora order's ``RevgateAmendmentId__c`` custom field (and its
  ``Idempotency-Key``) and, where it books one, the NetSuite change order's ``externalId``;
- the customer id is the Zuora account number and the NetSuite customer's ``externalId``.

Amounts are :class:`decimal.Decimal` in the currency of the record; dates are ``datetime.date``.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

import msgspec

from services.ports import CustomerRelationshipSystem, EnterpriseResourcePlanning, SubscriptionBilling

# --- CRM: deals and what revgate writes back ------------------------------------------------------


class OpportunityLine(msgspec.Struct, frozen=True):
    """One line of an opportunity (Salesforce OpportunityLineItem with its Product2)."""

    product_code: str
    """Product2.ProductCode: the SKU, the same code as the Zuora product's ``sku``."""
    product_name: str
    quantity: int
    unit_price: Decimal
    total_price: Decimal
    product_active: bool
    """Product2.IsActive: an inactive product cannot be sold."""
    service_date: dt.date | None = None


class Opportunity(msgspec.Struct, frozen=True):
    """A deal in the CRM (Salesforce Opportunity), with its lines."""

    crm_id: str
    name: str
    account_crm_id: str
    stage: str
    is_closed: bool
    is_won: bool
    """From the stage's metadata (OpportunityStage.IsWon), not from the stage's name."""
    close_date: dt.date
    currency: str
    amount: Decimal | None
    lines: tuple[OpportunityLine, ...]
    term_months: int | None = None
    """Revgate_Term_Months__c: the contract term the rep sold; None when not filled in."""
    start_date: dt.date | None = None
    """Revgate_Service_Start__c: when the service starts; None when not filled in."""
    revgate_order_id: str | None = None
    """Revgate_Order_Id__c: the order revgate made of this deal, once there is one."""


class IntegrationStatus(enum.StrEnum):
    """Revgate_Integration_Status__c on the opportunity: how far revgate got with the deal."""

    SUBMITTED = "Submitted"
    IN_PROGRESS = "In Progress"
    STALLED = "Stalled"
    COMPLETED = "Completed"
    FAILED = "Failed"


class DealUpdate(msgspec.Struct, frozen=True):
    """Fields revgate writes back to an opportunity; None leaves a field as it is."""

    order_id: str | None = None
    integration_status: IntegrationStatus | None = None
    integration_message: str | None = None
    """Why it stalled or failed, in words for the rep (cut to 255 characters by the adapter)."""
    subscription_number: str | None = None
    erp_order_id: str | None = None
    seats: int | None = None
    """The current seat count after an amendment."""
    contract_end: dt.date | None = None
    subscription_status: str | None = None
    """``Active`` or ``Cancelled``."""


class AccountBillingState(msgspec.Struct, frozen=True):
    """What the CRM account shows of the customer's payments (Revgate_Payment_* fields on Account)."""

    payment_status: str
    """``Current`` or ``Payment Failed``."""
    message: str | None = None
    """The last failure in words, e.g. ``P-00000012 of 1,200.00 USD declined: Insufficient funds``."""


class DealDesk(Protocol):
    """The CRM's deals, and what revgate writes back to them."""

    async def opportunity(self, crm_id: str) -> Opportunity | None: ...

    async def update_deal(self, crm_id: str, update: DealUpdate) -> None:
        """PATCH the fields that are set; idempotent."""
        ...

    async def update_account_billing_state(self, account_crm_id: str, state: AccountBillingState) -> None:
        """PATCH the account's payment fields; idempotent."""
        ...


# --- Subscription billing: catalog, subscriptions, amendments, invoices, payments ------------------


class CatalogCharge(msgspec.Struct, frozen=True):
    """A recurring per-unit charge of a rate plan."""

    charge_id: str
    """productRatePlanChargeId."""
    name: str
    billing_period: str
    """``Month``, ``Quarter``, ``Annual``."""
    list_prices: dict[str, Decimal]
    """Per-unit list price by currency."""


class CatalogRatePlan(msgspec.Struct, frozen=True):
    rate_plan_id: str
    """productRatePlanId."""
    name: str
    charges: tuple[CatalogCharge, ...]
    active: bool = True


class CatalogProduct(msgspec.Struct, frozen=True):
    sku: str
    name: str
    rate_plans: tuple[CatalogRatePlan, ...]
    active: bool = True
    """Within its effective dates."""


class PlanSubscription(msgspec.Struct, frozen=True):
    """One rate plan to subscribe to, with the quantity and price sold."""

    rate_plan_id: str
    charge_id: str
    quantity: int
    unit_price: Decimal


class NewSubscription(msgspec.Struct, frozen=True):
    """A subscription to create with the Orders API (a CreateSubscription action)."""

    order_ref: str
    """revgate's order id: the subscription's RevgateOrderId__c and the order's Idempotency-Key."""
    account_number: str
    start_date: dt.date
    """Contract effective, service activation and customer acceptance date alike."""
    term_months: int
    auto_renew: bool
    plans: tuple[PlanSubscription, ...]
    opportunity_id: str | None = None


class SubscribedCharge(msgspec.Struct, frozen=True):
    """A charge of a subscription as it is now."""

    rate_plan_id: str
    """The subscription's rate plan id (not the catalog's)."""
    product_rate_plan_id: str
    charge_number: str
    sku: str
    quantity: int
    unit_price: Decimal
    billing_period: str


class Subscription(msgspec.Struct, frozen=True):
    subscription_number: str
    account_number: str
    status: str
    """``Pending Activation``, ``Active``, ``Cancelled``, ``Expired``."""
    term_start: dt.date
    term_end: dt.date
    """Zuora's ``termEndDate``: the day after the term's last day (where a renewal term starts)."""
    auto_renew: bool
    charges: tuple[SubscribedCharge, ...]
    order_ref: str | None = None
    version: int = 1


class ChangeQuantity(msgspec.Struct, frozen=True, tag="change-quantity"):
    """An UpdateProduct action: a charge's new quantity from a date, prorated by Zuora."""

    rate_plan_id: str
    charge_number: str
    quantity: int
    effective_date: dt.date


class Renew(msgspec.Struct, frozen=True, tag="renew"):
    """A RenewSubscription action: one more term of the renewal length."""


class Cancel(msgspec.Struct, frozen=True, tag="cancel"):
    """A CancelSubscription action: at the end of the current term, or on a date."""

    effective_date: dt.date | None = None
    """None: at the end of the current term."""


AmendmentAction = ChangeQuantity | Renew | Cancel


class SubscriptionAmendment(msgspec.Struct, frozen=True):
    amendment_ref: str
    """revgate's amendment id: the order's RevgateAmendmentId__c and its Idempotency-Key."""
    subscription_number: str
    action: AmendmentAction


class AmendmentOutcome(msgspec.Struct, frozen=True):
    order_number: str
    subscription: Subscription
    """The subscription after the amendment."""
    prorated_amount: Decimal
    """What the amendment adds to (or, negative, takes off) the current term, as Zuora prorated it."""


class BillingInvoice(msgspec.Struct, frozen=True):
    invoice_number: str
    invoice_id: str
    invoice_date: dt.date
    due_date: dt.date
    amount: Decimal
    balance: Decimal
    status: str
    """``Draft``, ``Posted``, ``Canceled``."""
    currency: str
    subscription_numbers: tuple[str, ...] = ()


class BillingPayment(msgspec.Struct, frozen=True):
    payment_number: str
    payment_id: str
    amount: Decimal
    status: str
    """``Processing``, ``Processed``, ``Error``, ``Voided``."""
    effective_date: dt.date
    currency: str
    invoice_numbers: tuple[str, ...] = ()
    gateway_response: str | None = None
    """The payment gateway's words when it declined."""


class SubscriptionOrders(Protocol):
    """The subscription platform's catalog, subscriptions and billing documents."""

    async def catalog(self) -> list[CatalogProduct]: ...

    async def create_subscription(self, new: NewSubscription) -> Subscription:
        """Create it, or answer the subscription already made for ``new.order_ref``.

        Exactly once across retries and restarts: first looks for a subscription of the account
        whose RevgateOrderId__c is the order ref, then posts the order with that Idempotency-Key.
        """
        ...

    async def subscription(self, subscription_number: str) -> Subscription | None: ...

    async def amend(self, amendment: SubscriptionAmendment) -> AmendmentOutcome:
        """Apply it, or answer the outcome of the order already made for ``amendment_ref``."""
        ...

    async def invoices(self, account_number: str) -> list[BillingInvoice]: ...

    async def payments(self, account_number: str) -> list[BillingPayment]: ...


# --- ERP: sales orders, invoices, payments ---------------------------------------------------------


class ErpOrderLine(msgspec.Struct, frozen=True):
    item: str
    """The item's external id: the SKU."""
    quantity: int
    rate: Decimal
    amount: Decimal
    billing_schedule: str
    """Billing schedule name: ``Monthly``, ``Quarterly``, ``Annual``, ``Upfront``."""
    rev_rec_start: dt.date
    rev_rec_end: dt.date
    description: str | None = None


class ErpSalesOrder(msgspec.Struct, frozen=True):
    external_id: str
    """revgate's order or amendment id."""
    customer_external_id: str
    legal_entity: str
    """Subsidiary external id, e.g. ``US01``."""
    currency: str
    tran_date: dt.date
    lines: tuple[ErpOrderLine, ...]
    other_ref: str | None = None
    """otherRefNum: the Zuora subscription number."""
    memo: str | None = None
    erp_id: str | None = None
    """The ERP's internal id; None until booked."""
    tran_id: str | None = None
    """The ERP's document number, e.g. ``SO1042``."""
    status: str | None = None
    closed: bool = False
    """All lines closed (a cancelled contract)."""


class ErpInvoice(msgspec.Struct, frozen=True):
    erp_id: str
    tran_id: str
    external_id: str | None
    """The Zuora invoice number, when the invoice came over from billing."""
    created_from: str | None
    """External id of the sales order it bills."""
    tran_date: dt.date
    due_date: dt.date | None
    total: Decimal
    amount_remaining: Decimal
    status: str
    """``Open``, ``Paid In Full``."""
    currency: str


class ErpPayment(msgspec.Struct, frozen=True):
    erp_id: str
    tran_id: str
    external_id: str | None
    """The Zuora payment number, when the payment came over from billing."""
    tran_date: dt.date
    amount: Decimal
    currency: str
    applied_to: tuple[str, ...] = ()
    """tranIds of the invoices it pays."""


class SalesOrderBook(Protocol):
    """The ERP's sales orders, invoices and customer payments."""

    async def book_sales_order(self, order: ErpSalesOrder) -> ErpSalesOrder:
        """Upsert by external id (so a replay is harmless); answer it with erp id and tran id."""
        ...

    async def sales_order(self, external_id: str) -> ErpSalesOrder | None: ...

    async def close_sales_order(self, external_id: str) -> None:
        """Close every open line (a cancelled contract bills no further); idempotent."""
        ...

    async def invoices(self, customer_external_id: str) -> list[ErpInvoice]: ...

    async def payments(self, customer_external_id: str) -> list[ErpPayment]: ...


# --- Wiring ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SystemsOfRecord:
    """The three systems as the quote-to-cash capabilities see them (one adapter may fill two ports)."""

    accounts: CustomerRelationshipSystem
    deals: DealDesk
    billing_accounts: SubscriptionBilling
    billing: SubscriptionOrders
    erp_customers: EnterpriseResourcePlanning
    erp: SalesOrderBook
