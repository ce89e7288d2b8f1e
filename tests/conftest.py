"""Fixtures shared by the whole suite live in ``tests/fixtures``, one module per system."""

pytest_plugins = [
    "tests.fixtures.salesforce",
    "tests.fixtures.zuora",
    "tests.fixtures.netsuite",
    "tests.fixtures.customer_master",
    "tests.fixtures.quote_to_cash",
    "tests.fixtures.stack",
]
