"""催办: the pure parts — how long overdue, in words, and when the signer is told (督办)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from oa_core.platform import clock
from oa_core.workflow.reminders import overdue_for, should_escalate

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=clock.local_zone())


@pytest.mark.parametrize(
    ("overdue", "words"),
    [
        (timedelta(minutes=5), "约 1 小时"),
        (timedelta(hours=3, minutes=59), "约 3 小时"),
        (timedelta(hours=24), "约 1 天"),
        (timedelta(hours=53), "约 2 天 5 小时"),
    ],
)
def test_overdue_time_in_words(overdue: timedelta, words: str) -> None:
    assert overdue_for(clock.iso(NOW - overdue), NOW) == words


def test_the_signer_is_told_once_after_enough_reminders() -> None:
    assert not should_escalate(2, 3, None)
    assert should_escalate(3, 3, None)
    assert should_escalate(5, 3, None)
    assert not should_escalate(3, 3, "2026-11-25T10:00:00+08:00")
    assert not should_escalate(10, 0, None), "0 turns escalation off"
