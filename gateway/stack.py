"""The embedded stack that ``revgate up`` runs: which processes, on which ports, with which settings.

Every component is a separate process (as in production), started by module name, so this
module imports none of them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import msgspec
from joserfc.jwk import ECKey


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
    env: dict[str, str] = {}
    """Variables added to the environment."""


class StackPorts(msgspec.Struct, frozen=True):
    """Loopback ports of the embedded stack."""

    salesforce: int = 8101
    zuora: int = 8102
    netsuite: int = 8103
    customer_master: int = 8201


SANDBOX_CLIENT_ID = "revgate"
SANDBOX_CLIENT_SECRET = "revgate-sandbox-secret"
NETSUITE_CERTIFICATE_ID = "revgate-dev"


def netsuite_client_key(state_dir: Path) -> ECKey:
    """The key revgate signs NetSuite client assertions with: made on first run, then kept."""
    path = state_dir / "netsuite-client.jwk.json"
    if path.exists():
        return ECKey.import_key(json.loads(path.read_text()))
    key = ECKey.generate_key("P-256", parameters={"kid": NETSUITE_CERTIFICATE_ID, "alg": "ES256"})
    state_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(key.as_dict(private=True)))
    path.chmod(0o600)
    return key


def embedded_stack(
    state_dir: Path, host: str = "127.0.0.1", ports: StackPorts | None = None
) -> list[Component]:
    """The three vendor sandboxes and the capability services, wired to each other."""
    ports = ports or StackPorts()
    key = netsuite_client_key(state_dir)
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
        sandbox("zuora", ports.zuora),
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
    ]
