"""``python -m services.sandbox {salesforce|zuora|netsuite} [--host H] [--port N]``"""

from __future__ import annotations

import argparse
import importlib
import os

from services.runtime.serve import serve
from services.sandbox._kernel import SandboxConfig

VENDORS = ("salesforce", "zuora", "netsuite")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.sandbox", description=__doc__)
    parser.add_argument("vendor", choices=VENDORS)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    module = importlib.import_module(f"services.sandbox.{args.vendor}")
    app = module.create_app(SandboxConfig.from_env(dict(os.environ)))
    serve(app, host=args.host, port=args.port, name=f"sandbox-{args.vendor}")


if __name__ == "__main__":
    main()
