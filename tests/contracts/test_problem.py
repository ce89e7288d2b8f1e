from __future__ import annotations

from pathlib import Path

import pytest

from contracts.problem import PROBLEM_BASE, PROBLEM_TYPES, problem_type

DOC = Path(__file__).resolve().parents[2] / "docs" / "problem-types.md"


@pytest.mark.parametrize("slug", sorted(PROBLEM_TYPES))
def test_every_problem_type_is_documented(slug: str) -> None:
    text = DOC.read_text()
    assert f"`{PROBLEM_BASE}{slug}`" in text
    assert f"\n## {slug}\n" in text


def test_an_undocumented_problem_type_cannot_be_answered() -> None:
    with pytest.raises(KeyError):
        problem_type("something-new")
