"""One contract-test run: schemathesis's own command line, configured for revgate, in this process."""

from __future__ import annotations

import re
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click
import httpx
import schemathesis
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.auths import unregister as unregister_auth
from schemathesis.cli import schemathesis as schemathesis_command

from gateway.contract_test import (
    DEFAULT_JUNIT,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_RATE_LIMIT,
    PHASES,
    SETUP_ERROR,
    _hooks,  # noqa: F401 - registers the hooks
)
from gateway.contract_test._target import (
    AccessToken,
    ContractTestError,
    fetch_document,
    fetch_token,
    links_among,
    selected_paths,
    token_url_of,
)


@dataclass(frozen=True)
class ContractTestOptions:
    """What to test, and how hard."""

    base_url: str
    """The gateway, e.g. ``http://127.0.0.1:8080``."""
    client_id: str
    client_secret: str
    token_url: str | None = None
    """OAuth 2.0 token endpoint; None: the document's client-credentials ``tokenUrl``."""
    capability: str | None = None
    """Only this capability's operations (``customer-master``); None: every capability."""
    version: int | None = None
    """Only this major; None: every major."""
    junit_path: Path = Path(DEFAULT_JUNIT)
    max_examples: int = DEFAULT_MAX_EXAMPLES
    """Generated test cases per operation in the fuzzing phase, and scenarios in the stateful one."""
    rate_limit: str | None = DEFAULT_RATE_LIMIT
    """At most so many requests per second or minute (``8/s``, ``300/m``); None: no limit."""
    phases: tuple[str, ...] = PHASES
    seed: int | None = None
    """Hypothesis seed, to repeat a run; None: a new one, printed in the report."""


def run_contract_tests(options: ContractTestOptions) -> int:
    """Run the contract tests, printing schemathesis's report; the exit status (0: every check passed)."""
    base_url = options.base_url.rstrip("/")
    try:
        with httpx.Client(timeout=30) as client:
            document = fetch_document(client, base_url)
            path_regex = selected_paths(document, options.capability, options.version)
            token_url = options.token_url or token_url_of(document, base_url)
            token = fetch_token(client, token_url, options.client_id, options.client_secret)
            if links_among(document, ".") and not links_among(document, path_regex):
                # The document's links all lie outside the chosen operations: schemathesis refuses a
                # stateful phase then (without links at all, it infers some from Location headers).
                options = replace(options, phases=tuple(p for p in options.phases if p != "stateful"))
    except ContractTestError as error:
        print(f"revgate contract-test: {error}", file=sys.stderr, flush=True)
        return SETUP_ERROR
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="revgate-contract-test-") as folder:
        config = Path(folder) / "schemathesis.toml"
        config.write_text(schemathesis_config(options))
        arguments = [
            *("--config-file", str(config), "run", f"{base_url}/openapi.json"),
            *("--url", base_url, "--include-path-regex", path_regex),
            *("--report", "junit", "--report-junit-path", str(options.junit_path)),
        ]
        # Hypothesis keeps caches in ./.hypothesis: in the run's own folder instead, gone after it.
        set_hypothesis_home_dir(Path(folder) / "hypothesis")
        try:
            with _client_credentials(token, token_url, options.client_id, options.client_secret):
                status = _schemathesis(arguments, options.junit_path)
        finally:
            set_hypothesis_home_dir(None)
    verdict = "passed" if status == 0 else f"FAILED (exit status {status})"
    print(
        f"revgate contract-test: {verdict} in {time.monotonic() - started:.0f}s; "
        f"JUnit report: {options.junit_path}",
        flush=True,
    )
    return status


def schemathesis_config(options: ContractTestOptions) -> str:
    """The run's ``schemathesis.toml``: every check, positive and negative data, the phases asked for."""
    top = [f'rate-limit = "{options.rate_limit}"'] if options.rate_limit else []
    if options.seed is not None:
        top.append(f"seed = {options.seed}")
    sections = [
        # Nothing left behind in the caller's folder: no crash cache, no Hypothesis example database.
        "[cache]\nenabled = false",
        "[checks]\nenabled = true",
        f'[generation]\nmode = "all"\nmax-examples = {options.max_examples}\ndatabase = "none"',
        *(f"[phases.{phase}]\nenabled = {str(phase in options.phases).lower()}" for phase in PHASES),
    ]
    return "\n".join(top) + "\n\n" + "\n\n".join(sections) + "\n"


def _schemathesis(arguments: list[str], junit_path: Path) -> int:
    """schemathesis's command line, called in this process; its exit status."""
    with warnings.catch_warnings():
        # schemathesis 4.32 opens the report once to check it can, and leaves that handle to the
        # garbage collector (it writes the report later through another): not ours to warn about.
        warnings.filterwarnings(
            "ignore", f"unclosed file <_io.TextIOWrapper name='{re.escape(str(junit_path))}'", ResourceWarning
        )
        try:
            schemathesis_command.main(
                args=arguments, prog_name="revgate contract-test", standalone_mode=False
            )
        except SystemExit as done:
            return done.code if isinstance(done.code, int) else 1
        except click.ClickException as refused:  # e.g. a report path it cannot write
            refused.show()
            return SETUP_ERROR
        except click.Abort:
            return SETUP_ERROR
    return 0


@contextmanager
def _client_credentials(
    first: AccessToken, token_url: str, client_id: str, client_secret: str
) -> Iterator[None]:
    """Every request of the run carries a bearer token, fetched anew before it expires."""
    unused = [first]

    @schemathesis.auth(refresh_interval=max(30, min(first.expires_in - 60, 300)))
    class ClientCredentials:
        def get(self, case: schemathesis.Case[Any], context: schemathesis.AuthContext) -> str:
            if unused:
                return unused.pop().value
            with httpx.Client(timeout=30) as client:
                return fetch_token(client, token_url, client_id, client_secret).value

        def set(self, case: schemathesis.Case[Any], data: str, context: schemathesis.AuthContext) -> None:
            case.headers["Authorization"] = f"Bearer {data}"

    try:
        yield
    finally:
        unregister_auth()
