from __future__ import annotations

import re

from services.domain.customer import match_key, new_customer_id


def test_customer_ids_are_ulids_that_sort_by_creation() -> None:
    ids = [new_customer_id() for _ in range(50)]
    assert all(re.fullmatch(r"cus_[0-9A-HJKMNP-TV-Z]{26}", i) for i in ids)
    assert len(set(ids)) == 50
    first, later = ids[0], new_customer_id()
    assert first[:14] <= later[:14]  # the time part (48 bits, 10 chars) never goes back


def test_match_key_ignores_case_punctuation_and_spacing_but_not_the_legal_entity() -> None:
    assert match_key("Acme,  Inc.", "US01") == match_key("ACME inc", "us01")
    assert match_key("Acme Inc", "US01") != match_key("Acme Inc", "GB01")
    assert match_key("Acme Inc", "US01") != match_key("Acme Corp", "US01")
