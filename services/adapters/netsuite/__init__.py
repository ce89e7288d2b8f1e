"""The ERP ports over NetSuite REST web services: :class:`services.ports.EnterpriseResourcePlanning`
and :class:`services.quote_to_cash.SalesOrderBook`.

Authentication is OAuth 2.0 client credentials with a certificate-signed client assertion
(PS256/ES256); customers are upserted by external id (revgate's customer id); legal entities
are NetSuite subsidiaries keyed by their external id. Sales orders are upserted by revgate's
order id (their external id); invoices and payments are found by filtering on the customer.
"""

from services.adapters.netsuite._config import NetSuiteConfig
from services.adapters.netsuite._erp import NetSuiteERP
from services.adapters.netsuite._errors import translate
from services.adapters.netsuite._reference import TAX_SCHEMES, TERM_NAMES

__all__ = ["TAX_SCHEMES", "TERM_NAMES", "NetSuiteConfig", "NetSuiteERP", "translate"]
