"""Salesforce sandbox: the REST API of one org (OAuth client credentials, sObjects, upsert, SOQL).

``create_app(config)`` answers a Litestar app. Paths, status codes, error arrays and headers
(``Sforce-Limit-Info``) follow Salesforce's REST API; ``Account`` is registered with the fields
of the revgate managed package (``Revgate_Id__c``, ``Revgate_Match_Key__c``). Other sObject
types are one :class:`SObjectSchema` away (see ``_schema.default_registry``).
"""

from services.sandbox.salesforce._app import create_app
from services.sandbox.salesforce._ids import case_safe_suffix, normalize_id
from services.sandbox.salesforce._org import SalesforceFaultShapes, SalesforceOrg
from services.sandbox.salesforce._schema import (
    ACCOUNT,
    FieldSpec,
    FieldType,
    SchemaRegistry,
    SObjectSchema,
    default_registry,
)

__all__ = [
    "ACCOUNT",
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
