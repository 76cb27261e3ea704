"""会议申请 → 审批 → 会议通知: a meeting holds its room at once, is approved if the room asks for it,
and every participant gets an invitation (.ics) when it is confirmed.

The room is held by a booking with status ``held`` the moment the application is accepted, so nobody
else can take the slot while the office decides. The MeetingFlow state machine then confirms at once
(rooms without approval) or waits for the approver's decision (a task and an emailed link, the same
mechanism as 发文), with the hold's lifetime as the task's timeout. Approval confirms the booking and
sends the invitations; rejection or expiry releases the slot.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.bookings import reservations
from oa_core.bookings.models import BookingRequest, MeetingApplication, MeetingChange, MeetingCreated, MeetingView
from oa_core.bookings.storage import AttendeeItem, MeetingItem
from oa_core.identity import directory
from oa_core.platform import audit, clock, mail, metrics
from oa_core.platform.config import client, settings
from oa_core.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from oa_core.platform.storage import RecordItem, connection, lost_on_condition, strs
from oa_core.workflow import flow, links
from oa_core.workflow.decisions import close_in
from oa_core.workflow.models import DecisionRequest, DecisionResult
from oa_core.workflow.storage import LinkItem, TaskItem, task_closed_actions
from oa_core.workflow.tasks import new_task, open_tasks, reopen_condition, task_id_for

FLOW = "Meeting"
"""MeetingFlow's name in its errors: 不同意 is Meeting.Rejected (workflow.flow)."""
STEP = "meeting"
STATUS_NAMES = {
    "pending_approval": "待审批",
    "confirmed": "已确认",
    "rejected": "未批准",
    "expired": "已过期",
    "cancelled": "已取消",
}


def _pk(meeting_id: str) -> str:
    return f"MTG#{meeting_id}"


def load(meeting_id: str) -> MeetingItem:
    try:
        return MeetingItem.get(_pk(meeting_id), "META", consistent_read=True)
    except MeetingItem.DoesNotExist:
        raise NotFound(f"会议 {meeting_id} 不存在 (no such meeting)") from None


def approver_for(room: Any) -> str:
    """The office's approver: the first 文书 (clerk) of the office department."""
    clerks = sorted(
        u["user_id"] for u in directory.department_members(settings().office_department) if "clerk" in u["roles"]
    )
    if not clerks:
        raise InvalidInput("办公室没有设置文书，无法审批会议室预订，请联系管理员 (no approver configured)")
    return str(clerks[0])


def view(meeting: MeetingItem) -> MeetingView:
    return MeetingView(
        meeting_id=meeting.meeting_id,
        topic=meeting.topic,
        organizer=meeting.organizer,
        room_id=meeting.room_id,
        room_name=meeting.room_name,
        booking_id=meeting.booking_id,
        start=meeting.start,
        end=meeting.end,
        participants=[str(p) for p in meeting.participants or []],
        equipment=[str(e) for e in meeting.equipment or []],
        description=meeting.description,
        status=meeting.status,
        approver=meeting.approver,
        opinion=meeting.opinion,
    )


# ---------------------------------------------------------------- apply
def apply(application: MeetingApplication, organizer: dict[str, Any]) -> MeetingCreated:
    """会议申请: hold the room (409 if taken) and start the approval flow."""
    room = reservations.get_resource(application.room_id)
    if room.resource_kind != "room":
        raise InvalidInput(f"{room.name}不是会议室 (not a room)")
    missing = [e for e in application.equipment if e not in set(room.equipment or [])]
    if missing:
        raise InvalidInput(f"{room.name}没有{'、'.join(missing)}，请换一间会议室 (the room lacks equipment)")
    people = list(dict.fromkeys([organizer["user_id"], *application.participants]))
    if int(room.capacity) and len(people) > int(room.capacity):
        raise InvalidInput(f"{room.name}只能容纳 {int(room.capacity)} 人，参会 {len(people)} 人 (too many people)")
    held = reservations.book(
        BookingRequest(
            resource_id=room.resource_id,
            start=application.start,
            end=application.end,
            title=application.topic,
            participants=application.participants,
        ),
        organizer,
        status="held",
    )
    booking = reservations.load_booking(held.booking_id)
    if booking is None:
        raise NotFound("刚预订的会议室未能读取 (the new booking is missing)")
    meeting_id = f"M{clock.now():%Y%m%d}-{secrets.token_hex(5)}"
    now = clock.now_iso()
    approver = approver_for(room) if room.needs_approval else ""
    meeting = MeetingItem(
        _pk(meeting_id),
        "META",
        meeting_id=meeting_id,
        topic=application.topic,
        organizer=organizer["user_id"],
        room_id=room.resource_id,
        room_name=f"{room.name}（{room.building}）" if room.building else room.name,
        booking_id=held.booking_id,
        start=booking.start,
        end=booking.end,
        participants=application.participants,
        equipment=application.equipment,
        description=application.description,
        status="pending_approval" if room.needs_approval else "confirmed",
        approver=approver,
        created_at=now,
        updated_at=now,
        GSI1PK=f"ORGANIZER#{organizer['user_id']}",
        GSI1SK=f"{booking.start}#{meeting_id}",
    )
    meeting.save(condition=MeetingItem.PK.does_not_exist())
    audit.record(organizer["user_id"], "apply_meeting", meeting_id, "ok", f"{room.resource_id} {booking.start}")
    client("stepfunctions").start_execution(
        stateMachineArn=settings().meeting_flow_arn,
        name=meeting_id,
        input=json.dumps(
            {
                "meeting_id": meeting_id,
                "needs_approval": bool(room.needs_approval),
                "hold_seconds": settings().meeting_hold_seconds,
            }
        ),
    )
    metrics.count("MeetingsApplied", needs_approval=str(bool(room.needs_approval)).lower())
    return MeetingCreated(
        meeting_id=meeting_id,
        status="pending_approval" if room.needs_approval else "confirmed",
        booking_id=held.booking_id,
    )


