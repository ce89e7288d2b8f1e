from __future__ import annotations

from typing import Any


def v2_customer(name: str = "Tessellate Robotics Ltd", **overrides: Any) -> dict[str, Any]:
    """A valid v2 create body for the GB legal entity."""
    body: dict[str, Any] = {
        "name": name,
        "legalEntity": "GB01",
        "currency": "GBP",
        "industry": "Technology",
        "billTo": {
            "lines": ["1 Canada Square", "Floor 30"],
            "city": "London",
            "postalCode": "E14 5AB",
            "country": "GB",
        },
        "paymentTerms": "NET30",
        "billCycleDay": 15,
        "autoPay": True,
        "taxRegistrations": [{"country": "GB", "number": "GB123456789", "scheme": "VAT"}],
        "billingContact": {"firstName": "Ada", "lastName": "Byron", "email": "ap@tessellate.example"},
    }
    body.update(overrides)
    return body


def v1_customer(name: str = "Kestrel Pharma GmbH", **overrides: Any) -> dict[str, Any]:
    """A valid v1 create body for the DE legal entity."""
    body: dict[str, Any] = {
        "name": name,
        "legalEntity": "DE01",
        "currency": "EUR",
        "billingStreet": "Friedrichstrasse 68",
        "billingCity": "Berlin",
        "billingPostalCode": "10117",
        "billingCountry": "DE",
        "taxId": "DE123456789",
        "billingEmail": "rechnung@contoso.example",
        "billCycleDay": 1,
    }
    body.update(overrides)
    return body
