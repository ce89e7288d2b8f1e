"""``python -m services.openapi_export [--check]``: write (or check) ``contracts/openapi/*.json``.

The documents are generated from the service apps; the gateway and consumers read the
committed copies, so a change to a service's contract shows up in review as a diff here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.billing_status import app as billing_status
from services.contract_updates import app as contract_updates
from services.customer_master import app as customer_master
from services.order_submission import app as order_submission
from services.runtime.openapi import render

OPENAPI_DIR = Path(__file__).resolve().parent.parent / "contracts" / "openapi"

#: capability name -> its documents by major
CAPABILITIES: dict[str, Callable[[], dict[int, dict[str, Any]]]] = {
    customer_master.CAPABILITY: customer_master.openapi_documents,
    order_submission.CAPABILITY: order_submission.openapi_documents,
    contract_updates.CAPABILITY: contract_updates.openapi_documents,
    billing_status.CAPABILITY: billing_status.openapi_documents,
}


def generated() -> dict[str, str]:
    """File name -> text of every document, as the code generates it now."""
    return {
        f"{name}.v{major}.json": render(doc)
        for name, documents in CAPABILITIES.items()
        for major, doc in documents().items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.openapi_export", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a committed document differs")
    args = parser.parse_args()
    stale = []
    for name, text in generated().items():
        path = OPENAPI_DIR / name
        if path.exists() and path.read_text() == text:
            continue
        stale.append(name)
        if not args.check:
            path.write_text(text)
    if args.check and stale:
        sys.exit(f"out of date: {', '.join(stale)}; run python -m services.openapi_export")
    print(("stale: " if args.check else "written: ") + (", ".join(stale) or "none"))


if __name__ == "__main__":
    main()
