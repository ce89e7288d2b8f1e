"""The gateway against nginx, on loopback: requests/s and latency for a small GET and a ~1 KB POST.

Run: ``make bench`` (or ``.venv/bin/python -m bench.gateway_vs_nginx --help`` for the knobs).
Needs nginx, wrk and taskset on the PATH and Redis at 127.0.0.1:6379; on Debian/Ubuntu
``apt-get install nginx-light wrk redis-server`` (taskset is in util-linux). Not run in CI:
the figures belong to the machine; docs/performance.md has ours.

What it starts, each in its own process group, all stopped on the way out (also on Ctrl-C/SIGTERM):

* the upstream: nginx answering a fixed customer record (200 for GET, 201 for POST, request
  body read and discarded). nginx rather than a Python app because on a small machine every
  cycle the upstream burns is taken from the proxy under test; nginx's ``return`` costs a few
  µs per request, so the upstream is never the bottleneck (``upstream`` in the table shows
  its ceiling, with wrk on the same core).
* the dev identity provider (``revgate idp``), from which the benchmark gets its token
  (client credentials) and the gateway its keys.
* ONE gateway worker (``revgate gateway``, the production entry point) with the full chain:
  JWT verification (ES256, verified tokens cached as in production), the Redis rate limiter
  against 127.0.0.1:6379 (a policy far too large to deny anything, so every request runs the
  Lua script), body validation against the customer-master v2 create schema, the access log
  (to a file; ``--no-access-log`` switches it off to show what it costs), metrics.
* nginx as a plain keep-alive reverse proxy in front of the same upstream, with ONE worker
  process (nginx with one worker is one core, as is one gateway worker) and its access log on.

wrk then loads each of {nginx, gateway, upstream} in turn, ``--rounds`` times (interleaved, so
that a noisy neighbour spreads over all three), with the same connections and duration for all.
With ``--pin`` (the default when the machine has 2+ cores) the proxy under test runs on CPU 0
and everything else (wrk, the upstream, the identity provider) on CPU 1, so each proxy gets
one whole core. Any non-2xx answer or socket error makes the run fail: a fast 401 is not
throughput.

The last line is ``gateway/nginx = 0.NN``: the lower of the GET and POST requests/s ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Final

import httpx
import redis

from gateway._build import request_path_compiled
from gateway.idp import hash_secret

CUSTOMER_ID: Final = "cus_01JD8Z6Q3W9R2N7M4K5H6G7F8E"
#: What the upstream answers, shaped like customer-master's Customer.
CUSTOMER: Final = {
    "id": CUSTOMER_ID,
    "name": "Acme Rockets Ltd",
    "legalEntity": "GB01",
    "currency": "GBP",
    "billTo": {"lines": ["1 Canada Square"], "city": "London", "country": "GB", "postalCode": "E14 5AB"},
    "paymentTerms": "NET30",
    "billCycleDay": 1,
    "autoPay": False,
    "taxRegistrations": [{"country": "GB", "scheme": "VAT", "number": "GB123456789"}],
    "externalIds": [{"system": "salesforce", "id": "0015g00000XyZabAAB"}],
}
#: A valid customer-master v2 create body of about 1 KB (every optional field used).
CREATE_BODY: Final = {
    "name": "Acme Rockets and Propulsion Systems International Holdings Ltd",
    "legalEntity": "GB01",
    "currency": "GBP",
    "billTo": {
        "lines": ["Level 39, One Canada Square", "Canary Wharf", "Attn: Accounts Payable (Rockets)"],
        "city": "London",
        "region": "Greater London",
        "postalCode": "E14 5AB",
        "country": "GB",
    },
    "soldTo": {
        "lines": ["Unit 4, Propulsion Park", "Westcott Venture Park", "Attn: Procurement"],
        "city": "Aylesbury",
        "region": "Buckinghamshire",
        "postalCode": "HP18 0XB",
        "country": "GB",
    },
    "billingContact": {
        "firstName": "Margaret",
        "lastName": "Hamilton-Fairweather",
        "email": "ap@acme.example",
    },
    "paymentTerms": "NET45",
    "billCycleDay": 15,
    "autoPay": True,
    "industry": "Aerospace and defence manufacturing",
    "parentId": "cus_01JD8Z6Q3W9R2N7M4K5H6G7F8F",
    "taxRegistrations": [
        {"country": "GB", "scheme": "VAT", "number": "GB123456789"},
        {"country": "AU", "scheme": "ABN", "number": "51824753556"},
        {"country": "US", "scheme": "EIN", "number": "12-3456789"},
        {"country": "NZ", "scheme": "GST", "number": "123-456-789"},
        {"country": "IE", "scheme": "VAT", "number": "IE1234567T"},
    ],
}
CLIENT_ID: Final = "bench"
TARGETS: Final = ("nginx", "gateway", "upstream")


@dataclass(frozen=True)
class Load:
    """One kind of request: what wrk sends, and the status that proves it went all the way."""

    name: str
    method: str
    path: str
    """Public path (nginx and the gateway); the upstream gets it without ``/customer-master``."""
    body: bytes = b""
    status: int = 200


LOADS: Final = (
    Load("GET", "GET", f"/customer-master/v2/customers/{CUSTOMER_ID}"),
    Load(
        "POST",
        "POST",
        "/customer-master/v2/customers",
        json.dumps(CREATE_BODY, separators=(",", ":")).encode(),
        201,
    ),
)


@dataclass(frozen=True)
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float


@dataclass
class Ports:
    upstream: int
    nginx: int
    gateway: int
    admin: int
    identity: int

    @classmethod
    def free(cls) -> Ports:
        sockets = [socket.socket() for _ in range(5)]
        try:
            for s in sockets:
                s.bind(("127.0.0.1", 0))
            return cls(*(s.getsockname()[1] for s in sockets))
        finally:
            for s in sockets:
                s.close()


class _Stop(Exception):
    """SIGTERM or SIGHUP: stop everything, as Ctrl-C does."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


