"""The deployment under test: its document, its token endpoint, the operations asked for.

Everything here runs before schemathesis starts, so that a wrong URL, refused credentials or an
unknown capability end the run at once with a message that says what to fix.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx


class ContractTestError(Exception):
    """The run could not start; the message says what to fix."""


def fetch_document(client: httpx.Client, base_url: str) -> dict[str, Any]:
    """The gateway's merged OpenAPI document."""
    url = f"{base_url}/openapi.json"
    try:
        answer = client.get(url)
    except httpx.HTTPError as error:
        raise ContractTestError(f"cannot reach {url}: {error}") from None
    if answer.status_code != 200:
        raise ContractTestError(f"{url} answered {answer.status_code}; is --base-url a revgate gateway?")
    try:
        document = answer.json()
    except ValueError:
        raise ContractTestError(f"{url} is not JSON; is --base-url a revgate gateway?") from None
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise ContractTestError(f"{url} is not an OpenAPI document (it has no paths)")
    return document


def token_url_of(document: dict[str, Any], base_url: str) -> str:
    """The document's OAuth 2.0 client-credentials ``tokenUrl``, resolved against the gateway's URL."""
    for scheme in document.get("components", {}).get("securitySchemes", {}).values():
        token_url = scheme.get("flows", {}).get("clientCredentials", {}).get("tokenUrl")
        if isinstance(token_url, str) and token_url:
            return urljoin(base_url + "/", token_url)
    raise ContractTestError("the document names no OAuth 2.0 client-credentials tokenUrl; give --token-url")


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_in: int
    """Seconds, as the token endpoint said."""


def fetch_token(client: httpx.Client, token_url: str, client_id: str, client_secret: str) -> AccessToken:
    """An access token by the client-credentials grant (RFC 6749 §4.4, ``client_secret_basic``)."""
    try:
        answer = client.post(
            token_url, data={"grant_type": "client_credentials"}, auth=(client_id, client_secret)
        )
    except httpx.HTTPError as error:
        raise ContractTestError(f"cannot reach the token endpoint {token_url}: {error}") from None
    body: Any = None
    with suppress(ValueError):
        body = answer.json()
    if answer.status_code != 200:
        reason = ""
        if isinstance(body, dict) and body.get("error"):
            detail = body.get("error_description")
            reason = f": {body['error']}" + (f" ({detail})" if detail else "")
        raise ContractTestError(
            f"the token endpoint {token_url} refused client {client_id!r} with {answer.status_code}{reason}; "
            "check --client-id and --client-secret"
        )
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise ContractTestError(f"the token endpoint {token_url} answered without an access_token")
    expires_in = body.get("expires_in")
    return AccessToken(body["access_token"], expires_in if isinstance(expires_in, int) else 300)


def links_among(document: dict[str, Any], path_regex: str) -> bool:
    """Whether any operation whose path matches defines an OpenAPI link (what the stateful phase follows)."""
    return any(
        "links" in response
        for path, item in document["paths"].items()
        if re.match(path_regex, path)
        for operation in item.values()
        if isinstance(operation, dict)
        for response in operation.get("responses", {}).values()
    )


def selected_paths(document: dict[str, Any], capability: str | None, version: int | None) -> str:
    """A regex of the public paths of ``capability`` and major ``version`` (None: any)."""
    pattern = "^/{}/v{}/".format(
        re.escape(capability) if capability else "[^/]+", version if version is not None else "[0-9]+"
    )
    if not any(re.match(pattern, path) for path in document["paths"]):
        offered = sorted({"/".join(path.split("/")[1:3]) for path in document["paths"]})
        wanted = f"{capability or 'any capability'} v{version if version is not None else '*'}"
        raise ContractTestError(
            f"the document has no operations of {wanted}; it has {', '.join(offered) or 'none'}"
        )
    return pattern
