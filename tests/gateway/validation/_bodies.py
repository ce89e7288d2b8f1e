"""The request-body schemas of the committed documents, and valid bodies for each operation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.gateway_vs_nginx import CREATE_BODY

DOCUMENTS = Path(__file__).resolve().parents[3] / "contracts" / "openapi"


@dataclass(frozen=True)
class RequestBody:
    """The JSON request-body schema of one operation of one document."""

    document: str
    method: str
    path: str
    schema: dict[str, Any]
    components: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.document}:{self.method.upper()} {self.path}"


def request_bodies() -> list[RequestBody]:
    found = []
    for path in sorted(DOCUMENTS.glob("*.json")):
        document = json.loads(path.read_text())
        for service_path, item in document["paths"].items():
            for method, op in item.items():
                if not isinstance(op, dict):
                    continue
                content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
                if "schema" in content:
                    components = document.get("components", {})
                    found.append(RequestBody(path.name, method, service_path, content["schema"], components))
    return found


_ADDRESS = {"lines": ["1 Canada Square"], "city": "London", "country": "GB"}
_V1_CUSTOMER = {
    "name": "Acme Rockets Ltd",
    "legalEntity": "GB01",
    "currency": "GBP",
    "billingStreet": "1 Canada Square\nCanary Wharf",
    "billingCity": "London",
    "billingCountry": "GB",
}
_ORDER: dict[str, Any] = {
    "customerId": "cus_01JD8Z6Q3W9R2N7M4K5H6G7F8E",
    "currency": "USD",
    "startDate": "2025-01-01",
    "termMonths": 12,
    "lines": [{"productCode": "RG-PLATFORM", "quantity": 25, "unitPrice": "1250.00"}],
}

#: Valid bodies per operation (``RequestBody.id``): a small one and a full one at least.
SEEDS: dict[str, list[Any]] = {
    "contract-updates.v1.json:POST /v1/amendments": [
        {"subscriptionNumber": "A-S00000001", "type": "renew"},
        {
            "subscriptionNumber": "A-S00000001",
            "type": "change-quantity",
            "quantity": 30,
            "productCode": "RG-PLATFORM",
            "effectiveDate": "2025-03-01",
        },
        {
            "subscriptionNumber": "A1",
            "type": "cancel",
            "quantity": None,
            "productCode": None,
            "effectiveDate": None,
        },
    ],
    "customer-master.v1.json:POST /v1/customers": [
        _V1_CUSTOMER,
        {
            **_V1_CUSTOMER,
            "billingEmail": "ap@acme.example",
            "billingPostalCode": "E14 5AB",
            "billingState": "Greater London",
            "industry": "Aerospace",
            "parentId": "cus_01JD8Z6Q3W9R2N7M4K5H6G7F8F",
            "paymentTerms": "NET45",
            "billCycleDay": 28,
            "autoPay": True,
            "taxId": "GB123456789",
        },
        {**_V1_CUSTOMER, "billingEmail": None, "parentId": None, "taxId": None, "industry": None},
    ],
    "customer-master.v1.json:PATCH /v1/customers/{customer_id}": [
        {},
        {"name": "Acme", "billCycleDay": 1, "billingEmail": "a@b.co", "paymentTerms": "DUE_ON_RECEIPT"},
        {"billingState": None, "autoPay": False},
    ],
    "customer-master.v2.json:POST /v2/customers": [
        CREATE_BODY,
        {"name": "Acme", "legalEntity": "US01", "currency": "USD", "billTo": _ADDRESS},
        {
            "name": "A",
            "legalEntity": "US01",
            "currency": "USD",
            "billTo": {**_ADDRESS, "postalCode": None, "region": None},
            "soldTo": None,
            "billingContact": None,
            "industry": None,
            "parentId": None,
            "taxRegistrations": [],
        },
    ],
    "customer-master.v2.json:PATCH /v2/customers/{customer_id}": [
        {},
        {"billTo": _ADDRESS, "billCycleDay": 28, "taxRegistrations": CREATE_BODY["taxRegistrations"]},
        {"billingContact": {"firstName": "Ada", "lastName": "Byron", "email": "ada@example.org"}},
    ],
    "order-submission.v1.json:POST /v1/orders": [
        {"opportunityId": "006Hs00000000EWIAY"},
        {"opportunityId": "006Hs00000000EW", "order": None},
        {"order": _ORDER},
        {"order": {**_ORDER, "autoRenew": False, "termMonths": 60, "lines": _ORDER["lines"] * 3}},
    ],
}
