"""The Salesforce sandbox's price book and opportunities behave like Salesforce's: derived stage flags,
the Amount roll-up, price book integrity, revgate's custom fields, relationship fields in SOQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from services.sandbox import _demo
from services.sandbox.salesforce import OPEN_OPPORTUNITY_CRM_ID, STAGES, STANDARD_PRICE_BOOK
from tests.fixtures.salesforce import SalesforceSandbox


def errors_of(answer: httpx.Response, status: int = 400) -> list[dict[str, Any]]:
    """Salesforce's error array, after checking the status."""
    assert answer.status_code == status, answer.text
    body: list[dict[str, Any]] = answer.json()
    assert isinstance(body, list)
    return body


def new_opportunity(sandbox: SalesforceSandbox, **fields: Any) -> str:
    return sandbox.create(
        "Opportunity",
        {
            "Name": "Globex — pilot",
            "AccountId": _demo.ACCOUNT_CRM_ID,
            "StageName": "Prospecting",
            "CloseDate": "2026-12-31",
            **fields,
        },
    )


def add_line(sandbox: SalesforceSandbox, opportunity_id: str, **fields: Any) -> httpx.Response:
    body = {"OpportunityId": opportunity_id, "PricebookEntryId": sandbox.price_book_entry("RG-PLATFORM")}
    return sandbox.api("POST", "/sobjects/OpportunityLineItem", json={**body, **fields})


# --- Seed ---------------------------------------------------------------------------------------


def test_the_standard_price_book_holds_the_shared_catalog(salesforce_sandbox: SalesforceSandbox) -> None:
    (book,) = salesforce_sandbox.rows("SELECT Id, Name, IsActive FROM Pricebook2 WHERE IsStandard = true")
    assert (book["Name"], book["IsActive"]) == (STANDARD_PRICE_BOOK, True)
    entries = salesforce_sandbox.rows(
        "SELECT ProductCode, CurrencyIsoCode, UnitPrice, IsActive, Product2.Name, Product2.IsActive "
        f"FROM PricebookEntry WHERE Pricebook2Id = '{book['Id']}'"
    )
    seen = {
        (e["ProductCode"], e["CurrencyIsoCode"]): (
            e["UnitPrice"],
            e["Product2"]["Name"],
            e["Product2"]["IsActive"],
        )
        for e in entries
    }
    assert seen == {
        (item.sku, currency): (float(price), item.name, item.active)
        for item in _demo.CATALOG
        for currency, price in item.prices.items()
    }
    assert all(e["IsActive"] for e in entries)


def test_the_demo_account_and_deals(salesforce_sandbox: SalesforceSandbox) -> None:
    account = salesforce_sandbox.record("Account", _demo.ACCOUNT_CRM_ID)
    assert account["Id"] == _demo.ACCOUNT_CRM_ID
    assert (account["Name"], account["Revgate_Id__c"], account["Revgate_Match_Key__c"]) == (
        _demo.CUSTOMER_NAME,
        _demo.CUSTOMER_ID,
        _demo.MATCH_KEY,
    )
    assert (account["BillingCity"], account["BillingState"], account["BillingCountry"]) == (
        "Austin",
        "TX",
        "US",
    )

    won = salesforce_sandbox.record("Opportunity", _demo.OPPORTUNITY_CRM_ID)
    assert won["Id"] == _demo.OPPORTUNITY_CRM_ID
    assert {k: won[k] for k in ("AccountId", "StageName", "IsClosed", "IsWon", "Probability", "Amount")} == {
        "AccountId": _demo.ACCOUNT_CRM_ID,
        "StageName": "Closed Won",
        "IsClosed": True,
        "IsWon": True,
        "Probability": 100,
        "Amount": 3125.0,
    }
    assert (won["CurrencyIsoCode"], won["Revgate_Term_Months__c"]) == ("USD", _demo.TERM_MONTHS)
    assert won["Revgate_Service_Start__c"] >= won["CloseDate"]
    assert won["Revgate_Order_Id__c"] is None
    lines = salesforce_sandbox.rows(
        "SELECT ProductCode, Quantity, UnitPrice, TotalPrice FROM OpportunityLineItem "
        f"WHERE OpportunityId = '{_demo.OPPORTUNITY_CRM_ID}' ORDER BY CreatedDate, Id"
    )
    assert [(r["ProductCode"], r["Quantity"], r["UnitPrice"], r["TotalPrice"]) for r in lines] == [
        ("RG-PLATFORM", 25, 100.0, 2500.0),
        ("RG-ANALYTICS", 25, 25.0, 625.0),
    ]

    still_open = salesforce_sandbox.record("Opportunity", OPEN_OPPORTUNITY_CRM_ID)
    assert (still_open["AccountId"], still_open["StageName"]) == (_demo.ACCOUNT_CRM_ID, "Negotiation/Review")
    assert (still_open["IsClosed"], still_open["IsWon"]) == (False, False)


