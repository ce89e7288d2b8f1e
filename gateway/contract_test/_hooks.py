"""What schemathesis cannot learn from the document, told through its hooks.

Registered once, on import (schemathesis keeps hooks in one global registry). Each hook narrows
exactly one thing, for a reason the document states but no schema can express; everything else is
checked as schemathesis does by default.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

import schemathesis
from schemathesis import Case, HookContext, Response
from schemathesis.core.failures import Failure
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi.checks import RejectedPositiveData

from contracts.problem import problem_type

IDEMPOTENCY_KEY: Final = "Idempotency-Key"
#: Query parameters of which a request gives at most one (each one's description says so; 400
#: otherwise): a dependency between parameters that OpenAPI cannot state.
ONE_OF_LOOKUPS: Final = ("salesforceId", "zuoraAccountId", "netsuiteId")
#: Problem types that refuse a body by a rule of the domain no schema states: a referenced record
#: that does not exist, a currency the legal entity does not sell in, a field fixed once set, a
#: value a system of record refuses (``partial-write`` at 422 is that, after other systems took it).
BUSINESS_RULE_PROBLEMS: Final = frozenset(
    problem_type(slug)
    for slug in ("validation-failed", "field-not-updatable", "vendor-rejected", "partial-write")
)


@schemathesis.hook
def before_call(context: HookContext, case: Case[Any], kwargs: dict[str, Any]) -> None:
    """Make positive data valid where validity is more than a schema can say.

    ``Idempotency-Key`` names one intended operation: the API replays the first answer for a key
    it has seen and refuses the key with another body (422). Hypothesis draws the same few short
    strings again and again, so every call with a valid key gets a fresh one (still valid).

    ``cursor`` is opaque: only ``next`` of a page the API answered is valid, any other is refused
    (400 ``invalid-request``), as it must be. Positive data sends none, and gives at most one of
    :data:`ONE_OF_LOOKUPS`. Negative data is sent as generated.
    """
    meta = case.meta
    headers = case.headers
    key = headers.get(IDEMPOTENCY_KEY) if headers else None
    if headers and isinstance(key, str) and 0 < len(key) <= 255:
        headers[IDEMPOTENCY_KEY] = str(uuid.uuid4())
    query = case.query
    if query and meta is not None and not meta.is_negative_at(ParameterLocation.QUERY):
        query.pop("cursor", None)
        for extra in [name for name in ONE_OF_LOOKUPS if name in query][1:]:
            del query[extra]


@schemathesis.hook
def filter_failure(context: HookContext, failure: Failure, case: Case[Any], response: Response) -> bool:
    """Keep every failure but schema-valid data refused by a business rule.

    ``positive_data_acceptance`` expects schema-valid data to be taken; revgate refuses some with
    422 and a problem type naming a rule the schema cannot state (:data:`BUSINESS_RULE_PROBLEMS`),
    as its documents say. Any other refusal of valid data still fails the run: ``invalid-body``
    above all, which would mean that the document and the code disagree.
    """
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 422:
        return True
    try:
        problem = response.json()
    except ValueError:
        return True
    return not (isinstance(problem, dict) and problem.get("type") in BUSINESS_RULE_PROBLEMS)
