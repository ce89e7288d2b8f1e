"""Salesforce sandbox: the REST API of one org (OAuth client credentials, sObjects, upsert, SOQL).

``create_app(config)`` answers a Litestar app. Paths, status codes, error arrays and headers
(``Sforce-Limit-Info``) follow Salesforce's REST API. The org holds ``Account``, ``Product2``,
``Pricebook2``, ``PricebookEntry``, ``Opportunity`` and ``OpportunityLineItem`` with the fields of
the revgate managed package (``Revgate_*__c``), and Salesforce's own behaviour around them (stage
flags, the Amount roll-up, price book integrity: ``_sales_rules``). SOQL reaches parent fields
through relationships (``SELECT Product2.IsActive FROM OpportunityLineItem``). Other sObject
types are one :class:`SObjectSchema` away (see ``_objects.default_registry``).

The seed holds the demo deal of :mod:`services.sandbox._demo`: the Account ``ACCOUNT_CRM_ID``,
the Closed Won Opportunity ``OPPORTUNITY_CRM_ID`` and the open :data:`OPEN_OPPORTUNITY_CRM_ID`.
"""

from services.sandbox.salesforce._app import create_app
from services.sandbox.salesforce._ids import case_safe_suffix, normalize_id
from services.sandbox.salesforce._objects import ACCOUNT, STAGES, default_registry
from services.sandbox.salesforce._org import SalesforceFaultShapes, SalesforceOrg
from services.sandbox.salesforce._schema import FieldSpec, FieldType, SchemaRegistry, SObjectSchema
from services.sandbox.salesforce._seed_demo import (
    OPEN_OPPORTUNITY_CRM_ID,
    OPEN_OPPORTUNITY_NAME,
    STANDARD_PRICE_BOOK,
)

__all__ = [
    "ACCOUNT",
    "OPEN_OPPORTUNITY_CRM_ID",
    "OPEN_OPPORTUNITY_NAME",
    "STAGES",
    "STANDARD_PRICE_BOOK",
    "FieldSpec",
    "FieldType",
    "SObjectSchema",
    "SalesforceFaultShapes",
    "SalesforceOrg",
    "SchemaRegistry",
    "case_safe_suffix",
    "create_app",
    "default_registry",
    "normalize_id",
]