# ---------------------------------------------------------------- approval
def open_approval(meeting_id: str, task_token: str) -> dict[str, Any]:
    """The approver's task and link; the email says what is asked and until when.

    Opened only while the meeting still awaits approval, in one transaction with that check: the
    hold may have run out (the flow's timeout counts this invocation too) and the flow released the
    room, or the organizer cancelled, while this ran. Then nobody is asked, and the flow's catch ends it.
    """
    meeting = load(meeting_id)
    approver = directory.get_user(meeting.approver)
    if approver is None:
        raise InvalidInput(f"审批人 {meeting.approver} 不在组织机构中 (unknown approver)")
    task_id = task_id_for(meeting_id, STEP, int(meeting.sequence) + 1)
    due = clock.now() + timedelta(seconds=settings().meeting_hold_seconds)
    link_id, link_item = links.new_link(task_id, meeting_id, approver["user_id"], STEP)
    task = new_task(
        meeting_id,
        task_id,
        title=f"会议室预订：{meeting.topic}",
        step=STEP,
        assignee=approver["user_id"],
        round_no=int(meeting.sequence) + 1,
        task_token=task_token,
        due=due,
    )
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.condition_check(MeetingItem, _pk(meeting_id), "META", condition=MeetingItem.status == "pending_approval")
            tx.save(task, condition=reopen_condition())
            tx.save(link_item)
            tx.save(audit.audit_item("system", "open_task:meeting", task_id, "ok", approver["user_id"]))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        raise Conflict(f"会议 {meeting_id} 已不在待审批状态 (no longer awaiting approval)") from exc
    organizer = directory.get_user(meeting.organizer) or {"name": meeting.organizer}
    mail.send(
        [approver["email"]],
        f"请审批会议室预订：{meeting.topic}",
        "meeting_approval",
        {
            "name": approver["name"],
            "meeting": view(meeting),
            "organizer": organizer["name"],
            "when": when(meeting),
            "link": links.url(_base_url(), link_id),
            "due_at": clock.to_minute(clock.iso(due)),
            "org_name": settings().org_name,
        },
    )
    return {"task_id": task_id, "assignee": approver["user_id"]}


def decide(task: TaskItem, actor: str, request: DecisionRequest, *, via: str, link: LinkItem | None) -> DecisionResult:
    """同意 confirms the meeting, 不同意 releases the room. (A meeting is not sent back for revision.)"""
    if request.decision == "return":
        raise InvalidInput("会议申请只能同意或不同意 (a meeting is approved or not)")
    meeting = load(task.document_id)
    now = clock.now_iso()
    try:
        with TransactWrite(connection=connection()) as tx:
            close_in(tx, task, actor, request.decision, request.opinion, via, now, link)
            tx.update(
                meeting,
                actions=[MeetingItem.opinion.set(request.opinion), MeetingItem.updated_at.set(now)],
                condition=MeetingItem.status == "pending_approval",
            )
            tx.save(audit.audit_item(actor, "decide:meeting", task.task_id, request.decision, via))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        raise Conflict("该会议申请刚刚已被处理，本次决定未生效 (decided just now)") from exc
    flow.answer(
        task.task_token,
        request.decision,
        {"step": STEP, "actor": actor, "decision": request.decision, "opinion": request.opinion},
        flow_name=FLOW,
    )
    return DecisionResult(
        task_id=task.task_id, document_id=meeting.meeting_id, step=STEP, decision=request.decision, status="decided"
    )


