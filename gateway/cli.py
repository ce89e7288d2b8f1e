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

from gateway._processes import ProcessGroup
from gateway.stack import embedded_stack


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
        group.start()
        group.wait_ready(args.host)
        print("\nrevgate is up:", flush=True)
        for component in components:
            print(f"  {component.name:<16} http://{args.host}:{component.port}", flush=True)
        print("Ctrl-C stops everything.\n", flush=True)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="revgate", description="revgate: the revenue-lifecycle integration layer"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up_parser = commands.add_parser("up", help="run the embedded stack in the foreground")
    up_parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: loopback)")
    up_parser.add_argument("--state-dir", default=".revgate", help="where generated keys are kept")
    up_parser.set_defaults(run=up)
    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
