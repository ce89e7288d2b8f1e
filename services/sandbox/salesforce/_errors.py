"""Salesforce's REST error shape: always a JSON array of ``{message, errorCode, fields}``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec


class ApiError(msgspec.Struct, frozen=True, rename="camel"):
    """One entry of Salesforce's error array."""

    message: str
    error_code: str
    fields: list[str] = msgspec.field(default_factory=list)


class SalesforceApiError(Exception):
    """Answer the request with this status and error array (raised anywhere under a handler)."""

    def __init__(
        self,
        status: int,
        errors: Sequence[ApiError],
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__("; ".join(f"{e.error_code}: {e.message}" for e in errors))
        self.status = status
        self.errors = list(errors)
        self.headers = dict(headers or {})

    @classmethod
    def one(
        cls, status: int, code: str, message: str, fields: Sequence[str] = (), **headers: str
    ) -> SalesforceApiError:
        return cls(status, [ApiError(message, code, list(fields))], headers)


def not_found() -> SalesforceApiError:
    return SalesforceApiError.one(404, "NOT_FOUND", "The requested resource does not exist")


def invalid_session() -> SalesforceApiError:
    return SalesforceApiError.one(401, "INVALID_SESSION_ID", "Session expired or invalid")


def no_such_column(column: str, entity: str) -> str:
    """Salesforce's words for an unknown field in a query or a ``fields`` list."""
    return (
        f"No such column '{column}' on entity '{entity}'. If you are attempting to use a custom field, "
        "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
        "describe call for the appropriate names."
    )