def test_reset_puts_the_deal_back(salesforce_sandbox: SalesforceSandbox) -> None:
    path = f"/sobjects/Opportunity/{_demo.OPPORTUNITY_CRM_ID}"
    assert salesforce_sandbox.api("PATCH", path, json={"Revgate_Order_Id__c": "ord_1"}).status_code == 204
    assert salesforce_sandbox.api("DELETE", f"/sobjects/Account/{_demo.ACCOUNT_CRM_ID}").status_code == 204
    salesforce_sandbox.reset()
    assert salesforce_sandbox.record("Opportunity", _demo.OPPORTUNITY_CRM_ID)["Revgate_Order_Id__c"] is None


# --- Stages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.label)
def test_closed_and_won_come_from_the_stage_metadata(
    salesforce_sandbox: SalesforceSandbox, stage: Any
) -> None:
    record = salesforce_sandbox.record(
        "Opportunity", new_opportunity(salesforce_sandbox, StageName=stage.label)
    )
    assert (record["IsClosed"], record["IsWon"], record["Probability"]) == (
        stage.is_closed,
        stage.is_won,
        stage.probability,
    )


def test_a_stage_change_moves_the_flags_and_the_default_probability(
    salesforce_sandbox: SalesforceSandbox,
) -> None:
    opportunity_id = new_opportunity(salesforce_sandbox)
    path = f"/sobjects/Opportunity/{opportunity_id}"
    salesforce_sandbox.api("PATCH", path, json={"StageName": "Closed Lost"})
    lost = salesforce_sandbox.record("Opportunity", opportunity_id)
    assert (lost["IsClosed"], lost["IsWon"], lost["Probability"]) == (True, False, 0)
    # A probability given with the stage overrides the stage's default.
    salesforce_sandbox.api("PATCH", path, json={"StageName": "Closed Won", "Probability": 95})
    won = salesforce_sandbox.record("Opportunity", opportunity_id)
    assert (won["IsClosed"], won["IsWon"], won["Probability"]) == (True, True, 95)
    # Other writes leave the flags alone.
    salesforce_sandbox.api("PATCH", path, json={"Name": "Globex — signed"})
    assert salesforce_sandbox.record("Opportunity", opportunity_id)["IsWon"] is True


def test_derived_fields_cannot_be_written_and_stages_are_restricted(
    salesforce_sandbox: SalesforceSandbox,
) -> None:
    body = {"Name": "X", "StageName": "Prospecting", "CloseDate": "2026-12-31", "IsWon": True}
    (error,) = errors_of(salesforce_sandbox.api("POST", "/sobjects/Opportunity", json=body))
    assert (error["errorCode"], error["fields"]) == ("INVALID_FIELD_FOR_INSERT_UPDATE", ["IsWon"])
    body = {"Name": "X", "StageName": "Won-ish", "CloseDate": "2026-12-31"}
    assert errors_of(salesforce_sandbox.api("POST", "/sobjects/Opportunity", json=body)) == [
        {
            "message": "Stage: bad value for restricted picklist field: Won-ish",
            "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "fields": ["StageName"],
        }
    ]
    (missing,) = errors_of(salesforce_sandbox.api("POST", "/sobjects/Opportunity", json={"Name": "X"}))
    assert (missing["errorCode"], missing["fields"]) == ("REQUIRED_FIELD_MISSING", ["StageName", "CloseDate"])


# --- Products and the Amount roll-up ------------------------------------------------------------


