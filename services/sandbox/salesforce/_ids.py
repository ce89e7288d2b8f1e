"""Salesforce record ids: 15 case-sensitive characters, plus a 3-character case-safe checksum.

An id is ``<key prefix: 3><pod: 2><reserved: 1><sequence: 9>``; the 18-character form appends
one character per five, encoding which of those five are upper-case letters, so that the id
survives case-insensitive systems (spreadsheets, some databases). Salesforce accepts either form
on input, and repairs the case of an 18-character id from its suffix.
"""

from __future__ import annotations

import re
from typing import Final

_SUFFIX_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_SHAPE: Final = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")
POD: Final = "Hs"
"""The instance part of every id this sandbox mints (real orgs show e.g. ``5g``, ``Dn``, ``Hs``)."""


def case_safe_suffix(id15: str) -> str:
    """The three checksum characters Salesforce appends to a 15-character id."""
    suffix = ""
    for start in range(0, 15, 5):
        bits = sum(1 << i for i, ch in enumerate(id15[start : start + 5]) if "A" <= ch <= "Z")
        suffix += _SUFFIX_ALPHABET[bits]
    return suffix


def looks_like_id(value: str) -> bool:
    """Has the shape of an id (15 or 18 letters and digits), whether or not it is valid."""
    return bool(_ID_SHAPE.match(value))


def normalize_id(value: str) -> str | None:
    """The canonical 18-character id for a 15- or 18-character input; None when it is not an id."""
    if not looks_like_id(value):
        return None
    if len(value) == 15:
        return value + case_safe_suffix(value)
    suffix = value[15:].upper()
    chars = list(value[:15])
    for block, code in enumerate(suffix):
        bits = _SUFFIX_ALPHABET.find(code)
        if bits < 0:  # not a checksum character (only A-Z and 0-5 are)
            return None
        for i in range(5):
            pos = block * 5 + i
            upper = bool(bits >> i & 1)
            if chars[pos].isdigit():
                if upper:
                    return None
            else:
                chars[pos] = chars[pos].upper() if upper else chars[pos].lower()
    id15 = "".join(chars)
    return id15 + case_safe_suffix(id15)


def mint_id(key_prefix: str, sequence: int) -> str:
    """The 18-character id of the ``sequence``-th record minted with this key prefix."""
    digits = ""
    for _ in range(9):
        sequence, digit = divmod(sequence, 62)
        digits = _BASE62[digit] + digits
    id15 = f"{key_prefix}{POD}0{digits}"
    return id15 + case_safe_suffix(id15)
