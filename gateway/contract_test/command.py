"""``revgate contract-test``: the subcommand's arguments; the run itself is :mod:`.run`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Final

from gateway.contract_test import (
    DEFAULT_JUNIT,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_RATE_LIMIT,
    PHASES,
    SETUP_ERROR,
)

#: Where the client secret may come from instead of the command line (which CI logs and ``ps`` show).
SECRET_VARIABLE: Final = "REVGATE_CLIENT_SECRET"


def add_contract_test_command(commands: Any) -> None:
    """Add ``contract-test`` to the ``revgate`` subcommands (an argparse subparsers object)."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "contract-test",
        help="check a revgate deployment against its OpenAPI documents (schemathesis)",
        description="Fetch BASE_URL/openapi.json, get a token by client credentials and run schemathesis "
        "(every check, positive and negative data) against the operations asked for. Exit status: 0 "
        "all passed, 1 a check failed, 2 the run could not start.",
    )
    parser.add_argument("--base-url", required=True, help="the gateway, e.g. http://127.0.0.1:8080")
    parser.add_argument("--client-id", required=True, help="OAuth 2.0 client with the scopes to test")
    parser.add_argument(
        "--client-secret",
        default=os.environ.get(SECRET_VARIABLE),
        help=f"its secret (default: ${SECRET_VARIABLE})",
    )
    parser.add_argument(
        "--token-url", help="token endpoint (default: the document's client-credentials tokenUrl)"
    )
    parser.add_argument("--capability", help="only this capability, e.g. customer-master (default: all)")
    parser.add_argument("--version", type=int, help="only this major version, e.g. 2 (default: all)")
    parser.add_argument("--junit", default=DEFAULT_JUNIT, help=f"JUnit XML report (default: {DEFAULT_JUNIT})")
    parser.add_argument(
        "--max-examples",
        type=int,
        default=DEFAULT_MAX_EXAMPLES,
        help=f"generated cases per operation (default: {DEFAULT_MAX_EXAMPLES})",
    )
    parser.add_argument(
        "--rate-limit",
        default=DEFAULT_RATE_LIMIT,
        help="most requests per second or minute, e.g. 8/s or 300/m, or 'none' "
        f"(default: {DEFAULT_RATE_LIMIT}, under the default quota of 600 a minute)",
    )
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help=f"comma-separated, of {', '.join(PHASES)} (default: all)",
    )
    parser.add_argument("--seed", type=int, help="repeat a run: the seed its report printed")
    parser.set_defaults(run=contract_test)


def contract_test(args: argparse.Namespace) -> int:
    """Run it (schemathesis is imported here, not when the CLI starts)."""
    try:
        from gateway.contract_test.run import ContractTestOptions, run_contract_tests
    except ModuleNotFoundError as missing:
        if missing.name not in ("schemathesis", "hypothesis"):
            raise
        return _refuse("needs schemathesis: pip install 'revgate[contract-test]' (make install has it)")

    if not args.client_secret:
        return _refuse(f"give --client-secret or set {SECRET_VARIABLE}")
    phases = tuple(phase.strip() for phase in args.phases.split(",") if phase.strip())
    if not phases or any(phase not in PHASES for phase in phases):
        return _refuse(f"--phases {args.phases!r}: give some of {', '.join(PHASES)}")
    options = ContractTestOptions(
        base_url=args.base_url,
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_url=args.token_url,
        capability=args.capability,
        version=args.version,
        junit_path=Path(args.junit),
        max_examples=args.max_examples,
        rate_limit=None if args.rate_limit.lower() == "none" else args.rate_limit,
        phases=phases,
        seed=args.seed,
    )
    return run_contract_tests(options)


def _refuse(message: str) -> int:
    print(f"revgate contract-test: {message}", file=sys.stderr, flush=True)
    return SETUP_ERROR
