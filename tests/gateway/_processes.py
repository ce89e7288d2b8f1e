"""Gateways as separate OS processes (``python -m gateway.cli gateway --config FILE``), as deployed.

The identity provider and the upstream stay in the test process (the session fixtures); each
gateway gets a TOML file of its own, its own public and admin ports, and is stopped in teardown.
"""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from gateway.idp import DevIdentityProvider
from tests.gateway.ratelimit.conftest import free_port

REPO = Path(__file__).resolve().parents[2]


def gateway_toml(
    identity: DevIdentityProvider, upstream_url: str, port: int, admin_port: int, rate_limit: str
) -> str:
    """A complete config: both customer-master majors on ``upstream_url``, ``rate_limit`` as given."""
    issuer = identity.config.issuer
    return f"""\
[server]
port = {port}
admin_port = {admin_port}
access_log = false

[identity]
issuer = "{issuer}"
audience = "revgate"
jwks_url = "{issuer}/.well-known/jwks.json"

{rate_limit}

[[upstreams]]
capability = "customer-master"
major = 1
url = "{upstream_url}"

[[upstreams]]
capability = "customer-master"
major = 2
url = "{upstream_url}"

[[upstreams]]
capability = "order-submission"
major = 1
url = "{upstream_url}"

[[upstreams]]
capability = "contract-updates"
major = 1
url = "{upstream_url}"

[[upstreams]]
capability = "billing-status"
major = 1
url = "{upstream_url}"
"""


class GatewayProcess:
    """One gateway process and the ports it serves on."""

    def __init__(self, folder: Path, name: str, config_text: str | None = None) -> None:
        self.port = free_port()
        self.admin_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_url = f"http://127.0.0.1:{self.admin_port}"
        self.config = folder / f"{name}.toml"
        self.log = folder / f"{name}.log"
        if config_text is not None:
            self.config.write_text(config_text)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gateway.cli", "gateway", "--config", str(self.config)],
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self) -> None:
        """Until ``/readyz`` answers 200 (config, documents and the provider's keys loaded)."""
        for _ in range(400):
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"gateway exited with {self.process.returncode}: {self.log.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.admin_url + "/readyz", timeout=1).status_code == 200:
                    return
            time.sleep(0.05)
        raise AssertionError(f"gateway not ready: {self.log.read_text()}")

    def metric(self, name: str) -> float:
        """An unlabelled sample from the admin listener's ``/metrics``, as a scraper reads it."""
        text = httpx.get(self.admin_url + "/metrics", timeout=5).text
        match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
        assert match, f"{name} not exported"
        return float(match.group(1))

    def reload(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@contextlib.contextmanager
def running(*gateways: GatewayProcess) -> Iterator[tuple[GatewayProcess, ...]]:
    """Start the gateways together, wait until each is ready, and always stop every one."""
    try:
        for gateway in gateways:
            gateway.start()
        for gateway in gateways:
            gateway.wait_ready()
        yield gateways
    finally:
        for gateway in gateways:
            gateway.stop()
