"""A Zuora (v1 REST API) simulator: OAuth, accounts, catalog, orders, subscriptions, billing, payments.

Routes: ``POST /oauth/token`` (form client-credentials grant), ``POST /v1/accounts``,
``GET|PUT /v1/accounts/{account-key}`` (account number or id);
``GET /v1/catalog/products`` (:mod:`._catalog`);
``POST /v1/orders``, ``GET /v1/orders/{orderNumber}``,
``GET /v1/orders/subscriptionNumber/{subscriptionNumber}`` (:mod:`._orders`);
``GET /v1/subscriptions/{subscription-key}``, ``GET /v1/subscriptions/accounts/{account-key}``
(:mod:`._subscriptions`); ``POST /v1/bill-runs``, ``GET /v1/bill-runs/{key}`` (:mod:`._bill_runs`);
``GET /v1/transactions/invoices/accounts/{account-key}``,
``GET /v1/transactions/payments/accounts/{account-key}`` (:mod:`._transactions`);
``POST /v1/payment-methods``, ``POST /v1/payment-runs``, ``GET /v1/payment-runs/{key}``
(:mod:`._payments`, with the test card that declines); the ``/__sandbox`` controls of
:mod:`services.sandbox._kernel` and the Zuora ones of :mod:`._controls` (callouts, idempotency keys).
Billing periods and proration: :mod:`._calendar`. The demo data: :mod:`._seed`.

**Zuora's trap, reproduced on purpose.** The v1 CRUD actions answer business and validation
failures with **HTTP 200** and a body ``{"success": false, "processId", "reasons": [{"code",
"message"}], "requestId"}``: a missing required field (category 22), an unknown field (21),
an invalid value such as a currency not enabled or an unknown payment term (20), a rule
such as an unchangeable currency (30), an unknown account key (40, code ``50000040``), a
duplicate account number (50). A client must read ``success`` in every 2xx body. Only the
layers around the actions use HTTP statuses: a missing, unknown or expired bearer token is
401 ``{"message": "Authentication error"}``; an invalid ``Zuora-Track-Id`` or a body that is
not JSON 400; an unknown route 404 and a wrong method 405 (both in the reasons shape);
idempotency conflicts 409 (in progress) and 422 (mismatch); throttling 429 with
``Retry-After`` and ``RateLimit-*`` headers; outages 503 and failures 500.

A reason code is a 6-digit resource code plus a 2-digit category (10 permission,
11 authentication, 20 invalid value, 21 unknown field, 22 missing required, 30 rule
restriction, 40 not found, 50 locking contention, 60 internal, 61 temporary, 70 limit
exceeded, 90 malformed).

Every answer carries a fresh ``Zuora-Request-Id`` (a UUID, also the ``requestId`` of error
bodies) and echoes ``Zuora-Track-Id`` when one was sent. ``Idempotency-Key`` on POST and
PATCH follows :mod:`services.sandbox.zuora._idempotency`.

Deliberate simplifications: only the account fields revgate uses are known (others are
refused as unknown, category 21, where real Zuora knows many more); countries are the
common ones in :mod:`services.sandbox.zuora._countries`, answered by name as Zuora does.
"""

from services.sandbox.zuora._app import create_app
from services.sandbox.zuora._catalog import CatalogIds, catalog_ids
from services.sandbox.zuora._errors import Category, ZuoraFaultShapes
from services.sandbox.zuora._payments import DECLINING_CARD
from services.sandbox.zuora._seed import DEMO_ACCOUNT_ID, DEMO_PAYMENT_METHOD_ID
from services.sandbox.zuora._store import ZuoraTenant

__all__ = [
    "DECLINING_CARD",
    "DEMO_ACCOUNT_ID",
    "DEMO_PAYMENT_METHOD_ID",
    "CatalogIds",
    "Category",
    "ZuoraFaultShapes",
    "ZuoraTenant",
    "catalog_ids",
    "create_app",
]