def test_amount_is_the_sum_of_the_products(salesforce_sandbox: SalesforceSandbox) -> None:
    opportunity_id = new_opportunity(salesforce_sandbox, Amount=999)
    opportunity = salesforce_sandbox.record("Opportunity", opportunity_id)
    assert (opportunity["Amount"], opportunity["HasOpportunityLineItem"], opportunity["Pricebook2Id"]) == (
        999,
        False,
        None,
    )
    first = add_line(salesforce_sandbox, opportunity_id, Quantity=3, UnitPrice=90)
    assert first.status_code == 201, first.text
    line = salesforce_sandbox.record("OpportunityLineItem", first.json()["id"])
    assert {k: line[k] for k in ("ProductCode", "ListPrice", "TotalPrice", "CurrencyIsoCode", "Name")} == {
        "ProductCode": "RG-PLATFORM",
        "ListPrice": 100.0,
        "TotalPrice": 270.0,
        "CurrencyIsoCode": "USD",
        "Name": "Globex — pilot Revenue Platform",
    }
    (book,) = salesforce_sandbox.rows("SELECT Id FROM Pricebook2 WHERE IsStandard = true")
    opportunity = salesforce_sandbox.record("Opportunity", opportunity_id)
    assert (opportunity["Amount"], opportunity["HasOpportunityLineItem"], opportunity["Pricebook2Id"]) == (
        270.0,
        True,
        book["Id"],
    )
    # A total price sets the unit price instead.
    second = add_line(salesforce_sandbox, opportunity_id, Quantity=4, TotalPrice=100)
    assert salesforce_sandbox.record("OpportunityLineItem", second.json()["id"])["UnitPrice"] == 25.0
    assert salesforce_sandbox.record("Opportunity", opportunity_id)["Amount"] == 370.0
    # With products, a write to Amount is ignored, not refused.
    path = f"/sobjects/Opportunity/{opportunity_id}"
    assert salesforce_sandbox.api("PATCH", path, json={"Amount": 1, "Description": "d"}).status_code == 204
    assert salesforce_sandbox.record("Opportunity", opportunity_id)["Amount"] == 370.0
    # A quantity change re-prices the line and the opportunity.
    line_path = f"/sobjects/OpportunityLineItem/{first.json()['id']}"
    assert salesforce_sandbox.api("PATCH", line_path, json={"Quantity": 5}).status_code == 204
    assert salesforce_sandbox.record("Opportunity", opportunity_id)["Amount"] == 550.0
    assert salesforce_sandbox.api("DELETE", line_path).status_code == 204
    assert salesforce_sandbox.record("Opportunity", opportunity_id)["Amount"] == 100.0
    # Products go with their opportunity (master-detail).
    assert salesforce_sandbox.api("DELETE", path).status_code == 204
    assert (
        salesforce_sandbox.rows(
            f"SELECT Id FROM OpportunityLineItem WHERE OpportunityId = '{opportunity_id}'"
        )
        == []
    )


def _other_price_book_entry(sandbox: SalesforceSandbox) -> str:
    book = sandbox.create("Pricebook2", {"Name": "Partner Price Book", "IsActive": True})
    product_id = sandbox.rows("SELECT Id FROM Product2 WHERE ProductCode = 'RG-PLATFORM'")[0]["Id"]
    entry = {"Pricebook2Id": book, "Product2Id": product_id, "UnitPrice": 80, "IsActive": True}
    return sandbox.create("PricebookEntry", entry)


