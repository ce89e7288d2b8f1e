"""``revgate contract-test`` against a small API that keeps its document, or breaks it on purpose."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from gateway.cli import main
from services.runtime.serve import serve_in_thread
from tests.gateway.contract_test.widgets import CLIENT_ID, CLIENT_SECRET, Widgets

#: Small and quick: few cases, no pacing (the app has no quota), a fixed seed.
QUICK = ("--max-examples", "5", "--rate-limit", "none", "--seed", "7")

Serve = Callable[[Widgets], str]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """``serve(app)``: the URL of the app, served until the test ends."""
    with ExitStack() as stack:
        yield lambda app: stack.enter_context(serve_in_thread(app, correlation=False))


def contract_test(url: str, junit: Path, *extra: str, secret: str = CLIENT_SECRET) -> int:
    arguments = ["contract-test", "--base-url", url, "--client-id", CLIENT_ID, "--client-secret", secret]
    return main([*arguments, "--junit", str(junit), *QUICK, *extra])


def junit_failures(path: Path) -> dict[str, int]:
    """Failures and errors per test case of a JUnit report (which must parse)."""
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    return {
        case.attrib["name"]: len(case.findall("failure")) + len(case.findall("error"))
        for case in root.iter("testcase")
    }


def test_an_api_that_keeps_its_document_passes(
    serve: Serve, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    widgets = Widgets()
    # The token endpoint is found through the document's relative tokenUrl.
    status = contract_test(serve(widgets), tmp_path / "report.xml", "--phases", "examples,fuzzing,stateful")
    out = capsys.readouterr().out
    assert status == 0, out
    assert junit_failures(tmp_path / "report.xml") == {
        "GET /widgets/v1/widgets/{widgetId}": 0,
        "POST /widgets/v1/widgets": 0,
        "Stateful tests": 0,
    }
    assert "revgate contract-test: passed" in out
    # Hypothesis draws the same short strings again and again: every valid key was made a fresh one.
    assert len(widgets.keys) > 5 and len(set(widgets.keys)) == len(widgets.keys)


def test_answers_that_break_the_document_fail_the_run(
    serve: Serve, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The GET answers {"id": 42}: the document says the id is a string. Tokens come from elsewhere
    # than the document says, so the run gets that far only by --token-url.
    url = serve(Widgets(widget_id=42, token_path="/auth/token"))
    status = contract_test(
        url, tmp_path / "report.xml", "--phases", "fuzzing", "--token-url", f"{url}/auth/token"
    )
    out = capsys.readouterr().out
    assert status == 1, out
    assert junit_failures(tmp_path / "report.xml")["GET /widgets/v1/widgets/{widgetId}"] >= 1
    assert "Response violates schema" in out and '42 is not of type "string"' in out
    assert "revgate contract-test: FAILED" in out


@pytest.mark.parametrize(("refusal", "status"), [("validation-failed", 0), ("invalid-body", 1)])
def test_valid_bodies_may_break_business_rules_but_not_the_schema(
    serve: Serve, tmp_path: Path, capsys: pytest.CaptureFixture[str], refusal: str, status: int
) -> None:
    # Every valid POST is refused with 422: for a business rule the schema cannot state, that is a
    # documented answer; as "does not match the schema" it means document and code disagree.
    url = serve(Widgets(refusal=refusal))
    assert contract_test(url, tmp_path / "report.xml", "--phases", "fuzzing") == status, (
        capsys.readouterr().out
    )


def test_refused_credentials_stop_the_run_before_it_starts(
    serve: Serve, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert contract_test(serve(Widgets()), tmp_path / "report.xml", secret="wrong") == 2
    err = capsys.readouterr().err
    assert f"refused client '{CLIENT_ID}' with 401: invalid_client" in err
    assert "check --client-id and --client-secret" in err
    assert not (tmp_path / "report.xml").exists()


def test_a_capability_the_document_lacks_is_named_with_what_it_has(
    serve: Serve, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = serve(Widgets())
    assert contract_test(url, tmp_path / "report.xml", "--capability", "gadgets") == 2
    assert "no operations of gadgets v*; it has widgets/v1" in capsys.readouterr().err
    assert contract_test(url, tmp_path / "report.xml", "--capability", "widgets", "--version", "2") == 2
    assert "no operations of widgets v2" in capsys.readouterr().err


def test_unreachable_deployments_and_bad_options_are_plain_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert contract_test("http://127.0.0.1:9", tmp_path / "report.xml") == 2
    assert "cannot reach http://127.0.0.1:9/openapi.json" in capsys.readouterr().err
    assert contract_test("http://127.0.0.1:9", tmp_path / "report.xml", "--phases", "fuzzing,smoke") == 2
    assert "give some of examples, coverage, fuzzing, stateful" in capsys.readouterr().err
    monkeypatch.delenv("REVGATE_CLIENT_SECRET", raising=False)
    assert main(["contract-test", "--base-url", "http://127.0.0.1:9", "--client-id", CLIENT_ID]) == 2
    assert "give --client-secret or set REVGATE_CLIENT_SECRET" in capsys.readouterr().err
