"""会议变更: a confirmed meeting's new time, room, topic or participants, under the rules of an application.

A change is checked by the same rules as a 会议申请 (``rules.check_meeting``). It is written in ONE
transaction with the meeting conditioned on the version it read: the new booking, the release of the
old one and the meeting's new fields, or nothing; of two changes at once (or a change and a cancel)
exactly one wins, the other is told so (409). A change that needs approval (a new room or time in a
room that asks for it) holds the new slot beside the old one and goes to the approver through
MeetingFlow; the meeting keeps its old slot until then: 同意 swaps the bookings in one transaction,
不同意 or no answer lets the new hold go.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.bookings import meetings, reservations, rules, swaps
from oa_core.bookings.models import BookingRequest, MeetingChange, MeetingView
from oa_core.bookings.storage import AttendeeItem, BookingItem, MeetingItem
from oa_core.platform import audit, clock
from oa_core.platform.config import client, settings
from oa_core.platform.errors import Conflict, Forbidden, InvalidInput
from oa_core.platform.storage import RecordItem, connection, lost_on_condition, strs

LOST = "会议刚刚已被变更或取消，本次变更未生效，请刷新后重试 (changed just now)"


def change(meeting_id: str, changes: MeetingChange, actor: dict[str, Any]) -> MeetingView:
    """会议变更 by the organizer (or an administrator): applied at once, or sent to the approver."""
    meeting = meetings.load(meeting_id)
    if meeting.organizer != actor["user_id"] and "sysadmin" not in actor.get("roles", []):
        raise Forbidden("只有会议召集人或系统管理员可以变更会议 (only the organizer)")
    if meeting.status == "pending_approval":
        raise InvalidInput("只有已确认的会议可以变更；待审批的申请请取消后重新申请")
    if meeting.status != "confirmed":
        raise Conflict(f"会议已{meetings.STATUS_NAMES.get(meeting.status, meeting.status)}，不能变更")
    if meeting.pending_booking_id:
        raise Conflict("该会议有一项变更正在等待审批，请待审批后再变更 (a change awaits approval)")
    participants = changes.participants if changes.participants is not None else strs(meeting.participants)
    plan = rules.check_meeting(
        changes.room_id or meeting.room_id,
        changes.start or meeting.start,
        changes.end or meeting.end,
        meeting.organizer,
        participants,
        strs(meeting.equipment),
    )
    target: dict[str, Any] = {
        "room_id": plan.room.resource_id,
        "room_name": plan.room_name,
        "start": clock.iso(plan.span.start),
        "end": clock.iso(plan.span.end),
        "topic": changes.topic if changes.topic is not None else meeting.topic,
        "participants": participants,
        "description": changes.description if changes.description is not None else meeting.description,
    }
    moved = (
        plan.room.resource_id != meeting.room_id
        or plan.span.start != clock.parse(meeting.start)
        or plan.span.end != clock.parse(meeting.end)
    )
    if (
        not moved
        and all(getattr(meeting, k) == v for k, v in target.items() if k != "participants")
        and (participants == strs(meeting.participants))
    ):
        return meetings.view(meeting)
    old = reservations.load_booking(meeting.booking_id, missing_ok=True)
    needs_approval = moved and bool(plan.room.needs_approval)
    new = None
    if moved:
        request = BookingRequest(
            resource_id=plan.room.resource_id,
            start=target["start"],
            end=target["end"],
            title=target["topic"],
            participants=participants,
        )
        status = "held" if needs_approval else "confirmed"
        new = reservations.planned(plan.room, plan.span, request, meeting.organizer, status, ("meeting", meeting_id))
        if swaps.items_needed(new, old) + 2 > swaps.MAX_ITEMS:
            raise InvalidInput("变更涉及的时段太多，请缩短会议时间后再试 (the change is too large)")
    now = clock.now_iso()
    approver = meetings.approver_for(plan.room) if needs_approval else meeting.approver
    unchanged = meetings.at_version(meeting) & (MeetingItem.status == "confirmed")
    unchanged &= MeetingItem.pending_booking_id.does_not_exist() | (MeetingItem.pending_booking_id == "")
    try:
        with TransactWrite(connection=connection()) as tx:
            if needs_approval and new is not None:
                swaps.put(tx, new, old, take=False)
                actions = [
                    MeetingItem.pending_booking_id.set(new.booking.booking_id),
                    MeetingItem.pending_change.set(json.dumps(target, ensure_ascii=False)),
                    MeetingItem.approver.set(approver),
                    MeetingItem.reason.set(""),
                ]
            else:
                if new is not None:
                    swaps.put(tx, new, old, take=True)
                    if old is not None and old.status != "cancelled":
                        keep = swaps.shared(new.booking.resource_id, [s.SK for s in new.slots], old)
                        swaps.drop(tx, old, now, keep=keep)
                elif old is not None:
                    tx.update(
                        old,
                        actions=[BookingItem.title.set(target["topic"]), BookingItem.participants.set(participants)],  # type: ignore[arg-type]
                    )
                actions = _applied(target, new.booking.booking_id if new else meeting.booking_id, meeting)
            tx.update(meeting, actions=[*actions, *meetings.bumped(meeting, now)], condition=unchanged)
            what = "change_meeting_requested" if needs_approval else "change_meeting"
            tx.save(audit.audit_item(actor["user_id"], what, meeting_id, "ok", f"v{int(meeting.version) + 1}"))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        latest = meetings.load(meeting_id)
        if int(latest.version) != int(meeting.version) or latest.status != "confirmed" or new is None:
            raise Conflict(LOST) from None
        mine = {new.booking.booking_id, *([old.booking_id] if old else [])}
        raise reservations.slot_conflict(plan.room, new, mine) from None
    if needs_approval:
        _ask_approver(meeting_id, int(meeting.version) + 1)
        return meetings.view(meetings.load(meeting_id))
    _tell_everyone(meeting, meetings.load(meeting_id))
    return meetings.view(meetings.load(meeting_id))


def _applied(target: dict[str, Any], booking_id: str, meeting: MeetingItem) -> list[Any]:
    """The meeting's new fields (and a higher invitation SEQUENCE)."""
    return [
        MeetingItem.booking_id.set(booking_id),
        MeetingItem.room_id.set(target["room_id"]),
        MeetingItem.room_name.set(target["room_name"]),
        MeetingItem.start.set(target["start"]),
        MeetingItem.end.set(target["end"]),
        MeetingItem.topic.set(target["topic"]),
        MeetingItem.participants.set(target["participants"]),
        MeetingItem.description.set(target["description"]),
        MeetingItem.GSI1SK.set(f"{target['start']}#{meeting.meeting_id}"),
        MeetingItem.sequence.set(int(meeting.sequence) + 1),
        MeetingItem.pending_booking_id.set(""),
        MeetingItem.pending_change.set(""),
    ]


