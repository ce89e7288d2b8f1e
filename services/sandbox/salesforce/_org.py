"""The run-time state of the sandbox org: records, open query cursors, API usage, and its identity."""

from __future__ import annotations

import collections
import datetime as dt
from typing import Any, Final

from services.sandbox._kernel import IssuedTokens, SandboxConfig, SandboxControls
from services.sandbox.salesforce._ids import case_safe_suffix, mint_id
from services.sandbox.salesforce._objects import default_registry
from services.sandbox.salesforce._sales_rules import sales_rules
from services.sandbox.salesforce._schema import SchemaRegistry
from services.sandbox.salesforce._seed import seed
from services.sandbox.salesforce._store import Record, SObjectStore

ORG_ID_15: Final = "00DHs000003rEvG"
ORG_ID: Final = ORG_ID_15 + case_safe_suffix(ORG_ID_15)
INTEGRATION_USER_ID_15: Final = "005Hs00000BfQ2x"
INTEGRATION_USER_ID: Final = INTEGRATION_USER_ID_15 + case_safe_suffix(INTEGRATION_USER_ID_15)
DAILY_API_LIMIT: Final = 15_000
QUERY_LOCATOR_PREFIX: Final = "01g"
MAX_OPEN_CURSORS: Final = 10
"""Salesforce keeps at most ten query cursors open per user; opening one more closes the oldest."""
UNEXPECTED_ERROR_MESSAGE: Final = (
    "An unexpected error occurred. Please include this ErrorId if you contact support: "
    "1183364117-49791 (-1558697358)"
)


class SalesforceFaultShapes:
    """How Salesforce answers when it throttles, is down, or breaks (the kernel injects these)."""

    def throttled(self, retry_after: int) -> tuple[int, Any, dict[str, str]]:
        body = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
        return 403, body, {"Retry-After": str(retry_after)}

    def unavailable(self) -> tuple[int, Any, dict[str, str]]:
        message = "Server is temporarily unavailable. Please try again later."
        return 503, [{"message": message, "errorCode": "SERVER_UNAVAILABLE"}], {}

    def server_error(self) -> tuple[int, Any, dict[str, str]]:
        return 500, [{"errorCode": "UNKNOWN_EXCEPTION", "message": UNEXPECTED_ERROR_MESSAGE}], {}


class QueryCursors:
    """Results of queries larger than one batch, kept until read (or pushed out by newer ones)."""

    def __init__(self) -> None:
        self._open: collections.OrderedDict[str, list[Record]] = collections.OrderedDict()
        self._opened = 0

    def open(self, rows: list[Record]) -> str:
        self._opened += 1
        locator = mint_id(QUERY_LOCATOR_PREFIX, 62**4 * 5 + self._opened * 104_729)
        self._open[locator] = rows
        while len(self._open) > MAX_OPEN_CURSORS:
            self._open.popitem(last=False)
        return locator

    def rows(self, locator: str) -> list[Record] | None:
        return self._open.get(locator)

    def clear(self) -> None:
        self._open.clear()


class SalesforceOrg:
    """Everything one sandbox org holds; ``reset`` puts the data back to the seed."""

    def __init__(self, config: SandboxConfig, registry: SchemaRegistry | None = None) -> None:
        self.config = config
        self.store = SObjectStore(
            registry or default_registry(), lambda: dt.datetime.now(dt.UTC), sales_rules()
        )
        self.cursors = QueryCursors()
        self.api_usage = 0
        # Real access tokens start with the org id and "!".
        self.tokens = IssuedTokens(config.token_ttl, prefix=ORG_ID_15 + "!")
        self.controls = SandboxControls(SalesforceFaultShapes(), self.tokens, self.reset_data)
        self.reset_data()

    def reset_data(self) -> None:
        seed(self.store)
        self.cursors.clear()
        self.api_usage = 0
