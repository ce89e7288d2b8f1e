"""The ERP port (:class:`services.ports.EnterpriseResourcePlanning`) over NetSuite REST web services.

Authentication is OAuth 2.0 client credentials with a certificate-signed client assertion
(PS256/ES256); customers are upserted by external id (revgate's customer id); legal entities
are NetSuite subsidiaries keyed by their external id.
"""

from services.adapters.netsuite._config import NetSuiteConfig
from services.adapters.netsuite._erp import NetSuiteERP
from services.adapters.netsuite._errors import translate
from services.adapters.netsuite._reference import TAX_SCHEMES, TERM_NAMES

__all__ = ["TAX_SCHEMES", "TERM_NAMES", "NetSuiteConfig", "NetSuiteERP", "translate"]
