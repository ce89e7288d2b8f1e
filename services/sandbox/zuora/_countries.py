"""Countries as Zuora knows them: it accepts an ISO 3166 alpha-2 or alpha-3 code or the name,
and always keeps and answers the name."""

from __future__ import annotations

from typing import Final

# (alpha-2, alpha-3, the name Zuora answers)
_COUNTRIES: Final = (
    ("US", "USA", "United States"),
    ("CA", "CAN", "Canada"),
    ("MX", "MEX", "Mexico"),
    ("BR", "BRA", "Brazil"),
    ("GB", "GBR", "United Kingdom"),
    ("IE", "IRL", "Ireland"),
    ("DE", "DEU", "Germany"),
    ("FR", "FRA", "France"),
    ("NL", "NLD", "Netherlands"),
    ("BE", "BEL", "Belgium"),
    ("LU", "LUX", "Luxembourg"),
    ("ES", "ESP", "Spain"),
    ("PT", "PRT", "Portugal"),
    ("IT", "ITA", "Italy"),
    ("AT", "AUT", "Austria"),
    ("CH", "CHE", "Switzerland"),
    ("SE", "SWE", "Sweden"),
    ("NO", "NOR", "Norway"),
    ("DK", "DNK", "Denmark"),
    ("FI", "FIN", "Finland"),
    ("PL", "POL", "Poland"),
    ("CZ", "CZE", "Czech Republic"),
    ("AU", "AUS", "Australia"),
    ("NZ", "NZL", "New Zealand"),
    ("JP", "JPN", "Japan"),
    ("SG", "SGP", "Singapore"),
    ("IN", "IND", "India"),
    ("CN", "CHN", "China"),
    ("HK", "HKG", "Hong Kong"),
    ("ZA", "ZAF", "South Africa"),
    ("AE", "ARE", "United Arab Emirates"),
    ("IL", "ISR", "Israel"),
)

_BY_ANY: Final = {
    key.casefold(): name for alpha2, alpha3, name in _COUNTRIES for key in (alpha2, alpha3, name)
}


def country_name(value: str) -> str | None:
    """The name Zuora stores for a code or name, or None when it does not know the country."""
    return _BY_ANY.get(value.strip().casefold())
