"""职责分离's rule by itself: who may be named for which steps, and who may decide, with the setting off and on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oa_core.outgoing import duties
from oa_core.platform.config import settings
from oa_core.platform.errors import Forbidden

NAMES = {"a": "甲", "b": "乙"}


@pytest.fixture
def allowed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The organisation allows one person to decide two steps (AllowSamePersonMultipleSteps true)."""
    monkeypatch.setenv("ALLOW_SAME_PERSON_MULTIPLE_STEPS", "true")
    settings.cache_clear()
    yield
    monkeypatch.delenv("ALLOW_SAME_PERSON_MULTIPLE_STEPS")
    settings.cache_clear()


def test_distinct_people_have_no_conflict() -> None:
    assert duties.conflicts("d", "a", ["b"], "c", NAMES, allow_multiple=False) == []


def test_two_steps_of_one_person_conflict_unless_allowed() -> None:
    found = duties.conflicts("d", "a", ["a"], "a", NAMES, allow_multiple=False)
    assert found == ["甲（a）不能同时担任本文件的核稿人和会签人和签发人"]
    assert duties.conflicts("d", "a", ["a"], "a", NAMES, allow_multiple=True) == []


def test_the_drafter_conflicts_with_every_step_even_when_multiple_steps_are_allowed() -> None:
    found = duties.conflicts("a", "a", ["a", "b"], "a", NAMES, allow_multiple=True)
    assert found == [
        "拟稿人甲（a）不能担任本文件的核稿人",
        "拟稿人甲（a）不能担任本文件的会签人",
        "拟稿人甲（a）不能担任本文件的签发人",
    ]


def test_a_second_step_is_refused_by_default() -> None:
    with pytest.raises(Forbidden, match="已作为核稿人办理过本文件，不能再办理签发"):
        duties.ensure_may_decide("d", "a", "sign", ["review"])
    duties.ensure_may_decide("d", "a", "review", ["review", "revise"])  # the same step again, after a return


def test_a_second_step_is_allowed_when_the_organisation_says_so(allowed: None) -> None:
    duties.ensure_may_decide("d", "a", "sign", ["review", "countersign"])
    with pytest.raises(Forbidden, match="拟稿人不能办理自己起草的文件的签发"):
        duties.ensure_may_decide("a", "a", "sign", [])
