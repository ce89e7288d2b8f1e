"""The breaking-change guard: no change inside a major may break a consumer of the committed contracts.

``breaking_changes(before, after)`` compares two versions of one OpenAPI document; ``check(repo_root, base)``
compares every ``contracts/openapi/*.json`` with its version at a git revision. ``revgate contracts check``
runs ``check`` and prints the report. What counts as breaking: docs/contracts.md.
"""

from gateway.contract_guard.document import ContractGuardError
from gateway.contract_guard.findings import Finding
from gateway.contract_guard.operations import breaking_changes
from gateway.contract_guard.report import Report, check

__all__ = ["ContractGuardError", "Finding", "Report", "breaking_changes", "check"]
