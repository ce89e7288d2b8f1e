"""``POST /services/oauth2/token``: the client-credentials flow of a connected app."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from litestar import Response, post
from litestar.di import NamedDependency

from services.sandbox.salesforce._http import AnyRequest, base_url, json_response
from services.sandbox.salesforce._org import INTEGRATION_USER_ID, ORG_ID, SalesforceOrg


@post("/services/oauth2/token", status_code=200)
async def issue_token(request: AnyRequest, org: NamedDependency[SalesforceOrg]) -> Response[bytes]:
    """The OAuth 2.0 client-credentials flow of a connected app."""
    form = await request.form()
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", "grant type not supported")
    config = org.config
    client_id, client_secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
    if not (
        hmac.compare_digest(client_id, config.client_id)
        and hmac.compare_digest(client_secret, config.client_secret)
    ):
        return _oauth_error("invalid_client", "invalid client credentials")
    instance = base_url(request)
    identity = f"{instance}/id/{ORG_ID}/{INTEGRATION_USER_ID}"
    issued_at = str(int(time.time() * 1000))
    signature = hmac.new(config.client_secret.encode(), (identity + issued_at).encode(), hashlib.sha256)
    return json_response(
        200,
        {
            "access_token": org.tokens.issue(),
            "signature": base64.b64encode(signature.digest()).decode(),
            "scope": "api",
            "instance_url": instance,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued_at,
            "token_format": "opaque",
        },
    )


def _oauth_error(error: str, description: str) -> Response[bytes]:
    return json_response(400, {"error": error, "error_description": description})