@dataclass
class Processes:
    """The children of one benchmark; each in its own session, so that stopping one stops its workers."""

    pin: bool
    children: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(
        self, name: str, argv: Sequence[str], *, cpu: int | None, out: IO[bytes] | int = subprocess.DEVNULL
    ) -> subprocess.Popen[bytes]:
        if self.pin and cpu is not None:
            argv = ["taskset", "-c", str(cpu), *argv]
        child = subprocess.Popen(  # noqa: S603 - our own command lines
            argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.children.append((name, child))
        return child

    def check_alive(self) -> None:
        for name, child in self.children:
            if child.poll() is not None:
                raise RuntimeError(f"{name} exited with status {child.returncode}")

    def stop(self, child: subprocess.Popen[bytes], grace: float = 10.0) -> None:
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)  # its own group: nginx's workers go with it
            try:
                child.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        self.children = [(n, c) for n, c in self.children if c is not child]

    def stop_all(self) -> None:
        for _, child in reversed(list(self.children)):
            self.stop(child)


def wait_ready(url: str, processes: Processes, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        processes.check_alive()
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:  # noqa: S310 - loopback URL we made
                if answer.status < 300:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing ready at {url} after {timeout:.0f}s")
        time.sleep(0.1)


def upstream_conf(work: Path, port: int) -> str:
    customer = json.dumps(CUSTOMER, separators=(",", ":"))
    return f"""
worker_processes 1;
pid {work}/upstream.pid;
error_log {work}/upstream-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 10000000;
    client_body_temp_path {work}/upstream-body;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        default_type application/json;
        location /v2/customers {{
            if ($request_method = POST) {{
                add_header Location /v2/customers/{CUSTOMER_ID};
                return 201 '{customer}';
            }}
            return 200 '{customer}';
        }}
    }}
}}
"""


def nginx_proxy_conf(work: Path, port: int, upstream_port: int) -> str:
    return f"""
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {work}/nginx-access.log;
    keepalive_requests 10000000;
    client_body_temp_path {work}/nginx-body;
    proxy_temp_path {work}/nginx-proxy;
    upstream customer_master {{
        server 127.0.0.1:{upstream_port};
        keepalive 256;
    }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location /customer-master/ {{
            proxy_pass http://customer_master/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""


def gateway_toml(work: Path, ports: Ports, secret: str, key_prefix: str, access_log: bool) -> str:
    issuer = f"http://127.0.0.1:{ports.identity}"
    return f"""
[server]
host = "127.0.0.1"
port = {ports.gateway}
admin_host = "127.0.0.1"
admin_port = {ports.admin}
access_log = {"true" if access_log else "false"}

[identity]
issuer = "{issuer}"
audience = "revgate"
jwks_url = "{issuer}/.well-known/jwks.json"

[dev_identity_provider]
issuer = "{issuer}"
audience = "revgate"
token_ttl = 86400
state_dir = "{work}/idp"

[[dev_identity_provider.clients]]
client_id = "{CLIENT_ID}"
secret_hash = "{hash_secret(secret)}"
scopes = ["customers:read", "customers:write"]

[rate_limit]
redis_url = "redis://127.0.0.1:6379/0"
key_prefix = "{key_prefix}"
default_policy = "bench"

[rate_limit.policies.bench]
# 100 million per hour: one request uses 36 µs of the bucket, which holds an hour. Never denies,
# so every request runs the whole check in Redis.
limit = 100000000
window = 3600

[[upstreams]]  # every packaged document needs an upstream; only v2 is loaded
capability = "customer-master"
major = 1
url = "http://127.0.0.1:{ports.upstream}"

[[upstreams]]
capability = "customer-master"
major = 2
url = "http://127.0.0.1:{ports.upstream}"

[[upstreams]]
capability = "order-submission"
major = 1
url = "http://127.0.0.1:{ports.upstream}"

[[upstreams]]
capability = "contract-updates"
major = 1
url = "http://127.0.0.1:{ports.upstream}"

[[upstreams]]
capability = "billing-status"
major = 1
url = "http://127.0.0.1:{ports.upstream}"
"""


def wrk_script(load: Load, token: str) -> str:
    lines = [f'wrk.method = "{load.method}"', f'wrk.headers["Authorization"] = "Bearer {token}"']
    if load.body:
        lines += [
            'wrk.headers["Content-Type"] = "application/json"',
            f"wrk.body = [==[{load.body.decode()}]==]",
        ]
    lines.append("""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
""")
    return "\n".join(lines)


@dataclass
class Bench:
    args: argparse.Namespace
    work: Path
    processes: Processes
    ports: Ports = field(default_factory=Ports.free)
    token: str = ""
    key_prefix: str = field(default_factory=lambda: f"revgate:bench:{secrets.token_hex(4)}:")

    def url(self, target: str, load: Load) -> str:
        if target == "upstream":
            return f"http://127.0.0.1:{self.ports.upstream}{load.path.removeprefix('/customer-master')}"
        port = self.ports.nginx if target == "nginx" else self.ports.gateway
        return f"http://127.0.0.1:{port}{load.path}"

    def start(self) -> None:
        work, ports, p = self.work, self.ports, self.processes
        nginx = self.args.nginx
        for name, conf in (
            ("upstream", upstream_conf(work, ports.upstream)),
            ("nginx", nginx_proxy_conf(work, ports.nginx, ports.upstream)),
        ):
            (work / f"{name}.conf").write_text(conf)
            cpu = 1 if name == "upstream" else 0
            p.start(
                name, [nginx, "-p", str(work), "-c", str(work / f"{name}.conf"), "-g", "daemon off;"], cpu=cpu
            )
        secret = secrets.token_urlsafe(24)
        config = work / "gateway.toml"
        config.write_text(gateway_toml(work, ports, secret, self.key_prefix, not self.args.no_access_log))
        cli = [sys.executable, "-m", "gateway.cli"]
        p.start("identity provider", [*cli, "idp", "--config", str(config)], cpu=1)
        issuer = f"http://127.0.0.1:{ports.identity}"
        wait_ready(f"{issuer}/.well-known/openid-configuration", p)
        # The access log goes to a file, as it would go to a log shipper in production.
        with (work / "gateway-access.log").open("wb") as log:
            p.start("gateway", [*cli, "gateway", "--config", str(config)], cpu=0, out=log)
        wait_ready(f"http://127.0.0.1:{ports.admin}/readyz", p)
        answer = httpx.post(
            f"{issuer}/oauth2/token",
            data={"grant_type": "client_credentials", "scope": "customers:read customers:write"},
            auth=(CLIENT_ID, secret),
        )
        answer.raise_for_status()
        self.token = answer.json()["access_token"]
        self.check()

    def check(self) -> None:
        """Each target answers each load as it should, and the gateway really runs the whole chain."""
        auth = {"authorization": f"Bearer {self.token}"}
        scripts_before = _redis_script_calls()
        for load in LOADS:
            headers = {**auth, "content-type": "application/json"} if load.body else auth
            for target in TARGETS:
                answer = httpx.request(
                    load.method, self.url(target, load), headers=headers, content=load.body
                )
                if answer.status_code != load.status:
                    raise RuntimeError(
                        f"{target} answered {load.name} with {answer.status_code}: {answer.text}"
                    )
                if target == "gateway" and "ratelimit" not in answer.headers:
                    raise RuntimeError("the gateway answered without RateLimit headers: is the limiter on?")
        gateway = f"http://127.0.0.1:{self.ports.gateway}"
        # With a bucket this large the key expires a few µs after each request, so look for the calls.
        if _redis_script_calls() - scripts_before < len(LOADS):
            raise RuntimeError("the gateway's checks did not reach Redis")
        refused = {
            "no token": httpx.get(gateway + LOADS[0].path).status_code,
            "invalid body": httpx.post(
                gateway + LOADS[1].path, headers=auth, json={**CREATE_BODY, "currency": "pounds"}
            ).status_code,
        }
        if refused != {"no token": 401, "invalid body": 422}:
            raise RuntimeError(f"the gateway does not run the whole chain: {refused}")
        self.check_no_fallback()

    def check_no_fallback(self) -> None:
        """Every check went to Redis: the gateway's fallback counter is still zero."""
        url = f"http://127.0.0.1:{self.ports.admin}/metrics"
        with urllib.request.urlopen(url, timeout=5) as answer:
            metrics = answer.read().decode()
        for line in metrics.splitlines():
            if line.startswith("revgate_gateway_rate_limit_fallback_total ") and float(line.split()[1]):
                raise RuntimeError(f"the gateway fell back to its local limiter: {line}")

    def wrk(self, target: str, load: Load, duration: float) -> Run:
        script = self.work / f"{load.name}.lua"
        script.write_text(wrk_script(load, self.token))
        argv = [
            self.args.wrk, "-t", str(self.args.threads), "-c", str(self.args.connections),
            "-d", f"{duration:g}s", "--timeout", "10s", "-s", str(script), self.url(target, load),
        ]  # fmt: skip
        out = self.work / "wrk.out"
        with out.open("wb") as sink:
            child = self.processes.start("wrk", argv, cpu=1, out=sink)
            child.wait()
            self.processes.stop(child)
        text = out.read_text()
        line = next((x for x in text.splitlines() if x.startswith("WRK ")), None)
        if child.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed against {target}:\n{text}")
        result = json.loads(line[4:])
        if result["status_errors"] or result["socket_errors"]:
            raise RuntimeError(f"{target} {load.name}: errors under load: {result}\n{text}")
        self.processes.check_alive()
        if target == "gateway":
            self.check_no_fallback()
        return Run(
            result["requests"] / (result["duration_us"] / 1e6),
            result["p50_us"] / 1000,
            result["p99_us"] / 1000,
        )

    def clean_redis(self) -> None:
        with contextlib.suppress(redis.RedisError):
            client = redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2)
            for key in client.scan_iter(match=self.key_prefix + "*"):
                client.delete(key)
            client.close()


