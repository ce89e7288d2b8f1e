"""schemathesis through the gateway: every capability and major, real tokens, zero failures.

The run is ``revgate contract-test``'s own (:func:`gateway.contract_test.run.run_contract_tests`)
against the whole stack: the gateway's merged document, a token from the dev identity provider by
client credentials, every check, positive and negative data.

In CI it runs the examples, fuzzing and stateful phases with a few cases per operation: about 250
requests, well inside the ``quickstart`` client's quota (600 a minute, shared with the other tests
of the session). ``REVGATE_SCHEMATHESIS_DEEP=1`` adds the coverage phase (each boundary and each way
to break each parameter and field) and many more cases, paced under that quota: a few minutes.
``REVGATE_SCHEMATHESIS_SEED=N`` repeats a run (the report prints its seed).

Refusals the document cannot express are the only ones let through; see
``gateway/contract_test/_hooks.py`` for each and why.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from gateway.contract_test import PHASES
from gateway.contract_test._target import token_url_of
from gateway.contract_test.run import ContractTestOptions, run_contract_tests
from tests.fixtures.stack import RunningStack

DEEP = os.environ.get("REVGATE_SCHEMATHESIS_DEEP") == "1"
SEED = int(os.environ["REVGATE_SCHEMATHESIS_SEED"]) if os.environ.get("REVGATE_SCHEMATHESIS_SEED") else None


def test_every_operation_keeps_its_document_through_the_gateway(
    revgate_stack: RunningStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = httpx.get(f"{revgate_stack.gateway_url}/openapi.json").json()
    # The tokens come from where the document says: the stack's dev identity provider.
    assert token_url_of(document, revgate_stack.gateway_url) == revgate_stack.token_url
    junit = tmp_path / "schemathesis.xml"
    options = ContractTestOptions(
        base_url=revgate_stack.gateway_url,
        client_id="quickstart",
        client_secret=revgate_stack.secrets["quickstart"],
        junit_path=junit,
        max_examples=50 if DEEP else 10,
        # Deep runs stay under the client's quota; the CI run is small enough not to need pacing.
        rate_limit="9/s" if DEEP else "25/s",
        phases=PHASES if DEEP else ("examples", "fuzzing", "stateful"),
        seed=SEED if SEED is not None or DEEP else 20261126,
    )

    status = run_contract_tests(options)

    report = capsys.readouterr().out
    assert status == 0, report
    cases = {case.attrib["name"]: case for case in ET.parse(junit).getroot().iter("testcase")}
    operations = {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item}
    assert len(operations) >= 16
    # Every operation of every capability and major was tested, and none failed.
    assert operations <= set(cases), operations - set(cases)
    assert not [name for name, case in cases.items() if case.find("failure") is not None]
    assert not [name for name, case in cases.items() if case.find("error") is not None]