@pytest.mark.parametrize(
    ("fields", "message", "error_fields"),
    [
        (
            {"Quantity": 2, "UnitPrice": 100, "TotalPrice": 200},
            "field integrity exception: TotalPrice (you can't specify both unit price and total price)",
            ["TotalPrice"],
        ),
        (
            {"Quantity": 2},
            "field integrity exception: unknown (must specify either TotalPrice or UnitPrice)",
            ["unknown"],
        ),
        (
            {"Quantity": 0, "UnitPrice": 100},
            "field integrity exception: Quantity (quantity must be greater than zero)",
            ["Quantity"],
        ),
        (
            {"Quantity": 1, "UnitPrice": 90, "PricebookEntryId": "@EUR"},
            "field integrity exception: PricebookEntryId (pricebook entry currency code does not match "
            "opportunity currency code)",
            ["PricebookEntryId"],
        ),
        (
            {"Quantity": 1, "UnitPrice": 90, "PricebookEntryId": "@partner"},
            "field integrity exception: PricebookEntryId (pricebook entry is in a different pricebook than "
            "the one assigned to the opportunity)",
            ["PricebookEntryId"],
        ),
        (
            {"Quantity": 1, "UnitPrice": 90, "PricebookEntryId": None},
            "field integrity exception: PricebookEntryId, unknown (versions 3.0 and higher must specify "
            "pricebook entry id; others must specify product id)",
            ["PricebookEntryId", "unknown"],
        ),
    ],
)
def test_line_integrity_errors(
    salesforce_sandbox: SalesforceSandbox, fields: dict[str, Any], message: str, error_fields: list[str]
) -> None:
    aliases = {
        "@EUR": salesforce_sandbox.price_book_entry("RG-PLATFORM", "EUR"),
        "@partner": _other_price_book_entry(salesforce_sandbox),
    }
    fields = {k: aliases.get(v, v) if isinstance(v, str) else v for k, v in fields.items()}
    answer = add_line(salesforce_sandbox, _demo.OPPORTUNITY_CRM_ID, **fields)
    assert errors_of(answer) == [
        {"message": message, "errorCode": "FIELD_INTEGRITY_EXCEPTION", "fields": error_fields}
    ]
    assert salesforce_sandbox.record("Opportunity", _demo.OPPORTUNITY_CRM_ID)["Amount"] == 3125.0


def test_inactive_entries_and_both_prices_on_update_are_refused(
    salesforce_sandbox: SalesforceSandbox,
) -> None:
    entry = salesforce_sandbox.price_book_entry("RG-PLATFORM")
    salesforce_sandbox.api("PATCH", f"/sobjects/PricebookEntry/{entry}", json={"IsActive": False})
    (inactive,) = errors_of(add_line(salesforce_sandbox, _demo.OPPORTUNITY_CRM_ID, Quantity=1, UnitPrice=1))
    assert inactive["message"] == "field integrity exception: PricebookEntryId (pricebook entry is inactive)"
    (line,) = salesforce_sandbox.rows(
        f"SELECT Id FROM OpportunityLineItem WHERE OpportunityId = '{OPEN_OPPORTUNITY_CRM_ID}'"
    )
    both = {"UnitPrice": 20, "TotalPrice": 200}
    assert errors_of(
        salesforce_sandbox.api("PATCH", f"/sobjects/OpportunityLineItem/{line['Id']}", json=both)
    ) == [
        {
            "message": "Cannot change both 'UnitPrice' and 'TotalPrice' in update call",
            "errorCode": "INVALID_FIELD",
            "fields": ["UnitPrice"],
        }
    ]


