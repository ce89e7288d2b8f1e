"""``python -m services.host CAPABILITY=PORT ...``: serve capability apps in one process.

The apps share one set of vendor adapters and one workflow store. In production each capability
usually runs in processes of its own, sharing Redis (``REVGATE_STORE_URL``); the embedded default
(``revgate up``) hosts the quote-to-cash capabilities together, because without Redis the store
lives in process memory and they must see the same one.

Besides the vendor variables of :mod:`services.settings`:

=================================== =============================================================
variable                            meaning
=================================== =============================================================
``REVGATE_STORE_URL``               ``redis://...`` for the workflow store; unset: process memory
``REVGATE_STORE_PREFIX``            prefix of its Redis keys (default ``revgate:wf:``)
``REVGATE_WORKFLOW_<FIELD>``        a :class:`services.workflow.RunPolicy` field, e.g.
                                    ``REVGATE_WORKFLOW_STALL_RETRY=60``
``REVGATE_CALLOUT_USERNAME``        HTTP Basic credentials Zuora's payment callouts must carry
``REVGATE_CALLOUT_PASSWORD``        (no callouts are taken when unset)
=================================== =============================================================
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import msgspec
from litestar import Litestar

from services.adapters.netsuite import NetSuiteERP
from services.adapters.salesforce import SalesforceCRM
from services.adapters.zuora import ZuoraBilling
from services.billing_status.app import create_app as billing_status_app
from services.billing_status.desk import BillingDesk, CalloutCredentials
from services.contract_updates.app import create_app as contract_updates_app
from services.contract_updates.desk import AmendmentDesk
from services.customer_master.app import create_app as customer_master_app
from services.customer_master.master import CustomerMaster
from services.order_submission.app import create_app as order_submission_app
from services.order_submission.desk import OrderDesk
from services.quote_to_cash import SystemsOfRecord
from services.runtime.serve import serve_many
from services.settings import SettingsError, VendorSettings
from services.workflow import MemoryWorkflowStore, RedisWorkflowStore, RunPolicy, WorkflowStore

CAPABILITIES = ("customer-master", "order-submission", "contract-updates", "billing-status")


class Host:
    """The adapters and the store the hosted apps share, and how to close them."""

    def __init__(
        self,
        settings: VendorSettings,
        store: WorkflowStore,
        policy: RunPolicy | None = None,
        callouts: CalloutCredentials | None = None,
    ) -> None:
        self.store = store
        self.policy = policy
        self.callouts = callouts
        self.crm = SalesforceCRM(settings.salesforce)
        self.billing = ZuoraBilling(settings.zuora)
        self.erp = NetSuiteERP(settings.netsuite)
        self.systems = SystemsOfRecord(
            accounts=self.crm,
            deals=self.crm,
            billing_accounts=self.billing,
            billing=self.billing,
            erp_customers=self.erp,
            erp=self.erp,
        )
        self._closed = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Host:
        """The host the ``REVGATE_*`` variables describe (see the module docstring)."""
        url = environ.get("REVGATE_STORE_URL")
        prefix = environ.get("REVGATE_STORE_PREFIX", "revgate:wf:")
        store: WorkflowStore = RedisWorkflowStore.from_url(url, prefix) if url else MemoryWorkflowStore()
        user, password = environ.get("REVGATE_CALLOUT_USERNAME"), environ.get("REVGATE_CALLOUT_PASSWORD")
        callouts = CalloutCredentials(user, password) if user and password else None
        return cls(VendorSettings.from_env(environ), store, policy_from_env(environ), callouts)

    async def aclose(self) -> None:
        """Close what the apps share, once (every app's shutdown calls it)."""
        if not self._closed:
            self._closed = True
            await self.crm.aclose()
            await self.billing.aclose()
            await self.erp.aclose()
            await self.store.aclose()

    def app(self, capability: str) -> Litestar:
        closing: list[Callable[[], Awaitable[Any]]] = [self.aclose]
        if capability == "customer-master":
            return customer_master_app(CustomerMaster(self.crm, self.billing, self.erp), on_shutdown=closing)
        if capability == "order-submission":
            return order_submission_app(OrderDesk(self.systems, self.store, self.policy), on_shutdown=closing)
        if capability == "contract-updates":
            return contract_updates_app(
                AmendmentDesk(self.systems, self.store, self.policy), on_shutdown=closing
            )
        if capability == "billing-status":
            return billing_status_app(
                BillingDesk(self.systems, self.store, self.callouts), on_shutdown=closing
            )
        raise ValueError(f"unknown capability {capability!r}; choose from {', '.join(CAPABILITIES)}")


def policy_from_env(environ: Mapping[str, str]) -> RunPolicy:
    prefix = "REVGATE_WORKFLOW_"
    values = {k[len(prefix) :].lower(): v for k, v in environ.items() if k.startswith(prefix)}
    try:
        return msgspec.convert(values, RunPolicy, strict=False)
    except msgspec.ValidationError as error:
        raise SettingsError(f"{prefix}*: {error}") from error


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.host", description=__doc__)
    parser.add_argument(
        "apps", nargs="+", metavar="CAPABILITY=PORT", help=f"one of {', '.join(CAPABILITIES)}"
    )
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    try:
        wanted = [(name, int(port)) for name, _, port in (a.partition("=") for a in args.apps)]
        host = Host.from_env(os.environ)
        apps = [(host.app(name), port) for name, port in wanted]
    except (SettingsError, ValueError) as error:
        sys.exit(f"services.host: {error}")
    serve_many(apps, host=args.host, name="+".join(name for name, _ in wanted))


if __name__ == "__main__":
    main()
