"""The config file as an operator meets it: a bad file or document stops the gateway at start with a
message naming the file, the field and the problem; SIGHUP applies a good new file and refuses a
bad one while the old one keeps serving; /readyz waits for the provider's keys."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from gateway.catalogue import Catalogue
from gateway.cli import main
from gateway.config import PACKAGED_CONTRACTS, load_config
from gateway.idp import DevIdentityProvider, create_identity_provider_app
from tests.gateway._processes import REPO, GatewayProcess, gateway_toml, running
from tests.gateway._sockets import reserved_port, serve_on
from tests.gateway.echo import EchoUpstream

CUSTOMERS = "/customer-master/v2/customers"

GOOD = """\
[identity]
issuer = "http://127.0.0.1:1"
audience = "revgate"

[rate_limit]
default_policy = "standard"

[rate_limit.policies.standard]
limit = 100
window = 60

[[upstreams]]
capability = "customer-master"
major = 1
url = "http://127.0.0.1:8201"

[[upstreams]]
capability = "customer-master"
major = 2
url = "http://127.0.0.1:8201"

[[upstreams]]
capability = "order-submission"
major = 1
url = "http://127.0.0.1:8202"

[[upstreams]]
capability = "contract-updates"
major = 1
url = "http://127.0.0.1:8202"

[[upstreams]]
capability = "billing-status"
major = 1
url = "http://127.0.0.1:8202"
"""


def limits(limit: int) -> str:
    """A ``[rate_limit]`` section, kept in memory, with one policy of ``limit`` requests a minute."""
    return f"""\
[rate_limit]
default_policy = "standard"