def test_price_book_and_currency_are_fixed_while_there_are_products(
    salesforce_sandbox: SalesforceSandbox,
) -> None:
    path = f"/sobjects/Opportunity/{_demo.OPPORTUNITY_CRM_ID}"
    (currency,) = errors_of(salesforce_sandbox.api("PATCH", path, json={"CurrencyIsoCode": "EUR"}))
    assert (currency["errorCode"], currency["fields"]) == ("FIELD_INTEGRITY_EXCEPTION", ["CurrencyIsoCode"])
    other_book = salesforce_sandbox.create("Pricebook2", {"Name": "Partner", "IsActive": True})
    (book,) = errors_of(salesforce_sandbox.api("PATCH", path, json={"Pricebook2Id": other_book}))
    assert (
        book["message"]
        == "field integrity exception: PricebookId (cannot change pricebook on opportunity with line items)"
    )
    empty = new_opportunity(salesforce_sandbox)
    assert (
        salesforce_sandbox.api(
            "PATCH", f"/sobjects/Opportunity/{empty}", json={"CurrencyIsoCode": "EUR"}
        ).status_code
        == 204
    )
    (unknown,) = errors_of(
        salesforce_sandbox.api("PATCH", f"/sobjects/Opportunity/{empty}", json={"CurrencyIsoCode": "XYZ"})
    )
    assert unknown["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"


def test_price_book_entry_rules(salesforce_sandbox: SalesforceSandbox) -> None:
    (book,) = salesforce_sandbox.rows("SELECT Id FROM Pricebook2 WHERE IsStandard = true")
    (product,) = salesforce_sandbox.rows("SELECT Id FROM Product2 WHERE ProductCode = 'RG-ONBOARDING'")
    twice = {
        "Pricebook2Id": book["Id"],
        "Product2Id": product["Id"],
        "UnitPrice": 1,
        "CurrencyIsoCode": "USD",
    }
    (duplicate,) = errors_of(salesforce_sandbox.api("POST", "/sobjects/PricebookEntry", json=twice))
    assert duplicate["errorCode"] == "DUPLICATE_VALUE"
    partner = salesforce_sandbox.create("Pricebook2", {"Name": "Partner", "IsActive": True})
    no_standard = {**twice, "Pricebook2Id": partner, "CurrencyIsoCode": "EUR"}
    assert errors_of(salesforce_sandbox.api("POST", "/sobjects/PricebookEntry", json=no_standard)) == [
        {
            "message": "No standard price defined for this product",
            "errorCode": "STANDARD_PRICE_NOT_DEFINED",
            "fields": [],
        }
    ]
    (standard,) = errors_of(
        salesforce_sandbox.api("POST", "/sobjects/Pricebook2", json={"Name": "Mine", "IsStandard": True})
    )
    assert standard["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_products_in_use_cannot_be_deleted_and_codes_follow_the_product(
    salesforce_sandbox: SalesforceSandbox,
) -> None:
    (platform,) = salesforce_sandbox.rows("SELECT Id FROM Product2 WHERE ProductCode = 'RG-PLATFORM'")
    (error,) = errors_of(salesforce_sandbox.api("DELETE", f"/sobjects/Product2/{platform['Id']}"))
    assert error["errorCode"] == "DELETE_FAILED"
    assert salesforce_sandbox.rows("SELECT Id FROM PricebookEntry WHERE ProductCode = 'RG-PLATFORM'") != []
    renamed = {"ProductCode": "RG-PLATFORM-2"}
    assert (
        salesforce_sandbox.api("PATCH", f"/sobjects/Product2/{platform['Id']}", json=renamed).status_code
        == 204
    )
    lines = salesforce_sandbox.rows(
        "SELECT ProductCode FROM OpportunityLineItem WHERE Product2.ProductCode = 'RG-PLATFORM-2'"
    )
    assert [line["ProductCode"] for line in lines] == ["RG-PLATFORM-2"]
    # A product nobody sold goes, with its price book entries.
    (legacy,) = salesforce_sandbox.rows("SELECT Id FROM Product2 WHERE ProductCode = 'RG-LEGACY'")
    assert salesforce_sandbox.api("DELETE", f"/sobjects/Product2/{legacy['Id']}").status_code == 204
    assert salesforce_sandbox.rows("SELECT Id FROM PricebookEntry WHERE ProductCode = 'RG-LEGACY'") == []


def test_all_or_none_rolls_back_the_roll_up_too(salesforce_sandbox: SalesforceSandbox) -> None:
    entry = salesforce_sandbox.price_book_entry("RG-ANALYTICS")
    line = {
        "attributes": {"type": "OpportunityLineItem"},
        "OpportunityId": _demo.OPPORTUNITY_CRM_ID,
        "PricebookEntryId": entry,
    }
    records = [{**line, "Quantity": 5, "UnitPrice": 25}, {**line, "Quantity": -1, "UnitPrice": 25}]
    answer = salesforce_sandbox.api(
        "POST", "/composite/sobjects", json={"allOrNone": True, "records": records}
    )
    assert [r["success"] for r in answer.json()] == [False, False]
    assert answer.json()[1]["errors"][0]["statusCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert salesforce_sandbox.record("Opportunity", _demo.OPPORTUNITY_CRM_ID)["Amount"] == 3125.0


# --- revgate's custom fields --------------------------------------------------------------------


def test_revgate_fields_patch_upsert_and_read_back(salesforce_sandbox: SalesforceSandbox) -> None:
    path = f"/sobjects/Opportunity/{_demo.OPPORTUNITY_CRM_ID}"
    written = {
        "Revgate_Order_Id__c": "ord_01JDEMO",
        "Revgate_Integration_Status__c": "Completed",
        "Revgate_Integration_Message__c": "Booked as SO1042",
        "Revgate_Subscription_Number__c": "A-S00000001",
        "Revgate_Erp_Order_Id__c": "SO1042",
        "Revgate_Seats__c": 25,
        "Revgate_Contract_End__c": "2027-11-30",
        "Revgate_Subscription_Status__c": "Active",
    }
    assert salesforce_sandbox.api("PATCH", path, json=written).status_code == 204
    record = salesforce_sandbox.record("Opportunity", _demo.OPPORTUNITY_CRM_ID)
    assert {k: record[k] for k in written} == written
    by_order = salesforce_sandbox.api("GET", "/sobjects/Opportunity/Revgate_Order_Id__c/ord_01JDEMO")
    assert by_order.json()["Id"] == _demo.OPPORTUNITY_CRM_ID
    # Upsert by order id updates that opportunity; the id is unique and case-sensitive.
    upsert = salesforce_sandbox.api(
        "PATCH", "/sobjects/Opportunity/Revgate_Order_Id__c/ord_01JDEMO", json={"Revgate_Seats__c": 30}
    )
    assert (upsert.status_code, upsert.json()["created"]) == (200, False)
    other = new_opportunity(salesforce_sandbox)
    (taken,) = errors_of(
        salesforce_sandbox.api(
            "PATCH", f"/sobjects/Opportunity/{other}", json={"Revgate_Order_Id__c": "ord_01JDEMO"}
        )
    )
    assert taken["errorCode"] == "DUPLICATE_VALUE"
    assert (
        salesforce_sandbox.api(
            "PATCH", f"/sobjects/Opportunity/{other}", json={"Revgate_Order_Id__c": "ORD_01JDEMO"}
        ).status_code
        == 204
    )


@pytest.mark.parametrize(
    ("sobject", "fields", "code"),
    [
        ("Opportunity", {"Revgate_Integration_Status__c": "Done"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
        ("Opportunity", {"Revgate_Integration_Message__c": "x" * 256}, "STRING_TOO_LONG"),
        ("Opportunity", {"Revgate_Contract_End__c": "next year"}, "JSON_PARSER_ERROR"),
        ("Account", {"Revgate_Payment_Status__c": "Overdue"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
        ("Account", {"Revgate_Payment_Message__c": "x" * 256}, "STRING_TOO_LONG"),
    ],
)
def test_revgate_field_values_are_checked(
    salesforce_sandbox: SalesforceSandbox, sobject: str, fields: dict[str, Any], code: str
) -> None:
    record_id = _demo.OPPORTUNITY_CRM_ID if sobject == "Opportunity" else _demo.ACCOUNT_CRM_ID
    (error,) = errors_of(salesforce_sandbox.api("PATCH", f"/sobjects/{sobject}/{record_id}", json=fields))
    assert error["errorCode"] == code


def test_account_payment_fields(salesforce_sandbox: SalesforceSandbox) -> None:
    state = {"Revgate_Payment_Status__c": "Payment Failed", "Revgate_Payment_Message__c": "P-1 declined"}
    path = f"/sobjects/Account/{_demo.ACCOUNT_CRM_ID}"
    assert salesforce_sandbox.api("PATCH", path, json=state).status_code == 204
    failed = salesforce_sandbox.rows(
        "SELECT Name, Revgate_Payment_Message__c FROM Account "
        "WHERE Revgate_Payment_Status__c = 'Payment Failed'"
    )
    assert [(r["Name"], r["Revgate_Payment_Message__c"]) for r in failed] == [
        (_demo.CUSTOMER_NAME, "P-1 declined")
    ]


# --- SOQL over relationships --------------------------------------------------------------------


def test_parent_fields_nest_like_salesforce(salesforce_sandbox: SalesforceSandbox) -> None:
    rows = salesforce_sandbox.rows(
        "SELECT Quantity, Product2.Name, Product2.IsActive, Opportunity.Account.Name "
        f"FROM OpportunityLineItem WHERE OpportunityId = '{_demo.OPPORTUNITY_CRM_ID}' "
        "ORDER BY Product2.Name DESC"
    )
    first = rows[0]
    assert list(first) == ["attributes", "Quantity", "Product2", "Opportunity"]
    assert first["Product2"]["attributes"]["type"] == "Product2"
    assert first["Product2"]["attributes"]["url"].startswith("/services/data/v62.0/sobjects/Product2/01t")
    assert {k: v for k, v in first["Product2"].items() if k != "attributes"} == {
        "Name": "Revenue Platform",
        "IsActive": True,
    }
    assert first["Opportunity"]["Account"]["Name"] == _demo.CUSTOMER_NAME
    assert [r["Product2"]["Name"] for r in rows] == ["Revenue Platform", "Analytics Add-on"]


def test_an_empty_reference_is_null_and_filters_follow_relationships(
    salesforce_sandbox: SalesforceSandbox,
) -> None:
    orphan = new_opportunity(salesforce_sandbox, AccountId=None, Name="No account")
    (row,) = salesforce_sandbox.rows(f"SELECT Name, Account.Name FROM Opportunity WHERE Id = '{orphan}'")
    assert row["Account"] is None
    won = salesforce_sandbox.rows(
        "SELECT Id FROM Opportunity WHERE IsWon = true AND Account.Revgate_Id__c = "
        f"'{_demo.CUSTOMER_ID}' AND CloseDate <= {dt.date(2026, 12, 31).isoformat()}"
    )
    assert [r["Id"] for r in won] == [_demo.OPPORTUNITY_CRM_ID]
    inactive = salesforce_sandbox.rows(
        "SELECT ProductCode FROM PricebookEntry WHERE Product2.IsActive = false"
    )
    assert [r["ProductCode"] for r in inactive] == ["RG-LEGACY"]


@pytest.mark.parametrize(
    ("soql", "detail"),
    [
        (
            "SELECT Widget.Name FROM OpportunityLineItem",
            "Didn't understand relationship 'Widget' in field path",
        ),
        (
            "SELECT Quantity.Name FROM OpportunityLineItem",
            "Didn't understand relationship 'Quantity' in field path",
        ),
        ("SELECT Product2.Colour FROM OpportunityLineItem", "No such column 'Colour' on entity 'Product2'"),
        (
            "SELECT Id FROM Opportunity WHERE Account.Colour = 'x'",
            "No such column 'Colour' on entity 'Account'",
        ),
    ],
)
def test_relationship_errors(salesforce_sandbox: SalesforceSandbox, soql: str, detail: str) -> None:
    (error,) = errors_of(salesforce_sandbox.query(soql))
    assert error["errorCode"] == "INVALID_FIELD"
    assert detail in error["message"]
    (duplicate,) = errors_of(
        salesforce_sandbox.query("SELECT Product2.Name, product2.name FROM OpportunityLineItem")
    )
    assert "duplicate field selected: Product2.Name" in duplicate["message"]


def test_describe_tells_picklists_and_relationships(salesforce_sandbox: SalesforceSandbox) -> None:
    fields = {
        f["name"]: f for f in salesforce_sandbox.api("GET", "/sobjects/Opportunity/describe").json()["fields"]
    }
    assert [v["value"] for v in fields["StageName"]["picklistValues"]] == [s.label for s in STAGES]
    assert (fields["IsWon"]["createable"], fields["IsWon"]["updateable"]) == (False, False)
    assert fields["Revgate_Order_Id__c"]["externalId"] is True
    lines = {
        f["name"]: f
        for f in salesforce_sandbox.api("GET", "/sobjects/OpportunityLineItem/describe").json()["fields"]
    }
    assert (lines["OpportunityId"]["relationshipName"], lines["OpportunityId"]["cascadeDelete"]) == (
        "Opportunity",
        True,
    )
    assert lines["TotalPrice"]["type"] == "currency"


# --- Faults -------------------------------------------------------------------------------------


def test_faults_reach_the_new_objects(salesforce_sandbox: SalesforceSandbox) -> None:
    salesforce_sandbox.token()
    salesforce_sandbox.set_faults(throttle=True)
    throttled = salesforce_sandbox.api("GET", f"/sobjects/Opportunity/{_demo.OPPORTUNITY_CRM_ID}")
    assert errors_of(throttled, 403)[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    salesforce_sandbox.set_faults(outage=True)
    down = salesforce_sandbox.api(
        "PATCH", f"/sobjects/Opportunity/{_demo.OPPORTUNITY_CRM_ID}", json={"Revgate_Seats__c": 1}
    )
    assert errors_of(down, 503)[0]["errorCode"] == "SERVER_UNAVAILABLE"
    salesforce_sandbox.set_faults()
    assert salesforce_sandbox.record("Opportunity", _demo.OPPORTUNITY_CRM_ID)["Revgate_Seats__c"] is None
