"""Where the systems of record are and how to sign in to them, read from ``REVGATE_*`` variables.

==================================== ==========================================================
variable                             meaning
==================================== ==========================================================
``REVGATE_SALESFORCE_URL``           login URL (the token answer names the instance URL)
``REVGATE_SALESFORCE_CLIENT_ID``     connected app consumer key
``REVGATE_SALESFORCE_CLIENT_SECRET`` connected app consumer secret
``REVGATE_ZUORA_URL``                REST base URL of the tenant
``REVGATE_ZUORA_CLIENT_ID``          OAuth client id
``REVGATE_ZUORA_CLIENT_SECRET``      OAuth client secret
``REVGATE_NETSUITE_URL``             ``https://<account>.suitetalk.api.netsuite.com``
``REVGATE_NETSUITE_ACCOUNT_ID``      account id, e.g. ``1234567_SB1``
``REVGATE_NETSUITE_CLIENT_ID``       integration record's client id
``REVGATE_NETSUITE_CERTIFICATE_ID``  certificate id of the OAuth 2.0 client-credentials mapping
``REVGATE_NETSUITE_PRIVATE_KEY_FILE`` file holding the private key as a JWK (JSON)
==================================== ==========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

import msgspec

from services.adapters.netsuite import NetSuiteConfig
from services.adapters.salesforce import SalesforceConfig
from services.adapters.zuora import ZuoraConfig

C = TypeVar("C", bound=msgspec.Struct)


class SettingsError(Exception):
    """The environment does not say enough to reach a system of record; the message names the variable."""


class VendorSettings(msgspec.Struct, frozen=True):
    salesforce: SalesforceConfig
    zuora: ZuoraConfig
    netsuite: NetSuiteConfig

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> VendorSettings:
        netsuite_env = dict(_section(environ, "NETSUITE"))
        if key_file := netsuite_env.pop("private_key_file", None):
            try:
                netsuite_env["private_key"] = Path(key_file).read_text()
            except OSError as error:
                raise SettingsError(
                    f"REVGATE_NETSUITE_PRIVATE_KEY_FILE: cannot read {key_file}: {error}"
                ) from error
        return cls(
            salesforce=_load(SalesforceConfig, "SALESFORCE", _section(environ, "SALESFORCE")),
            zuora=_load(ZuoraConfig, "ZUORA", _section(environ, "ZUORA")),
            netsuite=_load(NetSuiteConfig, "NETSUITE", netsuite_env),
        )


def _section(environ: Mapping[str, str], vendor: str) -> dict[str, str]:
    prefix = f"REVGATE_{vendor}_"
    values = {k[len(prefix) :].lower(): v for k, v in environ.items() if k.startswith(prefix)}
    if "url" in values:
        values["base_url"] = values.pop("url")
    return values


def _load(config: type[C], vendor: str, values: dict[str, str]) -> C:
    try:
        return msgspec.convert(values, config, strict=False)
    except msgspec.ValidationError as error:
        # msgspec says "Object missing required field `client_id`": name the variable instead.
        message = str(error).replace("`base_url`", "`url`")
        for field in config.__struct_fields__:
            name = "url" if field == "base_url" else field
            message = message.replace(f"`{name}`", f"REVGATE_{vendor}_{name.upper()}")
        raise SettingsError(message) from error
