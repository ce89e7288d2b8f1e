"""A NetSuite SuiteTalk REST web services simulator (token endpoint and record service).

Serves ``/services/rest/...`` at its root, as ``https://{accountId}.suitetalk.api.netsuite.com``
does, plus the shared ``/__sandbox`` controls. Build it with :func:`create_app`.
"""

from services.sandbox.netsuite._app import TOKEN_PATH, NetSuiteSandbox, create_app
from services.sandbox.netsuite._errors import NetSuiteFaultShapes
from services.sandbox.netsuite._records import TAX_NUMBER_FORMATS
from services.sandbox.netsuite._seed import SEED_CUSTOMERS

__all__ = [
    "SEED_CUSTOMERS",
    "TAX_NUMBER_FORMATS",
    "TOKEN_PATH",
    "NetSuiteFaultShapes",
    "NetSuiteSandbox",
    "create_app",
]
