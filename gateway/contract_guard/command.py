"""``revgate contracts check [--base REV] [--repo DIR]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gateway.contract_guard.document import ContractGuardError
from gateway.contract_guard.history import repository_root
from gateway.contract_guard.report import check


def contracts_check(args: argparse.Namespace) -> int:
    """Print the report; 1 when something breaks, 2 when the check could not run."""
    try:
        root = Path(args.repo) if args.repo else repository_root(Path.cwd())
        report = check(root, args.base)
    except ContractGuardError as error:
        print(f"revgate: {error}", file=sys.stderr)
        return 2
    print(report.render(), end="", flush=True)
    return 1 if report.breaking else 0


def add_contracts_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    contracts = commands.add_parser("contracts", help="work with the OpenAPI contracts")
    actions = contracts.add_subparsers(dest="contracts_command", required=True)
    check_parser = actions.add_parser(
        "check", help="fail on a breaking change to contracts/openapi/*.json against a base revision"
    )
    check_parser.add_argument(
        "--base",
        help="git revision to compare with (default: the commit contracts/RELEASED names; without "
        "that file, the merge-base of HEAD and origin/main, else HEAD)",
    )
    check_parser.add_argument(
        "--repo", help="repository root (default: the git work tree of the current directory)"
    )
    check_parser.set_defaults(run=contracts_check)
