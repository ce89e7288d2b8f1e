"""A service killed in the middle of an order and started again finishes it exactly once.

The service runs as a real process (``python -m services.host``) over a Redis workflow store; the
sandboxes hold a step's vendor call open (latency) while the process is killed with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.sandbox import _demo
from tests.fixtures.customer_master import SANDBOX, Vendors
from tests.fixtures.netsuite import NETSUITE_CERTIFICATE_ID, NETSUITE_CLIENT_ID, NetSuiteRecords
from tests.fixtures.quote_to_cash import SHARED_REDIS, sales_orders, subscriptions
from tests.fixtures.stack import free_ports


class ServiceProcess:
    """order-submission as its own process, started and killed at will."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "services.host", f"order-submission={self.port}"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(
                    f"the service did not stop on SIGTERM:\n{self.log.read_text()}"
                ) from None


@pytest.fixture
def service(
    vendors: Vendors,
    sandbox_urls: dict[str, str],
    netsuite_client_key: str,
    redis_prefix: str,
    tmp_path: Path,
) -> Iterator[ServiceProcess]:
    key_file = tmp_path / "netsuite.jwk.json"
    key_file.write_text(netsuite_client_key)
    env = {
        **os.environ,
        "REVGATE_SALESFORCE_URL": sandbox_urls["salesforce"],
        "REVGATE_SALESFORCE_CLIENT_ID": SANDBOX.client_id,
        "REVGATE_SALESFORCE_CLIENT_SECRET": SANDBOX.client_secret,
        "REVGATE_ZUORA_URL": sandbox_urls["zuora"],
        "REVGATE_ZUORA_CLIENT_ID": SANDBOX.client_id,
        "REVGATE_ZUORA_CLIENT_SECRET": SANDBOX.client_secret,
        "REVGATE_NETSUITE_URL": sandbox_urls["netsuite"],
        "REVGATE_NETSUITE_ACCOUNT_ID": "1234567_SB1",
        "REVGATE_NETSUITE_CLIENT_ID": NETSUITE_CLIENT_ID,
        "REVGATE_NETSUITE_CERTIFICATE_ID": NETSUITE_CERTIFICATE_ID,
        "REVGATE_NETSUITE_PRIVATE_KEY_FILE": str(key_file),
        "REVGATE_STORE_URL": SHARED_REDIS,
        "REVGATE_STORE_PREFIX": redis_prefix,
        "REVGATE_WORKFLOW_LEASE": "1.0",
        "REVGATE_WORKFLOW_SWEEP_INTERVAL": "0.2",
        "REVGATE_WORKFLOW_BASE_DELAY": "0.05",
    }
    process = ServiceProcess(env, free_ports(1)[0], tmp_path / "service.log")
    process.start()
    yield process
    process.stop()


def wait_for_step(http: httpx.Client, location: str, name: str, state: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        steps = {s["name"]: s["state"] for s in http.get(location).json()["steps"]}
        if steps[name] == state:
            return
        time.sleep(0.02)
    raise AssertionError(f"{name} never became {state}")


@pytest.mark.parametrize(
    ("vendor", "step"), [("zuora", "subscription-created"), ("netsuite", "erp-order-booked")]
)
def test_a_service_killed_mid_order_finishes_it_once_after_a_restart(
    service: ServiceProcess, vendors: Vendors, netsuite_records: NetSuiteRecords, vendor: str, step: str
) -> None:
    with httpx.Client(base_url=service.url, timeout=10) as http:
        # The vendor takes its time: the step is under way (its request sent) when the process dies.
        vendors.faults(vendor, latencyMs=1500)
        answer = http.post(
            "/v1/orders",
            json={"opportunityId": _demo.OPPORTUNITY_CRM_ID},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert answer.status_code == 202, answer.text
        location = answer.headers["location"]
        wait_for_step(http, location, step, "running")
        time.sleep(0.3)
        service.kill()
        time.sleep(1.5)  # the vendor finishes what it was sent, with nobody listening
        vendors.faults(vendor, latencyMs=0)

        service.start()
        deadline = time.monotonic() + 30
        while (order := http.get(location).json())["status"] != "completed":
            assert order["status"] not in ("failed", "stalled"), order
            assert time.monotonic() < deadline, order
            time.sleep(0.1)

    order_id = order["id"]
    [subscription] = subscriptions(vendors, order_id)
    assert subscription["subscriptionNumber"] == order["subscriptionNumber"]
    assert len(sales_orders(netsuite_records, order_id)) == 1
