"""MeetingFlow's outcomes (确认, 未批准, 已过期, 未能确认): each one transaction over the meeting and its
bookings, conditioned on the meeting's version, so a flow step never leaves a booking the meeting
does not point to, and a step that cannot do its work ends the application visibly instead of
failing the flow. A pending 会议变更 has its own outcomes (``changes``)."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.bookings import changes, meetings, reservations, swaps
from oa_core.bookings.storage import BookingItem, MeetingItem
from oa_core.platform import audit, clock, metrics
from oa_core.platform.storage import connection, lost_on_condition


def for_change(meeting_id: str, execution: str) -> bool:
    """Whether a MeetingFlow run decides a 会议变更 (started as ``<meeting id>-v<n>``), not the application."""
    return bool(execution) and execution != meeting_id


def confirm(meeting_id: str, execution: str = "") -> dict[str, Any]:
    """确认: the held booking becomes confirmed and the meeting with it, in one transaction; participants
    see it and everyone gets the invitation. A booking that can no longer be confirmed ends the
    application visibly (未能确认, the organizer told), never a failed flow."""
    meeting = meetings.load(meeting_id)
    if for_change(meeting_id, execution):
        return changes.confirm_change(meeting) if meeting.pending_booking_id else {"status": meeting.status}
    if meeting.status not in meetings.LIVE:
        return {"status": meeting.status}
    booking = reservations.load_booking(meeting.booking_id, missing_ok=True)
    if booking is not None and booking.status == "confirmed" and meeting.status == "confirmed":
        return {"status": "confirmed"}  # a retried step
    if booking is None or booking.status not in ("held", "confirmed"):
        return void(meeting, meetings.CANNOT_CONFIRM)
    now = clock.now_iso()
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                meeting,
                # A room without approval: the meeting was confirmed on applying and may already be
                # changing; only the booking moves here, so a concurrent 会议变更 is not refused for it.
                actions=[MeetingItem.status.set("confirmed"), MeetingItem.updated_at.set(now)]
                if meeting.status == "confirmed"
                else [MeetingItem.status.set("confirmed"), *meetings.bumped(meeting, now)],
                condition=meetings.at_version(meeting) & MeetingItem.status.is_in(*meetings.LIVE),
            )
            tx.update(
                booking,
                actions=[BookingItem.status.set("confirmed")],
                condition=BookingItem.status.is_in("held", "confirmed"),
            )
            tx.save(audit.audit_item("system", "confirm_meeting", meeting_id, "ok", meeting.booking_id))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        latest = meetings.load(meeting_id)
        if latest.status not in meetings.LIVE or int(latest.version) != int(meeting.version):
            return confirm(meeting_id, execution) if latest.status in meetings.LIVE else {"status": latest.status}
        return void(latest, meetings.CANNOT_CONFIRM)
    meeting.refresh(consistent_read=True)
    meetings.attend(meeting)
    meetings.invite(meeting, "REQUEST")
    metrics.count("MeetingsConfirmed")
    return {"status": "confirmed"}


def void(meeting: MeetingItem, reason: str) -> dict[str, Any]:
    """未能确认: the application ends with its reason, its booking (if still live) is let go, and the
    organizer is told."""
    now = clock.now_iso()
    booking = reservations.load_booking(meeting.booking_id, missing_ok=True)
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                meeting,
                actions=[
                    MeetingItem.status.set("void"),
                    MeetingItem.reason.set(reason),
                    *meetings.bumped(meeting, now),
                ],
                condition=meetings.at_version(meeting),
            )
            if booking is not None and booking.status != "cancelled":
                swaps.drop(tx, booking, now)
            tx.save(audit.audit_item("system", "void_meeting", meeting.meeting_id, "failed", reason[:200]))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        return {"status": meetings.load(meeting.meeting_id).status}  # moved on meanwhile (cancelled)
    meeting.refresh(consistent_read=True)
    meetings.close_tasks(meeting.meeting_id, now)
    meetings.tell_organizer(meeting, "void", reason=reason)
    return {"status": "void"}


def void_step(meeting_id: str, execution: str) -> dict[str, Any]:
    """MeetingFlow's catch when 确认 failed for good: the application (or the change) ends visibly."""
    meeting = meetings.load(meeting_id)
    if for_change(meeting_id, execution):
        if not meeting.pending_booking_id:
            return {"status": meeting.status}
        return changes.release_change(meeting, "void", reason=meetings.CANNOT_CONFIRM)
    if meeting.status not in meetings.LIVE:
        return {"status": meeting.status}
    booking = reservations.load_booking(meeting.booking_id, missing_ok=True)
    if meeting.status == "confirmed" and booking is not None and booking.status == "confirmed":
        return {"status": "confirmed"}  # it did confirm; only what came after failed
    return void(meeting, meetings.CANNOT_CONFIRM)


def release(meeting_id: str, outcome: str, execution: str = "") -> dict[str, Any]:
    """释放: a rejected or expired application gives the room back and tells the organizer (a pending
    会议变更: its new hold is let go and the meeting keeps its slot)."""
    meeting = meetings.load(meeting_id)
    if for_change(meeting_id, execution):
        return changes.release_change(meeting, outcome) if meeting.pending_booking_id else {"status": meeting.status}
    if meeting.status != "pending_approval":
        return {"status": meeting.status}
    now = clock.now_iso()
    booking = reservations.load_booking(meeting.booking_id, missing_ok=True)
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                meeting,
                actions=[MeetingItem.status.set(outcome), *meetings.bumped(meeting, now)],
                condition=meetings.at_version(meeting) & (MeetingItem.status == "pending_approval"),
            )
            if booking is not None and booking.status != "cancelled":
                swaps.drop(tx, booking, now)
            tx.save(audit.audit_item("system", f"{outcome}_meeting", meeting_id, "ok", meeting.booking_id))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        return release(meeting_id, outcome, execution)  # the version moved: decide again on what it is now
    meeting.refresh(consistent_read=True)
    meetings.close_tasks(meeting_id, now)
    meetings.tell_organizer(meeting, outcome)
    return {"status": outcome}
