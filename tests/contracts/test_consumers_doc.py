"""docs/consumers.md, run as written against the whole stack: a token, a call, the versions, and
``revgate contract-test`` as a consuming team runs it in CI.

The shell blocks run in a folder laid out like a checkout running ``revgate up`` (``.revgate`` is
the stack's state, ``.venv`` this interpreter's), with the stack's ports for 8080 and 8090. Each
block's output must match the block shown after it, where ``...`` stands for anything and numbers
for any number (timings, counters, ids).
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.fixtures.stack import RunningStack

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "consumers.md").read_text()


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """``(language, body)`` of every fenced block, in order (indented ones too)."""
    blocks: list[tuple[str, str]] = []
    language: str | None = None
    lines: list[str] = []
    indent = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            if language is None:
                language, lines, indent = stripped[3:].strip(), [], line[: line.index("```")]
            else:
                blocks.append((language, "\n".join(lines)))
                language = None
        elif language is not None:
            lines.append(line.removeprefix(indent))
    return blocks


def example(command: str) -> tuple[str, str]:
    """The first shell block that contains ``command``, and the output shown right after it ("": none)."""
    blocks = [*fenced_blocks(GUIDE), ("sh", "")]
    for i, (language, body) in enumerate(blocks):
        if language == "sh" and command in body:
            following, shown = blocks[i + 1]
            return body, shown if following == "" else ""
    raise AssertionError(f"docs/consumers.md has no sh block with {command!r}")


def assert_output_matches(output: str, shown: str) -> None:
    """Every shown line appears in the output, in order; ``...`` is anything, a number any number."""
    lines = output.splitlines()
    at = 0
    for expected in shown.splitlines():
        if expected.strip() == "...":
            continue
        pattern = re.escape(expected.strip()).replace(r"\.\.\.", ".*")
        pattern = re.sub(r"\d+(?:\\\.\d+)*", r"\\d+(?:\\.\\d+)*", pattern)
        while at < len(lines) and not re.fullmatch(pattern, lines[at].strip()):
            at += 1
        assert at < len(lines), f"{expected!r} is not in the output (in order):\n{output}"
        at += 1


@pytest.fixture
def checkout(tmp_path: Path, revgate_stack: RunningStack) -> Path:
    (tmp_path / ".revgate").symlink_to(revgate_stack.state_dir)
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    return tmp_path


def run(script: str, checkout: Path, stack: RunningStack) -> subprocess.CompletedProcess[str]:
    script = script.replace("http://127.0.0.1:8080", stack.gateway_url)
    script = script.replace("http://127.0.0.1:8090", stack.identity_url)
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_a_token_and_a_first_call_answer_as_shown(checkout: Path, revgate_stack: RunningStack) -> None:
    token, _ = example("grant_type=client_credentials")
    call, shown = example("X-Correlation-ID: my-app-4711")
    done = run(f"{token}\n{call}", checkout, revgate_stack)
    assert done.returncode == 0, done.stderr
    assert_output_matches(done.stdout, shown)


def test_the_versions_of_a_capability_are_listed_as_shown(
    checkout: Path, revgate_stack: RunningStack
) -> None:
    listing, shown = example("curl -s http://127.0.0.1:8080/customer-master")
    done = run(listing, checkout, revgate_stack)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == shown.strip()


def test_the_contract_test_command_passes_and_writes_a_junit_report(
    checkout: Path, revgate_stack: RunningStack
) -> None:
    command, shown = example("revgate contract-test --base-url")
    done = run(command, checkout, revgate_stack)
    assert done.returncode == 0, done.stdout + done.stderr
    assert_output_matches(done.stdout, shown)
    report = ET.parse(checkout / "contract-test.xml").getroot()
    cases = {case.attrib["name"]: case for case in report.iter("testcase")}
    assert set(cases) == {
        "GET /billing-status/v1/customers/{customer_id}/billing-status",
        "GET /billing-status/v1/orders/{order_id}/billing-status",
    }
    assert all(not list(case) for case in cases.values())  # no failure, error or skip
    assert report.attrib["failures"] == report.attrib["errors"] == "0"


def test_a_wrong_secret_is_named_and_nothing_runs(checkout: Path, revgate_stack: RunningStack) -> None:
    command, _ = example("revgate contract-test --base-url")
    done = run(command.replace('"$SECRET"', "not-the-secret"), checkout, revgate_stack)
    assert done.returncode == 2
    assert "refused client 'quickstart' with 401: invalid_client" in done.stderr
    assert not (checkout / "contract-test.xml").exists()
