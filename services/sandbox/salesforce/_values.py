"""Field values: JSON in, Python values stored, JSON out, with Salesforce's complaints on the way in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.sandbox.salesforce._errors import ApiError
from services.sandbox.salesforce._schema import FieldSpec, FieldType


def format_datetime(value: dt.datetime) -> str:
    """Salesforce's datetime form in REST answers: ``2024-01-15T09:30:00.000+0000``."""
    utc = value.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def parse_datetime(text: str) -> dt.datetime | None:
    """An ISO 8601 datetime with offset (``Z``, ``+0000`` or ``+00:00``), as UTC; None if unreadable."""
    candidate = text[:-1] + "+00:00" if text.endswith("Z") else text
    if len(candidate) > 5 and candidate[-5] in "+-" and candidate[-3] != ":":
        candidate = candidate[:-2] + ":" + candidate[-2:]
    try:
        value = dt.datetime.fromisoformat(candidate)
    except ValueError:
        return None
    return value.astimezone(dt.UTC) if value.tzinfo else None


def to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class FieldValueError(Exception):
    """One field's value is refused; ``error`` says how Salesforce words it."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(error.message)
        self.error = error


def convert(spec: FieldSpec, raw: Any) -> Any:
    """A JSON value as the Python value of the field (a reference stays its text), or FieldValueError."""
    if raw is None:
        return False if spec.type is FieldType.BOOLEAN else None
    if isinstance(raw, dict | list):
        token = "START_OBJECT" if isinstance(raw, dict) else "START_ARRAY"
        raise FieldValueError(parser_error(spec, token, "{" if isinstance(raw, dict) else "["))
    if spec.type.is_text or spec.type in (FieldType.REFERENCE, FieldType.ID):
        value = raw if isinstance(raw, str) else _scalar_text(raw)
        if value == "":
            return None  # Salesforce stores an empty text value as null.
        if spec.type is FieldType.REFERENCE:
            return value  # whether it points at a record is for the store to say
        if spec.restricted and value not in spec.picklist:
            raise FieldValueError(
                ApiError(
                    f"{spec.label}: bad value for restricted picklist field: {value}",
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    [spec.name],
                )
            )
        if len(value) > spec.length:
            raise FieldValueError(
                ApiError(
                    f"{spec.label}: data value too large: {value[:40]} (max length={spec.length})",
                    "STRING_TOO_LONG",
                    [spec.name],
                )
            )
        return value
    if spec.type is FieldType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        raise FieldValueError(parser_error(spec, _token_of(raw), raw))
    if spec.type.is_number:
        return _number(spec, raw)
    if not isinstance(raw, str):
        raise FieldValueError(parser_error(spec, _token_of(raw), raw))
    if spec.type is FieldType.DATE:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise FieldValueError(parser_error(spec, "VALUE_STRING", raw)) from None
    parsed = parse_datetime(raw)
    if parsed is None:
        raise FieldValueError(parser_error(spec, "VALUE_STRING", raw))
    return parsed


def _scalar_text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw)


def _token_of(raw: Any) -> str:
    if isinstance(raw, bool):
        return "VALUE_TRUE" if raw else "VALUE_FALSE"
    if isinstance(raw, int):
        return "VALUE_NUMBER_INT"
    if isinstance(raw, float):
        return "VALUE_NUMBER_FLOAT"
    return "VALUE_STRING"


def parser_error(spec: FieldSpec, token: str, raw: Any) -> ApiError:
    return ApiError(
        f"Cannot deserialize instance of {spec.type.value} from {token} value {raw} "
        "or request may be missing a required field",
        "JSON_PARSER_ERROR",
    )


def _number(spec: FieldSpec, raw: Any) -> int | float:
    number: int | float
    if isinstance(raw, bool):
        raise FieldValueError(parser_error(spec, _token_of(raw), raw))
    if isinstance(raw, int | float):
        number = raw
    else:
        try:
            number = float(raw)
        except ValueError:
            raise FieldValueError(
                ApiError(
                    f"{spec.label}: value not of required type: {raw}",
                    "INVALID_TYPE_ON_FIELD_IN_RECORD",
                    [spec.name],
                )
            ) from None
    if spec.type is FieldType.INT:
        if number != int(number):
            raise FieldValueError(
                ApiError(
                    f"{spec.label}: value not of required type: {raw}",
                    "INVALID_TYPE_ON_FIELD_IN_RECORD",
                    [spec.name],
                )
            )
        return int(number)
    return number
