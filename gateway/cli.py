"""``revgate``: run the embedded stack and work with it.

revgate up      start the sandboxes and the capability services on loopback; Ctrl-C stops them
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from gateway._processes import ProcessGroup
from gateway.config import ConfigError, GatewayConfig, load_config
from gateway.contract_guard.command import add_contracts_command
from gateway.contract_test.command import add_contract_test_command
from gateway.idp import print_token, run_identity_provider
from gateway.server import serve
from gateway.stack import DEV_CLIENTS, dev_client_secrets, embedded_stack


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def up(args: argparse.Namespace) -> int:
    components = embedded_stack(Path(args.state_dir), host=args.host)
    group = ProcessGroup(components)
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    try:
        group.start(args.host)
        group.wait_ready(args.host)
        print("\nrevgate is up:", flush=True)
        for component in components:
            print(f"  {component.name:<16} http://{args.host}:{component.port}", flush=True)
        secrets_by_client = dev_client_secrets(Path(args.state_dir))
        print(
            "\nDev clients (OAuth2 client credentials at the identity provider's /oauth2/token):", flush=True
        )
        for name, (scopes, _) in DEV_CLIENTS.items():
            print(f"  {name:<12} secret {secrets_by_client[name]}  scopes {' '.join(scopes)}", flush=True)
        print("\nCtrl-C stops everything.\n", flush=True)
        while (exited := group.first_exit()) is None:
            time.sleep(0.2)
        print(f"revgate: {exited[0].name} exited with status {exited[1]}; stopping", file=sys.stderr)
        return 1
    except _Stop:
        print("\nrevgate: stopping", flush=True)
        return 0
    except RuntimeError as error:
        print(f"revgate: {error}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        group.stop()


def _load(path: str) -> GatewayConfig:
    try:
        return load_config(path)
    except ConfigError as error:
        raise SystemExit(f"revgate: {error}") from None


def gateway(args: argparse.Namespace) -> int:
    try:
        serve(Path(args.config))
    except ConfigError as error:
        print(f"revgate: {error}", file=sys.stderr)
        return 2
    return 0


def identity_provider(args: argparse.Namespace) -> int:
    config = _load(args.config).dev_identity_provider
    if config is None:
        print(f"revgate: {args.config} has no [dev_identity_provider]", file=sys.stderr)
        return 2
    issuer = urlsplit(config.issuer)
    run_identity_provider(config, host=issuer.hostname or "127.0.0.1", port=issuer.port or 80)
    return 0


def token(args: argparse.Namespace) -> int:
    config = _load(args.config).dev_identity_provider
    if config is None:
        print(f"revgate: {args.config} has no [dev_identity_provider]", file=sys.stderr)
        return 2
    return print_token(config, args.client, args.scope or None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="revgate", description="revgate: the revenue-lifecycle integration layer"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up_parser = commands.add_parser("up", help="run the embedded stack in the foreground")
    up_parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: loopback)")
    up_parser.add_argument("--state-dir", default=".revgate", help="where generated keys are kept")
    up_parser.set_defaults(run=up)
    gateway_parser = commands.add_parser("gateway", help="run the gateway")
    gateway_parser.add_argument("--config", required=True, help="gateway TOML file")
    gateway_parser.set_defaults(run=gateway)
    idp_parser = commands.add_parser("idp", help="run the dev identity provider")
    idp_parser.add_argument("--config", default=".revgate/gateway.toml", help="gateway TOML file")
    idp_parser.set_defaults(run=identity_provider)
    token_parser = commands.add_parser("token", help="print an access token of a dev client")
    token_parser.add_argument("--client", required=True, help="client id in [dev_identity_provider]")
    token_parser.add_argument("--scope", action="append", help="ask for fewer scopes (repeatable)")
    token_parser.add_argument("--config", default=".revgate/gateway.toml", help="gateway TOML file")
    token_parser.set_defaults(run=token)
    add_contracts_command(commands)
    add_contract_test_command(commands)
    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
