"""The ``DealDesk`` port of :mod:`services.quote_to_cash` over the Salesforce REST API.

An opportunity is read in two calls: the record by id (``?fields=``), then its products with
SOQL, each with its product's name and ``IsActive`` through the ``Product2`` relationship
(``SELECT ..., Product2.Name, Product2.IsActive FROM OpportunityLineItem WHERE OpportunityId =
...``). Write-backs are PATCHes of the fields that are set, so a replay writes the same values.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final
from urllib.parse import quote

from services.adapters._session import VendorSession
from services.adapters.errors import NotFound, Rejected
from services.adapters.salesforce._deal_wire import (
    LINE_COLUMNS,
    LINE_PAGE,
    OPPORTUNITY,
    OPPORTUNITY_COLUMNS,
    BillingStateFields,
    DealFields,
    LineRecord,
    OpportunityRecord,
)
from services.adapters.salesforce._mapping import soql_string
from services.adapters.salesforce._wire import CALL_OPTIONS, SYSTEM, decode, query_records
from services.quote_to_cash import AccountBillingState, DealUpdate, Opportunity, OpportunityLine

MESSAGE_LENGTH: Final = 255
"""Characters of Revgate_Integration_Message__c and Revgate_Payment_Message__c."""
_CENT: Final = Decimal("0.01")


class SalesforceDeals:
    """Opportunities with their products, and the revgate fields written back to them and to accounts."""

    def __init__(self, session: VendorSession, api_version: str) -> None:
        self._session = session
        root = f"/services/data/{api_version}"
        self._opportunities = f"{root}/sobjects/Opportunity"
        self._accounts = f"{root}/sobjects/Account"
        self._query_path = f"{root}/query"

    async def opportunity(self, crm_id: str) -> Opportunity | None:
        """The opportunity with its lines; None when no opportunity has that id (or it is not an id)."""
        try:
            response = await self._session.request(
                "GET",
                _record_path(self._opportunities, crm_id),
                params={"fields": ",".join(OPPORTUNITY_COLUMNS)},
                headers=CALL_OPTIONS,
            )
        except NotFound:
            return None
        record = decode(OPPORTUNITY, response)
        return to_opportunity(record, await self._lines(record.id))

    async def update_deal(self, crm_id: str, update: DealUpdate) -> None:
        """PATCH the fields that are set (nothing is sent when none is); NotFound for an unknown id."""
        fields = to_deal_fields(update)
        if fields == DealFields():
            return
        await self._session.request(
            "PATCH",
            _record_path(self._opportunities, crm_id),
            json=fields,
            headers=CALL_OPTIONS,
            idempotent=True,
        )

    async def update_account_billing_state(self, account_crm_id: str, state: AccountBillingState) -> None:
        """PATCH the account's payment status and message (a None message clears the last one)."""
        fields = BillingStateFields(payment_status=state.payment_status, payment_message=_cut(state.message))
        await self._session.request(
            "PATCH",
            _record_path(self._accounts, account_crm_id),
            json=fields,
            headers=CALL_OPTIONS,
            idempotent=True,
        )

    async def _lines(self, opportunity_id: str) -> list[LineRecord]:
        """Every product of the opportunity in the order they were added, following ``nextRecordsUrl``."""
        soql = (
            f"SELECT {', '.join(LINE_COLUMNS)} FROM OpportunityLineItem "  # noqa: S608 - fixed columns
            f"WHERE OpportunityId = {soql_string(opportunity_id)} ORDER BY CreatedDate, Id"
        )
        return await query_records(self._session, self._query_path, soql, LINE_PAGE)


def _record_path(sobjects: str, record_id: str) -> str:
    """The record's URL; a blank id would name the sObject type itself, so it is no record."""
    if not record_id.strip():
        raise NotFound(SYSTEM, "no record id given")
    return f"{sobjects}/{quote(record_id, safe='')}"


def _cut(message: str | None) -> str | None:
    return None if message is None else message[:MESSAGE_LENGTH]


def _whole(value: Decimal, what: str) -> int:
    """A count Salesforce keeps as a double; a fraction of a seat or month is refused, never rounded."""
    if value != value.to_integral_value():
        raise Rejected(SYSTEM, f"{what} is not a whole number: {value}")
    return int(value)


def to_opportunity(record: OpportunityRecord, lines: list[LineRecord]) -> Opportunity:
    """The Opportunity of the record and its line rows. Money is in cents (``Decimal('100.00')``)."""
    return Opportunity(
        crm_id=record.id,
        name=record.name,
        account_crm_id=record.account_id or "",
        stage=record.stage_name,
        is_closed=record.is_closed,
        is_won=record.is_won,
        close_date=record.close_date,
        currency=record.currency,
        amount=None if record.amount is None else record.amount.quantize(_CENT),
        lines=tuple(
            OpportunityLine(
                product_code=line.product_code or "",
                product_name=line.product.name if line.product else "",
                quantity=_whole(line.quantity, f"Quantity of opportunity product {line.id}"),
                unit_price=line.unit_price.quantize(_CENT),
                total_price=line.total_price.quantize(_CENT),
                product_active=line.product.is_active if line.product else False,
                service_date=line.service_date,
            )
            for line in lines
        ),
        term_months=None
        if record.term_months is None
        else _whole(record.term_months, f"Revgate_Term_Months__c of opportunity {record.id}"),
        start_date=record.service_start,
        revgate_order_id=record.order_id,
    )


def to_deal_fields(update: DealUpdate) -> DealFields:
    return DealFields(
        order_id=update.order_id,
        integration_status=None if update.integration_status is None else update.integration_status.value,
        integration_message=_cut(update.integration_message),
        subscription_number=update.subscription_number,
        erp_order_id=update.erp_order_id,
        seats=update.seats,
        contract_end=update.contract_end,
        subscription_status=update.subscription_status,
    )
