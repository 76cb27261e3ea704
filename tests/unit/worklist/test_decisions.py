"""The worklist hands each task to the domain that owns it."""

from __future__ import annotations


def test_the_worklist_knows_the_step_of_a_meeting_approval() -> None:
    from oa_core.bookings import meetings
    from oa_core.worklist import decisions

    assert decisions.MEETING_STEP == meetings.STEP
