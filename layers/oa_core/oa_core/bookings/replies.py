"""参会回执: a participant answers 参加 or 不参加 (with a reason if they like) for a confirmed meeting,
until it starts; the organizer sees the tally.

The answer is written on the participant's own 我的会议 entry (``ATTENDEE#<user>``), conditioned on that
entry existing, in one transaction with its audit record: only someone the meeting invited can answer,
and an answer exists exactly when its audit record does. A later answer replaces an earlier one. An
answer given from a form (``seen``: the entry's ``reply_version`` the form showed) is also conditioned on
nobody having answered since: of two answers sent at once, one is written and the other is told what won.
"""

from __future__ import annotations

from typing import Any, Literal

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.bookings import meetings
from oa_core.bookings.storage import AttendeeItem, MeetingItem
from oa_core.platform import audit, clock
from oa_core.platform.errors import Conflict, Forbidden, InvalidInput
from oa_core.platform.storage import connection, lost_on_condition, strs

Reply = Literal["attending", "absent"]
REPLY_NAMES = {"attending": "参加", "absent": "不参加", "": "未回复"}
MAX_REASON = 200
MOVED = "会议安排刚刚有变更，请刷新后按新的安排回复"


def _entry(meeting: MeetingItem, user_id: str) -> AttendeeItem:
    return AttendeeItem(f"ATTENDEE#{user_id}", f"{meeting.start}#{meeting.meeting_id}")


def entry_of(meeting: MeetingItem, user_id: str) -> AttendeeItem | None:
    """The participant's 我的会议 entry as it is now (their answer, its version), or None."""
    try:
        return AttendeeItem.get(f"ATTENDEE#{user_id}", f"{meeting.start}#{meeting.meeting_id}", consistent_read=True)
    except AttendeeItem.DoesNotExist:
        return None


def answer(
    meeting_id: str,
    user: dict[str, Any],
    reply: Reply,
    *,
    reason: str = "",
    via: str = "web",
    seen: int | None = None,
) -> str:
    """Record ``user``'s 参会回执; returns the meeting's topic. ``via`` is the audit record's source
    (``web``: the signed-in meeting page, ``reply link``: the invitation's link)."""
    meeting = meetings.load(meeting_id)
    if user["user_id"] not in strs(meeting.participants):
        raise Forbidden("只有受邀的参会人员可以回复是否参加")
    if meeting.status != "confirmed":
        raise Conflict(f"会议{meetings.STATUS_NAMES.get(meeting.status, meeting.status)}，不能回复是否参加")
    if clock.parse(meeting.start) <= clock.now():
        raise Conflict(f"会议已于 {clock.to_minute(meeting.start)} 开始，回执不能再更改")
    reason = reason.strip() if reply == "absent" else ""
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"不参加的理由不能超过 {MAX_REASON} 个字")
    entry = _entry(meeting, user["user_id"])
    condition = AttendeeItem.PK.exists()
    if seen is not None:
        same = AttendeeItem.reply_version == seen
        condition &= (same | AttendeeItem.reply_version.does_not_exist()) if seen == 0 else same
    now = clock.now_iso()
    detail = f"{REPLY_NAMES[reply]}; source: {via}" + (f"; 理由：{reason}" if reason else "")
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                entry,
                actions=[
                    AttendeeItem.reply.set(reply),
                    AttendeeItem.replied_at.set(now),
                    AttendeeItem.reply_reason.set(reason),
                    AttendeeItem.reply_version.add(1),
                ],
                condition=condition,
            )
            tx.save(audit.audit_item(user["user_id"], "reply_meeting", meeting_id, "ok", detail[:300]))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        lost = _lost(meeting, user, reply, reason, via)
        if lost is not None:
            raise lost from None
    return str(meeting.topic)


def _lost(meeting: MeetingItem, user: dict[str, Any], reply: Reply, reason: str, via: str) -> Conflict | None:
    """Why an answer was not written: the entry is gone (the meeting moved or the person was taken off),
    or another answer was written since the form was shown (a second tab, a double click). None when
    that other answer is this same one (a double click): nothing to tell."""
    latest = entry_of(meeting, user["user_id"])
    if latest is None:
        return Conflict(MOVED)
    if latest.reply == reply and (latest.reply_reason or "") == reason:
        return None
    audit.record(user["user_id"], "reply_meeting", meeting.meeting_id, "refused", f"answered meanwhile; source: {via}")
    return Conflict(
        f"您的回执刚刚已更新为“{REPLY_NAMES.get(latest.reply or '', '未回复')}”，本次提交未生效；请确认后重新选择"
    )


def replies(meeting: MeetingItem) -> dict[str, str]:
    """Every participant's answer (``""`` when none yet), one BatchGet per 100 people."""
    return {p: entry[0] for p, entry in answers(meeting).items()}


def answers(meeting: MeetingItem) -> dict[str, tuple[str, str]]:
    """Every participant's (answer, reason), one BatchGet per 100 people."""
    people = strs(meeting.participants)
    keys = [(f"ATTENDEE#{p}", f"{meeting.start}#{meeting.meeting_id}") for p in people]
    found: dict[str, tuple[str, str]] = {}
    for first in range(0, len(keys), 100):
        for item in AttendeeItem.batch_get(keys[first : first + 100]):
            found[item.PK.removeprefix("ATTENDEE#")] = (item.reply or "", item.reply_reason or "")
    return {p: found.get(p, ("", "")) for p in people}


def tally(answers: dict[str, str]) -> dict[str, int]:
    """参加 / 不参加 / 未回复 counts."""
    return {name: sum(1 for a in answers.values() if a == key) for key, name in REPLY_NAMES.items()}