# ---------------------------------------------------------------- outcomes (MeetingFlow steps)
def confirm(meeting_id: str) -> dict[str, Any]:
    """确认: the booking becomes confirmed, participants see it, and everyone gets the invitation."""
    meeting = load(meeting_id)
    if meeting.status in ("rejected", "expired", "cancelled"):
        return {"status": meeting.status}
    reservations.set_status(meeting.booking_id, "confirmed", expected="held")
    now = clock.now_iso()
    meeting.update(actions=[MeetingItem.status.set("confirmed"), MeetingItem.updated_at.set(now)])
    _attend(meeting)
    _invite(meeting, "REQUEST")
    audit.record("system", "confirm_meeting", meeting_id, "ok", meeting.booking_id)
    metrics.count("MeetingsConfirmed")
    return {"status": "confirmed"}


def release(meeting_id: str, outcome: str) -> dict[str, Any]:
    """释放: a rejected or expired application gives the room back and tells the organizer."""
    meeting = load(meeting_id)
    if meeting.status not in ("pending_approval", "held"):
        return {"status": meeting.status}
    reservations.release(meeting.booking_id)
    now = clock.now_iso()
    meeting.update(actions=[MeetingItem.status.set(outcome), MeetingItem.updated_at.set(now)])
    for task in open_tasks(meeting_id):
        task.update(actions=task_closed_actions("cancelled", now), condition=TaskItem.status == "pending")
    organizer = directory.get_user(meeting.organizer)
    if organizer is not None:
        mail.send(
            [organizer["email"]],
            f"会议室预订{STATUS_NAMES[outcome]}：{meeting.topic}",
            "meeting_outcome",
            {
                "name": organizer["name"],
                "meeting": view(meeting),
                "outcome": outcome,
                "outcome_name": STATUS_NAMES[outcome],
                "when": when(meeting),
                "opinion": meeting.opinion,
                "org_name": settings().org_name,
            },
        )
    audit.record("system", f"{outcome}_meeting", meeting_id, "ok", meeting.booking_id)
    return {"status": outcome}


def cancel(meeting_id: str, actor: dict[str, Any]) -> MeetingView:
    """取消会议 by its organizer (or an administrator): the room is free and everyone gets a CANCEL."""
    meeting = load(meeting_id)
    if meeting.organizer != actor["user_id"] and "sysadmin" not in actor.get("roles", []):
        raise Forbidden("只有会议召集人或管理员可以取消会议 (only the organizer)")
    if meeting.status in ("cancelled", "rejected", "expired"):
        return view(meeting)
    was_confirmed = meeting.status == "confirmed"
    reservations.release(meeting.booking_id)
    meeting.update(
        actions=[
            MeetingItem.status.set("cancelled"),
            MeetingItem.sequence.set(int(meeting.sequence) + 1),
            MeetingItem.updated_at.set(clock.now_iso()),
        ]
    )
    for person in dict.fromkeys([meeting.organizer, *meeting.participants]):
        AttendeeItem(f"ATTENDEE#{person}", f"{meeting.start}#{meeting_id}").delete()
    meeting.refresh(consistent_read=True)
    if was_confirmed:
        _invite(meeting, "CANCEL")
    audit.record(actor["user_id"], "cancel_meeting", meeting_id, "ok")
    return view(meeting)


