"""参会回执: a participant answers 参加 or 不参加 for a confirmed meeting; the organizer sees the tally.

The answer is written on the participant's own 我的会议 entry (``ATTENDEE#<user>``), conditioned on that
entry existing, in one transaction with its audit record: only someone the meeting invited can answer,
and an answer exists exactly when its audit record does. A later answer replaces an earlier one.
"""

from __future__ import annotations

from typing import Any, Literal

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.bookings import meetings
from oa_core.bookings.storage import AttendeeItem, MeetingItem
from oa_core.platform import audit, clock
from oa_core.platform.errors import Conflict, Forbidden
from oa_core.platform.storage import connection, lost_on_condition, strs

Reply = Literal["attending", "absent"]
REPLY_NAMES = {"attending": "参加", "absent": "不参加", "": "未回复"}


def _entry(meeting: MeetingItem, user_id: str) -> AttendeeItem:
    return AttendeeItem(f"ATTENDEE#{user_id}", f"{meeting.start}#{meeting.meeting_id}")


def answer(meeting_id: str, user: dict[str, Any], reply: Reply) -> str:
    """Record ``user``'s 参会回执; returns the meeting's topic."""
    meeting = meetings.load(meeting_id)
    if user["user_id"] not in strs(meeting.participants):
        raise Forbidden("只有受邀的参会人员可以回复是否参加")
    if meeting.status != "confirmed":
        raise Conflict(f"会议{meetings.STATUS_NAMES.get(meeting.status, meeting.status)}，不能回复是否参加")
    entry = _entry(meeting, user["user_id"])
    now = clock.now_iso()
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                entry,
                actions=[AttendeeItem.reply.set(reply), AttendeeItem.replied_at.set(now)],
                condition=AttendeeItem.PK.exists(),
            )
            tx.save(audit.audit_item(user["user_id"], "reply_meeting", meeting_id, "ok", REPLY_NAMES[reply]))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        raise Conflict("会议安排刚刚有变更，请刷新后按新的安排回复") from None
    return str(meeting.topic)


def replies(meeting: MeetingItem) -> dict[str, str]:
    """Every participant's answer (``""`` when none yet), one BatchGet per 100 people."""
    people = strs(meeting.participants)
    keys = [(f"ATTENDEE#{p}", f"{meeting.start}#{meeting.meeting_id}") for p in people]
    found: dict[str, str] = {}
    for first in range(0, len(keys), 100):
        for item in AttendeeItem.batch_get(keys[first : first + 100]):
            found[item.PK.removeprefix("ATTENDEE#")] = item.reply or ""
    return {p: found.get(p, "") for p in people}


def tally(answers: dict[str, str]) -> dict[str, int]:
    """参加 / 不参加 / 未回复 counts."""
    return {name: sum(1 for a in answers.values() if a == key) for key, name in REPLY_NAMES.items()}
