"""The Zuora adapter: :class:`services.ports.SubscriptionBilling` and
:class:`services.quote_to_cash.SubscriptionOrders` over Zuora's v1 REST API.

``ZuoraBilling(ZuoraConfig(base_url=..., client_id=..., client_secret=...))`` gets OAuth tokens
with the client-credentials grant, sends the correlation id as ``Zuora-Track-Id``, and reads
every answer for Zuora's ``success: false`` inside HTTP 200 (see ``_errors``). Close it with
``aclose()``.
"""

from services.adapters.zuora._billing import ZuoraBilling
from services.adapters.zuora._config import ZuoraConfig

__all__ = ["ZuoraBilling", "ZuoraConfig"]