def change(meeting_id: str, changes: MeetingChange, actor: dict[str, Any]) -> MeetingView:
    """会议变更 of a confirmed meeting: a new time or room is booked before the old one is let go;
    everyone gets an updated invitation (same UID, higher SEQUENCE), people taken off get a CANCEL."""
    meeting = load(meeting_id)
    if meeting.organizer != actor["user_id"] and "sysadmin" not in actor.get("roles", []):
        raise Forbidden("只有会议召集人或管理员可以变更会议 (only the organizer)")
    if meeting.status != "confirmed":
        raise InvalidInput("只有已确认的会议可以变更；待审批的申请请取消后重新申请")
    before = strs(meeting.participants)
    participants = changes.participants if changes.participants is not None else before
    room_id = changes.room_id or meeting.room_id
    start = changes.start or meeting.start
    end = changes.end or meeting.end
    actions: list[Any] = []
    old_booking = ""
    moved = room_id != meeting.room_id or start != meeting.start or end != meeting.end
    if moved:
        room = reservations.get_resource(room_id)
        if room.resource_kind != "room":
            raise InvalidInput(f"{room.name}不是会议室 (not a room)")
        if room.needs_approval and room_id != meeting.room_id:
            raise InvalidInput(f"{room.name}需要审批：请取消本会议后重新申请 (the new room needs approval)")
        created = reservations.book(
            BookingRequest(
                resource_id=room_id,
                start=start,
                end=end,
                title=changes.topic or meeting.topic,
                participants=participants,
            ),
            actor,
        )
        booking = reservations.load_booking(created.booking_id)
        if booking is None:
            raise NotFound("新的预订未能读取 (the new booking is missing)")
        old_booking = meeting.booking_id
        actions += [
            MeetingItem.booking_id.set(created.booking_id),
            MeetingItem.room_id.set(room_id),
            MeetingItem.room_name.set(f"{room.name}（{room.building}）" if room.building else room.name),
            MeetingItem.start.set(booking.start),
            MeetingItem.end.set(booking.end),
            MeetingItem.GSI1SK.set(f"{booking.start}#{meeting_id}"),
        ]
    if changes.topic is not None:
        actions.append(MeetingItem.topic.set(changes.topic))
    if changes.description is not None:
        actions.append(MeetingItem.description.set(changes.description))
    if changes.participants is not None:
        actions.append(MeetingItem.participants.set(participants))  # type: ignore[arg-type]
    if not actions:
        return view(meeting)
    actions += [MeetingItem.sequence.set(int(meeting.sequence) + 1), MeetingItem.updated_at.set(clock.now_iso())]
    old_start = meeting.start
    meeting.update(actions=actions)
    if old_booking:
        reservations.release(old_booking)
    meeting.refresh(consistent_read=True)
    removed = [p for p in before if p not in participants]
    for person in dict.fromkeys([meeting.organizer, *before]):
        AttendeeItem(f"ATTENDEE#{person}", f"{old_start}#{meeting_id}").delete()
    _attend(meeting)
    _invite(meeting, "REQUEST")
    if removed:
        _invite(meeting, "CANCEL", only=removed)
    audit.record(actor["user_id"], "change_meeting", meeting_id, "ok", f"v{int(meeting.sequence)}")
    return view(meeting)


def mine(user_id: str) -> list[AttendeeItem]:
    """我的会议: confirmed meetings from today on, one Query."""
    today = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        item
        for item in RecordItem.query(f"ATTENDEE#{user_id}", clock.iso(today) <= RecordItem.SK, limit=20)
        if isinstance(item, AttendeeItem)
    ]


def organised_by(user_id: str) -> list[MeetingItem]:
    return [
        item
        for item in RecordItem.gsi1.query(f"ORGANIZER#{user_id}", scan_index_forward=False, limit=20)
        if isinstance(item, MeetingItem)
    ]


# ---------------------------------------------------------------- helpers
def when(meeting: MeetingItem) -> str:
    """会议时间 as people read it: 2026年12月3日（星期四）09:00–10:30."""
    from oa_core.bookings.invitations import when_text

    return when_text(clock.parse(meeting.start), clock.parse(meeting.end))


def _base_url() -> str:
    return settings().public_base_url


def _attend(meeting: MeetingItem) -> None:
    """我的会议 entries for the organizer and every participant."""
    with RecordItem.batch_write() as batch:
        for person in dict.fromkeys([meeting.organizer, *strs(meeting.participants)]):
            batch.save(
                AttendeeItem(
                    f"ATTENDEE#{person}",
                    f"{meeting.start}#{meeting.meeting_id}",
                    meeting_id=meeting.meeting_id,
                    topic=meeting.topic,
                    room_name=meeting.room_name,
                    start=meeting.start,
                    end=meeting.end,
                )
            )


def _invite(meeting: MeetingItem, method: str, *, only: list[str] | None = None) -> None:
    """Send the invitation (REQUEST) or its cancellation to everyone, or ``only`` to these people."""
    from oa_core.bookings.invitations import Meeting, send_invitation

    participants = strs(meeting.participants) if only is None else only
    people = directory.get_users([meeting.organizer, *participants])
    organizer = people.get(meeting.organizer) or {"user_id": meeting.organizer, "name": meeting.organizer, "email": ""}
    attendees = [people[p] for p in participants if p in people]
    invitation = Meeting(
        uid=f"{meeting.meeting_id}@oa",
        sequence=int(meeting.sequence),
        title=meeting.topic,
        start=clock.parse(meeting.start),
        end=clock.parse(meeting.end),
        location=meeting.room_name,
        organizer=organizer,
        attendees=attendees,
        description=meeting.description,
        status="CANCELLED" if method == "CANCEL" else "CONFIRMED",
    )
    recipients = attendees if only is not None else [organizer, *attendees]
    send_invitation(invitation, method, recipients)  # type: ignore[arg-type]