def _ask_approver(meeting_id: str, version: int) -> None:
    """MeetingFlow again, for this change: its approval step, then confirm_change or release_change."""
    try:
        client("stepfunctions").start_execution(
            stateMachineArn=settings().meeting_flow_arn,
            name=f"{meeting_id}-v{version}",
            input=json.dumps(
                {"meeting_id": meeting_id, "needs_approval": True, "hold_seconds": settings().meeting_hold_seconds}
            ),
        )
    except Exception:
        release_change(meetings.load(meeting_id), "expired")  # nobody can be asked: the hold goes again
        raise


def _tell_everyone(before: MeetingItem, after: MeetingItem) -> None:
    """我的会议 entries moved, an updated invitation for everyone, a CANCEL for people taken off."""
    if after.status != "confirmed":
        return  # cancelled meanwhile: the cancellation told them
    old_people = strs(before.participants)
    if before.start == after.start:
        meetings.reattend(before, after)  # the 参会回执 given stay
    else:
        with RecordItem.batch_write() as batch:
            for person in dict.fromkeys([before.organizer, *old_people]):
                batch.delete(AttendeeItem(f"ATTENDEE#{person}", f"{before.start}#{before.meeting_id}"))
        meetings.attend(after)
    meetings.invite(after, "REQUEST")
    removed = [p for p in old_people if p not in strs(after.participants)]
    if removed:
        meetings.invite(after, "CANCEL", only=removed)


def confirm_change(meeting: MeetingItem) -> dict[str, Any]:
    """同意 a change: the held booking becomes the meeting's and the old one goes, in one transaction."""
    held = reservations.load_booking(meeting.pending_booking_id, missing_ok=True)
    old = reservations.load_booking(meeting.booking_id, missing_ok=True)
    if held is None or held.status != "held":
        return release_change(meeting, "void", reason=meetings.CANNOT_CONFIRM)
    target = json.loads(meeting.pending_change)
    now = clock.now_iso()
    try:
        with TransactWrite(connection=connection()) as tx:
            swaps.confirm_over(tx, held, old, now)
            tx.update(
                meeting,
                actions=[*_applied(target, held.booking_id, meeting), *meetings.bumped(meeting, now)],
                condition=meetings.at_version(meeting) & meetings.awaiting(meeting),
            )
            tx.save(audit.audit_item("system", "change_meeting", meeting.meeting_id, "ok", held.booking_id))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        latest = meetings.load(meeting.meeting_id)
        if latest.pending_booking_id != meeting.pending_booking_id:
            return {"status": latest.status}  # cancelled meanwhile, with the hold
        return release_change(latest, "void", reason=meetings.CANNOT_CONFIRM)
    _tell_everyone(meeting, meetings.load(meeting.meeting_id))
    return {"status": "confirmed"}


def release_change(meeting: MeetingItem, outcome: str, *, reason: str = "") -> dict[str, Any]:
    """不同意, no answer in time, or a hold that cannot be confirmed: the new hold goes, the meeting keeps
    its slot, and the organizer is told."""
    held = reservations.load_booking(meeting.pending_booking_id, missing_ok=True)
    proposal = meetings.proposed(meeting)
    now = clock.now_iso()
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                meeting,
                actions=[
                    MeetingItem.pending_booking_id.set(""),
                    MeetingItem.pending_change.set(""),
                    MeetingItem.reason.set(reason),
                    *meetings.bumped(meeting, now),
                ],
                condition=meetings.at_version(meeting) & meetings.awaiting(meeting),
            )
            if held is not None and held.status != "cancelled":
                swaps.drop(tx, held, now)
            tx.save(audit.audit_item("system", f"change_{outcome}", meeting.meeting_id, "ok", reason[:200]))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        return {"status": meetings.load(meeting.meeting_id).status}
    meetings.close_tasks(meeting.meeting_id, now)
    meetings.tell_organizer(meetings.load(meeting.meeting_id), outcome, reason=reason, change=proposal)
    return {"status": outcome}
