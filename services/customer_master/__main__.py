"""``python -m services.customer_master [--host H] [--port N]``: the service over the vendors named in
``REVGATE_*`` variables (see :mod:`services.settings`)."""

from __future__ import annotations

import argparse
import os
import sys

from litestar import Litestar

from services.adapters.netsuite import NetSuiteERP
from services.adapters.salesforce import SalesforceCRM
from services.adapters.zuora import ZuoraBilling
from services.customer_master.app import create_app
from services.customer_master.master import CustomerMaster
from services.runtime.serve import serve
from services.settings import SettingsError, VendorSettings


def app_from_settings(settings: VendorSettings) -> Litestar:
    crm, billing, erp = (
        SalesforceCRM(settings.salesforce),
        ZuoraBilling(settings.zuora),
        NetSuiteERP(settings.netsuite),
    )
    return create_app(CustomerMaster(crm, billing, erp), on_shutdown=[crm.aclose, billing.aclose, erp.aclose])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.customer_master", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8201)
    args = parser.parse_args()
    try:
        settings = VendorSettings.from_env(os.environ)
    except SettingsError as error:
        sys.exit(f"customer-master: {error}")
    serve(app_from_settings(settings), host=args.host, port=args.port, name="customer-master")


if __name__ == "__main__":
    main()