[rate_limit.policies.standard]
limit = {limit}
window = 60
"""


# (what is wrong, the file's text, what the message must say besides the file's name)
BAD_FILES = [
    (
        "wrong type",
        GOOD.replace("major = 1", 'major = "one"'),
        ["$.upstreams[0].major", "Expected `int`, got `str`"],
    ),
    ("unknown key", "[server]\nprot = 8081\n" + GOOD, ["$.server", "unknown field `prot`"]),
    (
        "zero timeout",
        "[server]\nkeep_alive_timeout = 0\n" + GOOD,
        ["$.server.keep_alive_timeout", "must be more than 0"],
    ),
    (
        "bad URL",
        GOOD.replace('url = "http://127.0.0.1:8201"', 'url = "127.0.0.1:8201"', 1),
        ["$.upstreams[0].url", "not an http(s) URL"],
    ),
    (
        "unknown policy",
        GOOD.replace('default_policy = "standard"', 'default_policy = "gold"'),
        ["$.rate_limit", "'gold'", "not defined"],
    ),
    (
        "unknown policy in a client override",
        GOOD + '\n[rate_limit.clients]\nbilling-app = "gold"\n',
        ["$.rate_limit", "clients.billing-app", "'gold'", "not defined"],
    ),
    (
        "sunset before deprecation",
        GOOD.replace(
            "major = 1\n",
            "major = 1\ndeprecated_at = 2027-01-01T00:00:00Z\nsunset_at = 2026-06-01T00:00:00Z\n",
        ),
        ["$.upstreams[0].sunset_at", "before deprecated_at"],
    ),
    (
        "upstream without a document",
        GOOD + '\n[[upstreams]]\ncapability = "customer-master"\nmajor = 3\nurl = "http://127.0.0.1:8201"\n',
        ["$.upstreams[5]", "customer-master.v3.json"],
    ),
    (
        "symmetric algorithm",
        GOOD.replace('audience = "revgate"', 'audience = "revgate"\nalgorithms = ["HS256"]'),
        ["$.identity", "'HS256'"],
    ),
    ("unreadable TOML", GOOD.replace("[rate_limit]", "[rate_limit"), ["not valid TOML"]),
]


@pytest.mark.parametrize(("case", "text", "says"), BAD_FILES, ids=[case for case, _, _ in BAD_FILES])
def test_a_bad_config_stops_the_gateway_naming_file_field_and_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, text: str, says: list[str]
) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(text)
    assert main(["gateway", "--config", str(path)]) != 0
    message = capsys.readouterr().err
    assert str(path) in message, message
    for words in says:
        assert words in message, message


def test_a_missing_config_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nowhere.toml"
    assert main(["gateway", "--config", str(path)]) != 0
    message = capsys.readouterr().err
    assert str(path) in message and "cannot read" in message, message


def test_a_document_without_an_upstream_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(
        GOOD.replace(
            '[[upstreams]]\ncapability = "customer-master"\nmajor = 1\nurl = "http://127.0.0.1:8201"\n', "", 1
        )
    )
    assert main(["gateway", "--config", str(path)]) != 0
    message = capsys.readouterr().err
    assert str(PACKAGED_CONTRACTS / "customer-master.v1.json") in message, message
    assert "no upstream" in message and "customer-master v1" in message, message


def test_a_bad_document_is_named_with_its_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contracts = tmp_path / "openapi"
    shutil.copytree(PACKAGED_CONTRACTS, contracts)
    document = contracts / "customer-master.v1.json"
    content = json.loads(document.read_text())
    del content["paths"]["/v1/customers"]["get"]["operationId"]
    document.write_text(json.dumps(content))
    path = tmp_path / "gateway.toml"
    path.write_text(f'[server]\ncontracts_dir = "{contracts}"\n' + GOOD)
    assert main(["gateway", "--config", str(path)]) != 0
    message = capsys.readouterr().err
    assert str(document) in message, message
    assert "$.paths['/v1/customers'].get.operationId: missing" in message, message


def test_revgate_gateway_exits_non_zero_printing_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("major = 1", 'major = "one"'))
    revgate = Path(sys.executable).with_name("revgate")
    command = [str(revgate)] if revgate.exists() else [sys.executable, "-m", "gateway.cli"]
    finished = subprocess.run(
        [*command, "gateway", "--config", str(path)], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert finished.returncode != 0
    assert f"{path}: $.upstreams[0].major: Expected `int`, got `str`" in finished.stderr, finished.stderr


def policy_of(gateway: GatewayProcess, token: str) -> str:
    answer = httpx.get(gateway.url + CUSTOMERS, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.headers["ratelimit-policy"]


def test_sighup_applies_a_good_config_and_refuses_a_bad_one(
    tmp_path: Path, identity: DevIdentityProvider, echo: EchoUpstream, token: Callable[..., str]
) -> None:
    gateway = GatewayProcess(tmp_path, "reloading")

    def write(limit_section: str) -> None:
        gateway.config.write_text(
            gateway_toml(identity, echo.url, gateway.port, gateway.admin_port, limit_section)
        )

    write(limits(100))
    with running(gateway):
        assert policy_of(gateway, token()) == '"standard";q=100;w=60'

        write(limits(50))
        gateway.reload()
        for _ in range(200):
            if policy_of(gateway, token()) == '"standard";q=50;w=60':
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"the new config was not applied: {gateway.log.read_text()}")

        write(limits(50).replace("limit = 50", 'limit = "many"'))
        gateway.reload()
        for _ in range(200):
            if "refused" in gateway.log.read_text():
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"the bad config was not reported: {gateway.log.read_text()}")
        log = gateway.log.read_text()
        assert str(gateway.config) in log and "limit" in log, log
        assert gateway.process is not None and gateway.process.poll() is None
        assert policy_of(gateway, token()) == '"standard";q=50;w=60'  # the previous config serves on


def test_readyz_waits_for_the_providers_keys(
    tmp_path: Path, identity: DevIdentityProvider, echo: EchoUpstream, token: Callable[..., str]
) -> None:
    with reserved_port() as keys_socket:
        jwks_url = f"http://127.0.0.1:{keys_socket.getsockname()[1]}/.well-known/jwks.json"
        gateway = GatewayProcess(tmp_path, "unready")
        text = gateway_toml(identity, echo.url, gateway.port, gateway.admin_port, limits(100))
        text = text.replace(
            f'jwks_url = "{identity.config.issuer}/.well-known/jwks.json"', f'jwks_url = "{jwks_url}"'
        )
        gateway.config.write_text(text.replace("[identity]\n", "[identity]\njwks_refresh_cooldown = 0.2\n"))
        try:
            gateway.start()
            for _ in range(400):  # until the admin listener answers at all
                try:
                    status = httpx.get(gateway.admin_url + "/readyz", timeout=1).status_code
                    break
                except httpx.HTTPError:
                    time.sleep(0.05)
            else:
                raise AssertionError(gateway.log.read_text())
            assert status == 503  # the provider's keys cannot be fetched yet
            assert httpx.get(gateway.admin_url + "/healthz", timeout=1).status_code == 200

            # The provider comes up; with no traffic at all, the gateway fetches the keys by itself.
            with serve_on(create_identity_provider_app(identity), keys_socket):
                gateway.wait_ready()
                assert policy_of(gateway, token()) == '"standard";q=100;w=60'
        finally:
            gateway.stop()


def test_the_example_config_loads_and_says_what_it_means() -> None:
    config = load_config(REPO / "deploy" / "gateway.example.toml")
    assert config.dev_identity_provider is None
    assert config.rate_limit.redis_url
    catalogue = Catalogue.build(config)  # every upstream has its document and every document an upstream
    v1, v2 = catalogue.majors["customer-master"][1], catalogue.majors["customer-master"][2]
    assert v1.upstream.url != v2.upstream.url
    assert [name for name, _ in v1.lifecycle_headers] == [b"deprecation", b"link", b"sunset"]
    limits = config.rate_limit
    assert limits.policy_for("someone", "customer-master:v2:listCustomers").name == "standard"
    assert limits.policy_for("someone", "customer-master:v2:createCustomer").name == "writes"
    assert limits.policy_for("billing-app", "customer-master:v2:listCustomers").name == "partner"
    assert limits.policy_for("billing-app", "customer-master:v2:createCustomer").name == "writes"
    operations = {
        f"{capability}:v{major}:{operation['operationId']}"
        for (capability, major), document in catalogue.documents.items()
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    # Overrides must name operations that exist, or they would silently never apply.
    assert set(limits.routes) <= operations
    assert {key for routes in limits.client_routes.values() for key in routes} <= operations