def _redis_script_calls() -> int:
    """Scripts Redis has run since it started (EVAL and EVALSHA)."""
    with contextlib.closing(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2)) as client:
        stats = client.info("commandstats")
    return sum(int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in ("eval", "evalsha"))


def median_run(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.requests_per_second for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
    )


def measure(bench: Bench) -> dict[tuple[str, str], list[Run]]:
    args = bench.args
    results: dict[tuple[str, str], list[Run]] = {(load.name, t): [] for load in LOADS for t in TARGETS}
    for load in LOADS:
        for target in TARGETS:  # warm-up: connections, pools, caches; not counted
            bench.wrk(target, load, args.warmup)
    print(f"\n{'round':>5}  {'request':<7} {'target':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for number in range(1, args.rounds + 1):
        for load in LOADS:
            for target in TARGETS:
                run = bench.wrk(target, load, args.duration)
                results[(load.name, target)].append(run)
                print(
                    f"{number:>5}  {load.name:<7} {target:<9} {run.requests_per_second:>9.0f} "
                    f"{run.p50_ms:>8.2f} {run.p99_ms:>8.2f}",
                    flush=True,
                )
    return results


def report(results: dict[tuple[str, str], list[Run]]) -> float:
    print(f"\nmedian of rounds\n{'request':<7} {'target':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    ratios = []
    for load in LOADS:
        medians = {t: median_run(results[(load.name, t)]) for t in TARGETS}
        for target, run in medians.items():
            print(
                f"{load.name:<7} {target:<9} {run.requests_per_second:>9.0f} "
                f"{run.p50_ms:>8.2f} {run.p99_ms:>8.2f}"
            )
        gateway, nginx, upstream = medians["gateway"], medians["nginx"], medians["upstream"]
        ratio = gateway.requests_per_second / nginx.requests_per_second
        ratios.append(ratio)
        print(
            f"{load.name}: gateway/nginx req/s {ratio:.2f}, p99 {gateway.p99_ms / nginx.p99_ms:.2f}x; "
            f"gateway/upstream req/s {gateway.requests_per_second / upstream.requests_per_second:.2f}\n"
        )
    lowest = min(ratios)
    print(f"gateway/nginx = {lowest:.2f}")
    return lowest


def main(argv: list[str] | None = None) -> int:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(
        prog="python -m bench.gateway_vs_nginx", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of uncounted load first (default 3)")
    parser.add_argument(
        "--connections", type=int, default=64, help="wrk connections, all targets (default 64)"
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument(
        "--pin",
        action=argparse.BooleanOptionalAction,
        default=cores >= 2,
        help="proxy under test on CPU 0, the rest on CPU 1 (default: on with 2+ cores)",
    )
    parser.add_argument("--no-access-log", action="store_true", help="switch the gateway's access log off")
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx", help="nginx binary")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk", help="wrk binary")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (configs, logs)")
    args = parser.parse_args(argv)
    for tool in (args.nginx, args.wrk, *(["taskset"] if args.pin else [])):
        if shutil.which(tool) is None:
            parser.error(f"{tool} not found (apt-get install nginx-light wrk util-linux)")
    with contextlib.closing(socket.socket()) as probe:
        if probe.connect_ex(("127.0.0.1", 6379)) != 0:
            parser.error("no Redis at 127.0.0.1:6379 (redis-server --daemonize yes)")

    work = Path(tempfile.mkdtemp(prefix="revgate-bench-"))
    processes = Processes(pin=args.pin)
    bench = Bench(args, work, processes)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_stop)
    print(
        f"{cores} CPUs; pinned: {args.pin}; wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s; "
        f"{args.rounds} rounds; gateway access log {'off' if args.no_access_log else 'on'}; "
        f"request path {'compiled' if request_path_compiled() else 'INTERPRETED (run make install)'}; "
        f"POST body {len(LOADS[1].body)} bytes; work dir {work}",
        flush=True,
    )
    try:
        bench.start()
        report(measure(bench))
    except (KeyboardInterrupt, _Stop):
        print("\nstopped", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        processes.stop_all()
        bench.clean_redis()
        if args.keep:
            print(f"work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
