"""A NetSuite SuiteTalk REST web services simulator (token endpoint and record service).

Serves ``/services/rest/...`` at its root, as ``https://{accountId}.suitetalk.api.netsuite.com``
does, plus the shared ``/__sandbox`` controls. Build it with :func:`create_app`.

Records: ``customer`` and its reference types (``subsidiary``, ``currency``, ``term``); for
quote-to-cash ``serviceSaleItem``, ``billingSchedule``, ``salesOrder``, ``invoice`` (made by
``POST /salesOrder/{id}/!transform/invoice``) and ``customerPayment``. Collections filter with
``?q=`` (``entity ANY_OF [107]``). The demo customer and catalog of :mod:`services.sandbox._demo`
are seeded.
"""

from services.sandbox.netsuite._app import TOKEN_PATH, NetSuiteSandbox, create_app
from services.sandbox.netsuite._errors import NetSuiteFaultShapes
from services.sandbox.netsuite._records import TAX_NUMBER_FORMATS
from services.sandbox.netsuite._seed import BILLING_SCHEDULES, SEED_CUSTOMERS

__all__ = [
    "BILLING_SCHEDULES",
    "SEED_CUSTOMERS",
    "TAX_NUMBER_FORMATS",
    "TOKEN_PATH",
    "NetSuiteFaultShapes",
    "NetSuiteSandbox",
    "create_app",
]
