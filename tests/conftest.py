"""Fixtures shared by the whole suite live in ``tests/fixtures``, one module per system."""

from pathlib import Path

import pytest

GATEWAY = Path(__file__).parent.parent / "gateway"

pytest_plugins = [
    "tests.fixtures.salesforce",
    "tests.fixtures.zuora",
    "tests.fixtures.netsuite",
    "tests.fixtures.customer_master",
    "tests.fixtures.quote_to_cash",
    "tests.fixtures.stack",
]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test a compiled request path older than its sources: its extensions would be
    imported instead of the edited modules, and the tests would pass or fail on old code."""
    libraries = list(GATEWAY.glob("_request_path__mypyc*"))
    if not libraries:
        return
    built = libraries[0].stat().st_mtime
    newer = [path for path in GATEWAY.rglob("*.py") if path.stat().st_mtime > built]
    if newer:
        pytest.exit(
            f"{newer[0]} changed after the request path was compiled: `make install` compiles it again"
            " (`make interpreted` removes the compiled modules, to test without them)",
            returncode=4,
        )
