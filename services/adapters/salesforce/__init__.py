"""The Salesforce adapter: :class:`services.ports.CustomerRelationshipSystem` and the ``DealDesk`` of
:mod:`services.quote_to_cash` (opportunities with their products, revgate's write-backs) over the REST API.

``SalesforceCRM(SalesforceConfig(base_url=..., client_id=..., client_secret=...))`` gets tokens
with the client-credentials flow, sends data calls to the token's ``instance_url``, keys accounts
by the ``Revgate_Id__c`` external id (upsert) and finds them with escaped SOQL. Salesforce errors
become :mod:`services.adapters.errors` in ``_errors.translate_error``. Close it with ``aclose()``.
"""

from services.adapters.salesforce._config import SalesforceConfig
from services.adapters.salesforce._crm import SalesforceCRM
from services.adapters.salesforce._errors import translate_error
from services.adapters.salesforce._mapping import soql_like_prefix, soql_string

__all__ = ["SalesforceCRM", "SalesforceConfig", "soql_like_prefix", "soql_string", "translate_error"]
