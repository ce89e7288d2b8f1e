"""The embedded stack that ``revgate up`` runs: which processes, on which ports, with which settings.

Every component is a separate process (as in production), started by module name, so this
module imports none of them.
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path

import msgspec
from joserfc.jwk import ECKey

from gateway._private_files import write_private
from gateway.idp import hash_secret


class Component(msgspec.Struct, frozen=True):
    """One process of the stack."""

    name: str
    """Short name, shown before each of its log lines."""
    argv: tuple[str, ...]
    """Command line that runs it."""
    port: int
    """Loopback port it listens on."""
    ready_path: str
    """Path that answers 2xx once it is serving."""
    ready_port: int | None = None
    """Port of ``ready_path`` when it is not ``port`` (the gateway's admin listener)."""
    needs: tuple[str, ...] = ()
    """Components that must be ready before this one starts (the gateway needs the provider's keys)."""
    env: dict[str, str] = {}
    """Variables added to the environment."""


class StackPorts(msgspec.Struct, frozen=True):
    """Loopback ports of the embedded stack."""

    gateway: int = 8080
    identity_provider: int = 8090
    admin: int = 9090
    salesforce: int = 8101
    zuora: int = 8102
    netsuite: int = 8103
    customer_master: int = 8201
    order_submission: int = 8202
    contract_updates: int = 8203
    billing_status: int = 8204


#: Dev clients of the embedded identity provider: name -> (scopes, what it is for).
DEV_CLIENTS: dict[str, tuple[tuple[str, ...], str]] = {
    "quickstart": (
        (
            "customers:read",
            "customers:write",
            "orders:read",
            "orders:write",
            "contracts:read",
            "contracts:write",
            "billing:read",
        ),
        "Everything, for trying revgate out",
    ),
    "reporting": (("customers:read", "orders:read", "billing:read"), "Read-only, to see scopes refused"),
}

_CLIENT_TOML = """
[[dev_identity_provider.clients]]
client_id = "{name}"
secret_hash = "{hash}"
scopes = {scopes}
description = {description}
"""

_GATEWAY_TOML = """\
# Written by `revgate up` on every start; edit deploy/gateway.example.toml for a real deployment.
[server]
host = "{host}"
port = {ports.gateway}
admin_host = "{host}"
admin_port = {ports.admin}

[identity]
issuer = "{issuer}"
audience = "revgate"
jwks_url = "{issuer}/.well-known/jwks.json"

[dev_identity_provider]
issuer = "{issuer}"
audience = "revgate"
state_dir = "{state_dir}"
{clients}
[rate_limit]
# No redis_url: the embedded default keeps limits in memory; give redis://... to share them.
default_policy = "standard"

[rate_limit.policies.standard]
limit = 600
window = 60

[[upstreams]]
capability = "customer-master"
major = 1
url = "http://{host}:{ports.customer_master}"
deprecated_at = 2026-11-01T00:00:00Z
sunset_at = 2027-11-01T00:00:00Z

[[upstreams]]
capability = "customer-master"
major = 2
url = "http://{host}:{ports.customer_master}"

[[upstreams]]
capability = "order-submission"
major = 1
url = "http://{host}:{ports.order_submission}"

[[upstreams]]
capability = "contract-updates"
major = 1
url = "http://{host}:{ports.contract_updates}"

[[upstreams]]
capability = "billing-status"
major = 1
url = "http://{host}:{ports.billing_status}"
"""


SANDBOX_CLIENT_ID = "revgate"
SANDBOX_CLIENT_SECRET = "revgate-sandbox-secret"
NETSUITE_CERTIFICATE_ID = "revgate-dev"
CALLOUT_USERNAME = "zuora-callouts"


def netsuite_client_key(state_dir: Path) -> ECKey:
    """The key revgate signs NetSuite client assertions with: made on first run, then kept."""
    path = state_dir / "netsuite-client.jwk.json"
    if path.exists():
        return ECKey.import_key(json.loads(path.read_text()))
    key = ECKey.generate_key("P-256", parameters={"kid": NETSUITE_CERTIFICATE_ID, "alg": "ES256"})
    write_private(path, json.dumps(key.as_dict(private=True)))
    return key


def dev_client_secrets(state_dir: Path) -> dict[str, str]:
    """Secrets of the dev clients: made on first run, kept in the state folder (mode 0600)."""
    path = state_dir / "dev-clients.json"
    secrets_by_client: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if set(DEV_CLIENTS) - set(secrets_by_client):
        for name in DEV_CLIENTS:
            # Hex: a secret starting with "-" would read as an option on a command line.
            secrets_by_client.setdefault(name, secrets.token_hex(24))
        write_private(path, json.dumps(secrets_by_client, indent=2))
    return secrets_by_client


def callout_secret(state_dir: Path) -> str:
    """The password Zuora's callouts to billing-status carry: made on first run, then kept (mode 0600)."""
    path = state_dir / "callout-secret"
    if not path.exists():
        write_private(path, secrets.token_urlsafe(24))
    return path.read_text()


def gateway_config(state_dir: Path, host: str = "127.0.0.1", ports: StackPorts | None = None) -> Path:
    """Write the embedded gateway's config file (with hashed client secrets) and answer its path."""
    ports = ports or StackPorts()
    secrets_by_client = dev_client_secrets(state_dir)
    clients = "".join(
        _CLIENT_TOML.format(
            name=name,
            hash=hash_secret(secrets_by_client[name]),
            scopes=json.dumps(list(scopes)),
            description=json.dumps(description),
        )
        for name, (scopes, description) in DEV_CLIENTS.items()
    )
    issuer = f"http://{host}:{ports.identity_provider}"
    text = _GATEWAY_TOML.format(host=host, ports=ports, issuer=issuer, state_dir=state_dir, clients=clients)
    path = state_dir / "gateway.toml"
    path.write_text(text)
    return path


def embedded_stack(
    state_dir: Path, host: str = "127.0.0.1", ports: StackPorts | None = None
) -> list[Component]:
    """The vendor sandboxes, the capability services, the dev identity provider and the gateway."""
    ports = ports or StackPorts()
    key = netsuite_client_key(state_dir)
    config_path = gateway_config(state_dir, host, ports)
    python = sys.executable

    def sandbox(vendor: str, port: int, extra: dict[str, str] | None = None) -> Component:
        return Component(
            name=vendor,
            argv=(python, "-m", "services.sandbox", vendor, "--host", host, "--port", str(port)),
            port=port,
            ready_path="/__sandbox/faults",
            env={
                "REVGATE_SANDBOX_CLIENT_ID": SANDBOX_CLIENT_ID,
                "REVGATE_SANDBOX_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
            }
            | (extra or {}),
        )

    callout_password = callout_secret(state_dir)
    public_jwks = json.dumps({"keys": [key.as_dict(private=False)]})
    vendors = {
        "REVGATE_SALESFORCE_URL": f"http://{host}:{ports.salesforce}",
        "REVGATE_SALESFORCE_CLIENT_ID": SANDBOX_CLIENT_ID,
        "REVGATE_SALESFORCE_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
        "REVGATE_ZUORA_URL": f"http://{host}:{ports.zuora}",
        "REVGATE_ZUORA_CLIENT_ID": SANDBOX_CLIENT_ID,
        "REVGATE_ZUORA_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
        "REVGATE_NETSUITE_URL": f"http://{host}:{ports.netsuite}",
        "REVGATE_NETSUITE_ACCOUNT_ID": "1234567_SB1",
        "REVGATE_NETSUITE_CLIENT_ID": SANDBOX_CLIENT_ID,
        "REVGATE_NETSUITE_CERTIFICATE_ID": NETSUITE_CERTIFICATE_ID,
        "REVGATE_NETSUITE_PRIVATE_KEY_FILE": str(state_dir / "netsuite-client.jwk.json"),
    }
    return [
        sandbox("salesforce", ports.salesforce),
        sandbox(
            "zuora",
            ports.zuora,
            {
                "REVGATE_SANDBOX_CALLOUT_URL": f"http://{host}:{ports.billing_status}/v1/callouts/zuora/payments",
                "REVGATE_SANDBOX_CALLOUT_USERNAME": CALLOUT_USERNAME,
                "REVGATE_SANDBOX_CALLOUT_PASSWORD": callout_password,
            },
        ),
        sandbox("netsuite", ports.netsuite, {"REVGATE_SANDBOX_CLIENT_PUBLIC_KEYS": public_jwks}),
        Component(
            name="customer-master",
            argv=(
                python,
                "-m",
                "services.customer_master",
                "--host",
                host,
                "--port",
                str(ports.customer_master),
            ),
            port=ports.customer_master,
            ready_path="/healthz",
            env=vendors,
        ),
        Component(
            # One process: without Redis the workflow store is in memory, and the three must share it.
            name="quote-to-cash",
            argv=(
                python,
                "-m",
                "services.host",
                "--host",
                host,
                f"order-submission={ports.order_submission}",
                f"contract-updates={ports.contract_updates}",
                f"billing-status={ports.billing_status}",
            ),
            port=ports.order_submission,
            ready_path="/healthz",
            env=vendors
            | {"REVGATE_CALLOUT_USERNAME": CALLOUT_USERNAME, "REVGATE_CALLOUT_PASSWORD": callout_password},
        ),
        Component(
            name="identity",
            argv=(python, "-m", "gateway.cli", "idp", "--config", str(config_path)),
            port=ports.identity_provider,
            ready_path="/.well-known/openid-configuration",
        ),
        Component(
            name="gateway",
            argv=(python, "-m", "gateway.cli", "gateway", "--config", str(config_path)),
            port=ports.gateway,
            ready_path="/readyz",
            ready_port=ports.admin,
            needs=("identity",),
        ),
    ]
