"""A Python SDK generated from the gateway's document runs customer → order → billing status.

openapi-python-client generates the client from ``GET /openapi.json`` of the running gateway,
as a consuming team would, and must do so with no warning and no operation left out. The test
then drives the stack only through that client, with a real token: it creates a customer
(customer-master v2), orders a subscription for it (order-submission v1, with an
``Idempotency-Key``), follows the order to its end, has Zuora bill it, and reads the customer's
billing status.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.fixtures.stack import RunningStack
from tests.fixtures.zuora import ZuoraSandbox

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "revgate_sdk"
SETTLED = frozenset({"completed", "failed", "stalled"})


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Sdk:
    """The generated package, and its endpoints and models by name."""

    def __init__(self, folder: Path, document: dict[str, Any]) -> None:
        self.folder = folder
        self.document = document

    def module(self, dotted: str) -> ModuleType:
        return importlib.import_module(f"{PACKAGE}.{dotted}")

    def endpoint(self, tag: str, operation_id: str) -> ModuleType:
        """The module of one operation: ``sync``, ``sync_detailed`` and their async twins."""
        return self.module(f"api.{re.sub('[^a-z0-9]+', '_', tag.lower())}.{snake(operation_id)}")

    def model(self, name: str) -> Any:
        return getattr(self.module("models"), name)


@pytest.fixture(scope="module")
def sdk(revgate_stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sdk]:
    folder = tmp_path_factory.mktemp("sdk")
    answer = httpx.get(f"{revgate_stack.gateway_url}/openapi.json")
    answer.raise_for_status()
    (folder / "openapi.json").write_bytes(answer.content)
    # The generator formats its output with ruff, which it looks for on PATH: the venv's.
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [GENERATOR, "generate", "--path", "openapi.json", "--output-path", PACKAGE, "--meta", "none"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = (run.stdout + run.stderr).strip()
    assert run.returncode == 0, output
    # Anything besides "Generating revgate_sdk" is a warning, a skipped schema or a skipped endpoint.
    assert output.splitlines() == [f"Generating {PACKAGE}"], output
    sys.path.insert(0, str(folder))
    try:
        yield Sdk(folder / PACKAGE, answer.json())
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture
def client(sdk: Sdk, revgate_stack: RunningStack) -> Iterator[Any]:
    """The SDK's client on the gateway, with a token of the dev client that has every scope."""
    authenticated = sdk.module("client").AuthenticatedClient(
        base_url=revgate_stack.gateway_url, token=revgate_stack.token(), raise_on_unexpected_status=True
    )
    with authenticated as client:
        yield client


def test_every_operation_of_the_document_is_in_the_sdk(sdk: Sdk) -> None:
    operations = [
        (operation["tags"][0], operation["operationId"])
        for item in sdk.document["paths"].values()
        for operation in item.values()
    ]
    assert len(operations) >= 16
    for tag, operation_id in operations:
        endpoint = sdk.endpoint(tag, operation_id)
        assert callable(endpoint.sync_detailed), operation_id


def test_the_sdk_runs_customer_to_order_to_billing_status(
    sdk: Sdk, client: Any, revgate_stack: RunningStack
) -> None:
    revgate_stack.reset_sandboxes()
    model = sdk.model
    problem = model("Problem")

    # 1. A customer, in Salesforce, Zuora and NetSuite.
    create_customer = sdk.endpoint("customer-master v2", "customerMasterV2CreateCustomer")
    created = create_customer.sync_detailed(
        client=client,
        body=model("CustomerMasterV2CustomerCreate")(
            name=f"Hooli SDK {uuid.uuid4().hex[:8]} Ltd",
            legal_entity="GB01",
            currency="GBP",
            bill_to=model("CustomerMasterV2Address")(lines=["2 Market St"], city="Leeds", country="GB"),
            billing_contact=model("CustomerMasterV2Contact")(
                first_name="Ada", last_name="Byron", email="ap@hooli.example"
            ),
        ),
    )
    assert created.status_code == 201, created.content
    customer = created.parsed
    assert isinstance(customer, model("CustomerMasterV2Customer"))
    assert created.headers["location"] == f"/customer-master/v2/customers/{customer.id}"
    assert {external.system for external in customer.external_ids} == {"salesforce", "zuora", "netsuite"}

    # 2. An order for it; the generated call sends the Idempotency-Key, so a retry is replayed.
    submit_order = sdk.endpoint("order-submission v1", "orderSubmissionV1SubmitOrder")
    start = dt.date.today()
    submission = model("OrderSubmissionV1OrderSubmission")(
        order=model("OrderSubmissionV1ExplicitOrder")(
            customer_id=customer.id,
            currency="GBP",
            start_date=start,
            term_months=12,
            lines=[
                model("OrderSubmissionV1OrderLine")(
                    product_code="RG-PLATFORM", quantity=10, unit_price="80.00"
                )
            ],
        )
    )
    key = str(uuid.uuid4())
    accepted = submit_order.sync_detailed(client=client, body=submission, idempotency_key=key)
    assert accepted.status_code == 202, accepted.content
    order = accepted.parsed
    assert isinstance(order, model("OrderSubmissionV1Order"))
    replayed = submit_order.sync_detailed(client=client, body=submission, idempotency_key=key)
    assert (replayed.status_code, replayed.headers.get("idempotent-replayed")) == (202, "true")
    assert replayed.parsed.id == order.id

    # 3. The order, followed to its end.
    get_order = sdk.endpoint("order-submission v1", "orderSubmissionV1GetOrder")
    deadline = time.monotonic() + 30
    while order.status not in SETTLED and time.monotonic() < deadline:
        time.sleep(0.2)
        order = get_order.sync(order.id, client=client)
        assert not isinstance(order, problem), order
    assert order.status == "completed", order
    assert {step.name: step.state for step in order.steps} == {
        "validated": "succeeded",
        "subscription-created": "succeeded",
        "activated": "succeeded",
        "erp-order-booked": "succeeded",
        "salesforce-updated": "skipped",  # an explicit order has no opportunity to write back to
    }
    assert order.total_per_month.to_dict() == {"amount": "800.00", "currency": "GBP"}

    # 4. Zuora bills the first month; the customer's billing status shows the invoice.
    zuora = ZuoraSandbox(revgate_stack.sandbox_url("zuora"))
    try:
        zuora.bill_run(start.isoformat())
    finally:
        zuora.close()
    get_billing_status = sdk.endpoint("billing-status v1", "billingStatusV1GetCustomerBillingStatus")
    status = get_billing_status.sync(customer.id, client=client)
    assert isinstance(status, model("BillingStatusV1BillingStatus")), status
    assert (status.customer_id, status.currency) == (customer.id, "GBP")
    [invoice] = status.invoices
    assert invoice.subscription_numbers == [order.subscription_number]
    assert invoice.amount.to_dict() == {"amount": "800.00", "currency": "GBP"}
    assert status.balance.to_dict() == {"amount": "800.00", "currency": "GBP"}


def test_a_problem_comes_back_as_the_sdk_problem_model(sdk: Sdk, client: Any) -> None:
    get_order = sdk.endpoint("order-submission v1", "orderSubmissionV1GetOrder")
    answer = get_order.sync_detailed("ord_01JDF3K8Q2W9R2N7M4K5H6G7F8", client=client)
    assert answer.status_code == 404
    assert isinstance(answer.parsed, sdk.model("Problem"))
    assert answer.parsed.type_ == "https://revgate.dev/problems/not-found"
    assert answer.parsed.to_dict() == json.loads(answer.content)
