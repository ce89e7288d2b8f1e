"""The sObject types of the sandbox org: Account, the price book, and opportunities with products.

Fields, types, key prefixes and read-only-ness follow Salesforce's object reference. Fields
Salesforce computes itself (``IsWon``, ``TotalPrice``, ``ProductCode`` of a line, ...) are
declared read-only here and filled in by :mod:`._sales_rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from services.sandbox.salesforce._schema import (
    FieldSpec,
    FieldType,
    SchemaRegistry,
    SObjectSchema,
    derived,
    picklist,
    reference,
    system_fields,
    text,
)


@dataclass(frozen=True, slots=True)
class OpportunityStage:
    """One opportunity stage as the org's setup defines it (Salesforce's OpportunityStage metadata)."""

    label: str
    is_closed: bool
    is_won: bool
    probability: float
    """The default Probability (%) of an opportunity entering the stage."""


STAGES: Final = (
    OpportunityStage("Prospecting", is_closed=False, is_won=False, probability=10),
    OpportunityStage("Qualification", is_closed=False, is_won=False, probability=10),
    OpportunityStage("Needs Analysis", is_closed=False, is_won=False, probability=20),
    OpportunityStage("Proposal/Price Quote", is_closed=False, is_won=False, probability=75),
    OpportunityStage("Negotiation/Review", is_closed=False, is_won=False, probability=90),
    OpportunityStage("Closed Won", is_closed=True, is_won=True, probability=100),
    OpportunityStage("Closed Lost", is_closed=True, is_won=False, probability=0),
)
STAGE_BY_LABEL: Final = {stage.label: stage for stage in STAGES}
CORPORATE_CURRENCY: Final = "USD"
"""What a record's CurrencyIsoCode defaults to (the integration user's currency)."""
CURRENCIES: Final = ("USD", "EUR", "GBP", "AUD")
"""The currencies the org has activated (multi-currency is on)."""


def _address(kind: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec(f"{kind}Street", FieldType.TEXTAREA, f"{kind} Street", length=255),
        text(f"{kind}City", f"{kind} City", 40),
        text(f"{kind}State", f"{kind} State/Province", 80),
        text(f"{kind}PostalCode", f"{kind} Zip/Postal Code", 20),
        text(f"{kind}Country", f"{kind} Country", 80),
    )


def _currency_code(*, updateable: bool = True) -> FieldSpec:
    return FieldSpec(
        "CurrencyIsoCode",
        FieldType.PICKLIST,
        "Currency ISO Code",
        length=3,
        updateable=updateable,
        picklist=CURRENCIES,
        restricted=True,
    )


def _number(
    name: str, label: str, kind: FieldType = FieldType.DOUBLE, *, required: bool = False
) -> FieldSpec:
    return FieldSpec(name, kind, label, required=required)


ACCOUNT: Final = SObjectSchema(
    name="Account",
    label="Account",
    label_plural="Accounts",
    key_prefix="001",
    fields=(
        *system_fields(),
        text("Name", "Account Name", required=True),
        FieldSpec("Industry", FieldType.PICKLIST, "Industry", length=255),
        FieldSpec("Type", FieldType.PICKLIST, "Account Type", length=255),
        FieldSpec("ParentId", FieldType.REFERENCE, "Parent Account ID", length=18, reference_to="Account"),
        FieldSpec("Phone", FieldType.PHONE, "Account Phone", length=40),
        FieldSpec("Website", FieldType.URL, "Website", length=255),
        text("AccountNumber", "Account Number", 40),
        FieldSpec("NumberOfEmployees", FieldType.INT, "Employees"),
        FieldSpec("AnnualRevenue", FieldType.CURRENCY, "Annual Revenue"),
        *_address("Billing"),
        *_address("Shipping"),
        # Fields of the revgate managed package (installed without a namespace in the sandbox).
        text("Revgate_Id__c", "Revgate Id", 40, unique=True, external_id=True, case_sensitive=True),
        text("Revgate_Match_Key__c", "Revgate Match Key", 255, unique=True),
        picklist("Revgate_Payment_Status__c", "Payment Status", ("Current", "Payment Failed")),
        text("Revgate_Payment_Message__c", "Payment Message", 255),
    ),
)

PRODUCT2: Final = SObjectSchema(
    name="Product2",
    label="Product",
    label_plural="Products",
    key_prefix="01t",
    fields=(
        *system_fields(),
        text("Name", "Product Name", required=True),
        text("ProductCode", "Product Code"),
        FieldSpec("IsActive", FieldType.BOOLEAN, "Active"),
        picklist("Family", "Product Family", ("Software", "Services"), restricted=False),
        FieldSpec("Description", FieldType.TEXTAREA, "Product Description", length=4000),
    ),
)

PRICEBOOK2: Final = SObjectSchema(
    name="Pricebook2",
    label="Price Book",
    label_plural="Price Books",
    key_prefix="01s",
    fields=(
        *system_fields(),
        text("Name", "Price Book Name", required=True),
        FieldSpec("IsActive", FieldType.BOOLEAN, "Active"),
        derived("IsStandard", FieldType.BOOLEAN, "Is Standard Price Book"),
        text("Description", "Description"),
    ),
)

PRICEBOOK_ENTRY: Final = SObjectSchema(
    name="PricebookEntry",
    label="Price Book Entry",
    label_plural="Price Book Entries",
    key_prefix="01u",
    fields=(
        *system_fields(),
        reference(
            "Pricebook2Id",
            "Price Book ID",
            "Pricebook2",
            required=True,
            updateable=False,
            cascade_delete=True,
        ),
        reference(
            "Product2Id", "Product ID", "Product2", required=True, updateable=False, cascade_delete=True
        ),
        _number("UnitPrice", "List Price", FieldType.CURRENCY, required=True),
        FieldSpec("IsActive", FieldType.BOOLEAN, "Active"),
        _currency_code(updateable=False),
        derived("ProductCode", FieldType.STRING, "Product Code", 255),
        derived("Name", FieldType.STRING, "Product Name", 255),
    ),
)

OPPORTUNITY: Final = SObjectSchema(
    name="Opportunity",
    label="Opportunity",
    label_plural="Opportunities",
    key_prefix="006",
    fields=(
        *system_fields(),
        text("Name", "Name", 120, required=True),
        # Deleting an account deletes its opportunities, as in Salesforce.
        reference("AccountId", "Account ID", "Account", cascade_delete=True),
        picklist("StageName", "Stage", tuple(stage.label for stage in STAGES), required=True),
        FieldSpec("CloseDate", FieldType.DATE, "Close Date", required=True),
        _number("Amount", "Amount", FieldType.CURRENCY),
        _number("Probability", "Probability (%)", FieldType.PERCENT),
        derived("IsClosed", FieldType.BOOLEAN, "Closed"),
        derived("IsWon", FieldType.BOOLEAN, "Won"),
        derived("HasOpportunityLineItem", FieldType.BOOLEAN, "Has Line Item"),
        reference("Pricebook2Id", "Price Book ID", "Pricebook2"),
        _currency_code(),
        FieldSpec("Description", FieldType.TEXTAREA, "Description", length=32000),
        # Fields of the revgate managed package.
        _number("Revgate_Term_Months__c", "Term (Months)"),
        FieldSpec("Revgate_Service_Start__c", FieldType.DATE, "Service Start"),
        text(
            "Revgate_Order_Id__c", "Revgate Order Id", 40, unique=True, external_id=True, case_sensitive=True
        ),
        text("Revgate_Subscription_Number__c", "Subscription Number", 40),
        text("Revgate_Erp_Order_Id__c", "ERP Order Id", 40),
        picklist(
            "Revgate_Integration_Status__c",
            "Integration Status",
            ("Submitted", "In Progress", "Stalled", "Completed", "Failed"),
        ),
        text("Revgate_Integration_Message__c", "Integration Message", 255),
        _number("Revgate_Seats__c", "Seats"),
        FieldSpec("Revgate_Contract_End__c", FieldType.DATE, "Contract End"),
        text("Revgate_Subscription_Status__c", "Subscription Status", 40),
    ),
)

OPPORTUNITY_LINE_ITEM: Final = SObjectSchema(
    name="OpportunityLineItem",
    label="Opportunity Product",
    label_plural="Opportunity Products",
    key_prefix="00k",
    fields=(
        *system_fields(),
        reference(
            "OpportunityId",
            "Opportunity ID",
            "Opportunity",
            required=True,
            updateable=False,
            cascade_delete=True,
        ),
        # Required in practice, but a missing one is a FIELD_INTEGRITY_EXCEPTION, not REQUIRED_FIELD_MISSING.
        reference(
            "PricebookEntryId",
            "Price Book Entry ID",
            "PricebookEntry",
            updateable=False,
            restricted_delete=True,
        ),
        FieldSpec(
            "Product2Id",
            FieldType.REFERENCE,
            "Product ID",
            length=18,
            createable=False,
            updateable=False,
            reference_to="Product2",
        ),
        derived("ProductCode", FieldType.STRING, "Product Code", 255),
        derived("Name", FieldType.STRING, "Opportunity Product Name", 376),
        _number("Quantity", "Quantity", required=True),
        _number("UnitPrice", "Sales Price", FieldType.CURRENCY),
        _number("TotalPrice", "Total Price", FieldType.CURRENCY),
        derived("ListPrice", FieldType.CURRENCY, "List Price"),
        FieldSpec("ServiceDate", FieldType.DATE, "Date"),
        text("Description", "Line Description"),
        derived("CurrencyIsoCode", FieldType.PICKLIST, "Currency ISO Code", 3),
    ),
)


def default_registry() -> SchemaRegistry:
    """The sObject types of the sandbox org."""
    return SchemaRegistry(
        [ACCOUNT, PRODUCT2, PRICEBOOK2, PRICEBOOK_ENTRY, OPPORTUNITY, OPPORTUNITY_LINE_ITEM]
    )
