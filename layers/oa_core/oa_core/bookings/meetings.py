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
from dataclasses import replace
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from oa_core.bookings import reservations, rules, swaps
from oa_core.bookings.models import BookingRequest, MeetingApplication, MeetingCreated, MeetingView
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
    "void": "未能确认",
}
LIVE = ("pending_approval", "confirmed")
CANNOT_CONFIRM = "会议室预订已被取消或变更，无法确认，请重新申请 (the held booking is gone)"


def _pk(meeting_id: str) -> str:
    return f"MTG#{meeting_id}"


def load(meeting_id: str) -> MeetingItem:
    try:
        return MeetingItem.get(_pk(meeting_id), "META", consistent_read=True)
    except MeetingItem.DoesNotExist:
        raise NotFound("这个会议不存在 (no such meeting)") from None


def approver_for(room: Any) -> str:
    """The office's approver: the first 文书 (clerk) of the office department."""
    clerks = sorted(
        u["user_id"] for u in directory.department_members(settings().office_department) if "clerk" in u["roles"]
    )
    if not clerks:
        raise InvalidInput("办公室没有设置文书，无法审批会议室预订，请联系管理员 (no approver configured)")
    return str(clerks[0])


def at_version(meeting: MeetingItem) -> Any:
    """The condition that nothing moved the meeting since it was read (items from before ``version``
    have none, which counts as 0)."""
    version = int(meeting.version)
    same = MeetingItem.version == version
    return (same | MeetingItem.version.does_not_exist()) if version == 0 else same


def awaiting(meeting: MeetingItem) -> Any:
    """The condition that the meeting still awaits this approval: the application itself, or the
    会议变更 it holds a new booking for."""
    if meeting.pending_booking_id:
        return (MeetingItem.status == "confirmed") & (MeetingItem.pending_booking_id == meeting.pending_booking_id)
    return MeetingItem.status == "pending_approval"


def bumped(meeting: MeetingItem, now: str) -> list[Any]:
    return [MeetingItem.version.set(int(meeting.version) + 1), MeetingItem.updated_at.set(now)]


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
        reason=meeting.reason,
        change_status="pending_approval" if meeting.pending_booking_id else "",
        pending_change=json.loads(meeting.pending_change) if meeting.pending_booking_id else {},
    )


# ---------------------------------------------------------------- apply
def apply(application: MeetingApplication, organizer: dict[str, Any]) -> MeetingCreated:
    """会议申请: hold the room (409 if taken) and start the approval flow. A 周期会议 holds every
    occurrence or none (the 409 names the taken one); each occurrence is then a meeting of its own."""
    plan = rules.check_meeting(
        application.room_id,
        application.start,
        application.end,
        organizer["user_id"],
        application.participants,
        application.equipment,
    )
    room = plan.room
    count = application.recurrence.count if application.recurrence else 1
    first_id = f"M{clock.now():%Y%m%d}-{secrets.token_hex(5)}"
    meeting_ids = [first_id] if count == 1 else [f"{first_id}-{n + 1}" for n in range(count)]
    held = reservations.book(
        BookingRequest(
            resource_id=room.resource_id,
            start=application.start,
            end=application.end,
            title=application.topic,
            participants=application.participants,
            recurrence=application.recurrence,
        ),
        organizer,
        status="held",
        owners=[("meeting", m) for m in meeting_ids],
    )
    booking_ids = held.occurrences or [held.booking_id]
    for meeting_id, booking_id in zip(meeting_ids, booking_ids, strict=True):
        _record(meeting_id, booking_id, application, plan, organizer)
    metrics.count("MeetingsApplied", needs_approval=str(bool(room.needs_approval)).lower())
    return MeetingCreated(
        meeting_id=meeting_ids[0],
        status="pending_approval" if room.needs_approval else "confirmed",
        booking_id=held.booking_id,
        occurrences=meeting_ids if count > 1 else [],
    )


def _record(
    meeting_id: str, booking_id: str, application: MeetingApplication, plan: Any, organizer: dict[str, Any]
) -> None:
    """One meeting on its held booking, and its MeetingFlow (approval, or confirmation at once)."""
    room = plan.room
    booking = reservations.load_booking(booking_id)
    if booking is None:
        raise NotFound("刚预订的会议室未能读取 (the new booking is missing)")
    now = clock.now_iso()
    approver = approver_for(room) if room.needs_approval else ""
    meeting = MeetingItem(
        _pk(meeting_id),
        "META",
        meeting_id=meeting_id,
        topic=application.topic,
        organizer=organizer["user_id"],
        room_id=room.resource_id,
        room_name=plan.room_name,
        booking_id=booking_id,
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
    round_no = int(meeting.version) + 1
    task_id = task_id_for(meeting_id, STEP, round_no)
    due = clock.now() + timedelta(seconds=settings().meeting_hold_seconds)
    link_id, link_item = links.new_link(task_id, meeting_id, approver["user_id"], STEP)
    task = new_task(
        meeting_id,
        task_id,
        title=f"{'会议变更' if meeting.pending_booking_id else '会议室预订'}：{meeting.topic}",
        step=STEP,
        assignee=approver["user_id"],
        round_no=round_no,
        task_token=task_token,
        due=due,
    )
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.condition_check(MeetingItem, _pk(meeting_id), "META", condition=awaiting(meeting))
            tx.save(task, condition=reopen_condition())
            tx.save(link_item)
            tx.save(audit.audit_item("system", "open_task:meeting", task_id, "ok", approver["user_id"]))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        raise Conflict("这个会议已不在待审批状态，可能已被他人处理 (no longer awaiting approval)") from exc
    organizer = directory.get_user(meeting.organizer) or {"name": meeting.organizer}
    mail.send(
        [approver["email"]],
        f"请审批{'会议变更' if meeting.pending_booking_id else '会议室预订'}：{meeting.topic}",
        "meeting_approval",
        {
            "name": approver["name"],
            "meeting": proposed(meeting),
            "change": bool(meeting.pending_booking_id),
            "organizer": organizer["name"],
            "when": when(proposed(meeting)),
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
                condition=awaiting(meeting),
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
def proposed(meeting: MeetingItem) -> MeetingView:
    """The meeting as its pending 会议变更 would make it (itself when there is none)."""
    current = view(meeting)
    if not meeting.pending_booking_id:
        return current
    return current.model_copy(update=json.loads(meeting.pending_change))


def close_tasks(meeting_id: str, now: str) -> None:
    for task in open_tasks(meeting_id):
        try:
            task.update(actions=task_closed_actions("cancelled", now), condition=TaskItem.status == "pending")
        except Exception as exc:
            if "ConditionalCheckFailed" not in repr(exc):
                raise


def tell_organizer(meeting: MeetingItem, outcome: str, *, reason: str = "", change: MeetingView | None = None) -> None:
    organizer = directory.get_user(meeting.organizer)
    if organizer is None:
        return
    what = "会议变更" if change is not None else "会议室预订"
    mail.send(
        [organizer["email"]],
        f"{what}{STATUS_NAMES[outcome]}：{meeting.topic}",
        "meeting_outcome",
        {
            "name": organizer["name"],
            "meeting": change or view(meeting),
            "outcome": outcome,
            "outcome_name": STATUS_NAMES[outcome],
            "change": change is not None,
            "reason": reason,
            "when": when(change or meeting),
            "opinion": meeting.opinion,
            "org_name": settings().org_name,
        },
    )


def cancel(meeting_id: str, actor: dict[str, Any]) -> MeetingView:
    """取消会议 by its organizer (or an administrator): the meeting and every booking it holds (a pending
    change's too) go in one transaction conditioned on the version read; a change that won meanwhile
    is read again and cancelled with it. Everyone gets a CANCEL."""
    for _ in range(8):
        meeting = load(meeting_id)
        if meeting.organizer != actor["user_id"] and "sysadmin" not in actor.get("roles", []):
            raise Forbidden("只有会议召集人或系统管理员可以取消会议 (only the organizer)")
        if meeting.status not in LIVE:
            return view(meeting)
        was_confirmed = meeting.status == "confirmed"
        held = [
            b
            for b in (
                reservations.load_booking(booking_id, missing_ok=True)
                for booking_id in (meeting.booking_id, meeting.pending_booking_id)
                if booking_id
            )
            if b is not None and b.status != "cancelled"
        ]
        now = clock.now_iso()
        try:
            with TransactWrite(connection=connection()) as tx:
                tx.update(
                    meeting,
                    actions=[
                        MeetingItem.status.set("cancelled"),
                        MeetingItem.sequence.set(int(meeting.sequence) + 1),
                        MeetingItem.pending_booking_id.set(""),
                        MeetingItem.pending_change.set(""),
                        *bumped(meeting, now),
                    ],
                    condition=at_version(meeting) & (MeetingItem.status == meeting.status),
                )
                for booking in held:
                    swaps.drop(tx, booking, now)
                tx.save(audit.audit_item(actor["user_id"], "cancel_meeting", meeting_id, "ok"))
        except TransactWriteError as exc:
            if not lost_on_condition(exc):
                raise
            continue  # changed meanwhile: cancel what it is now
        break
    else:
        raise Conflict("会议正在被变更，请稍后再取消 (the meeting keeps changing)")
    for person in dict.fromkeys([meeting.organizer, *meeting.participants]):
        AttendeeItem(f"ATTENDEE#{person}", f"{meeting.start}#{meeting_id}").delete()
    meeting.refresh(consistent_read=True)
    close_tasks(meeting_id, now)
    if was_confirmed:
        invite(meeting, "CANCEL")
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
def when(meeting: MeetingItem | MeetingView) -> str:
    """会议时间 as people read it: 2026年12月3日（星期四）09:00–10:30."""
    from oa_core.bookings.invitations import when_text

    return when_text(clock.parse(meeting.start), clock.parse(meeting.end))


def _base_url() -> str:
    return settings().public_base_url


def reattend(before: MeetingItem, after: MeetingItem) -> None:
    """我的会议 entries after a change that keeps the start: people who stay keep their 参会回执 (their
    entry is updated in place, never rewritten), people taken off lose theirs, new people get one."""
    stay = set(dict.fromkeys([before.organizer, *strs(before.participants)]))
    now = list(dict.fromkeys([after.organizer, *strs(after.participants)]))
    with RecordItem.batch_write() as batch:  # BatchWriteItem, as the other path (MeetingFunction has no DeleteItem)
        for person in stay - set(now):
            batch.delete(AttendeeItem(f"ATTENDEE#{person}", f"{before.start}#{before.meeting_id}"))
    for person in [p for p in now if p in stay]:
        try:
            AttendeeItem(f"ATTENDEE#{person}", f"{after.start}#{after.meeting_id}").update(
                actions=[
                    AttendeeItem.topic.set(after.topic),
                    AttendeeItem.room_name.set(after.room_name),
                    AttendeeItem.end.set(after.end),
                ],
                condition=AttendeeItem.PK.exists(),
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise  # else: gone meanwhile (cancelled), nothing to keep
    attend(after, only=[p for p in now if p not in stay])


def attend(meeting: MeetingItem, *, only: list[str] | None = None) -> None:
    """我的会议 entries for the organizer and every participant (or ``only`` these people)."""
    people = dict.fromkeys([meeting.organizer, *strs(meeting.participants)]) if only is None else only
    with RecordItem.batch_write() as batch:
        for person in people:
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


def invite(meeting: MeetingItem, method: str, *, only: list[str] | None = None) -> None:
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
        page=f"{_base_url()}/meetings/{meeting.meeting_id}",
    )
    if method == "CANCEL":
        send_invitation(invitation, method, attendees if only is not None else [organizer, *attendees])  # type: ignore[arg-type]
        return
    from oa_core.bookings import reply_links

    # The organizer's copy links the meeting page (the tally); each participant's carries their own 回执链接,
    # saved before any email names it.
    made = [(person, *reply_links.new_link(meeting, person["user_id"])) for person in attendees]
    with reply_links.ReplyLinkItem.batch_write() as batch:
        for _person, _link_id, item in made:
            batch.save(item)
    if only is None:
        send_invitation(invitation, "REQUEST", [organizer])
    for person, link_id, _item in made:
        send_invitation(replace(invitation, reply_link=reply_links.url(_base_url(), link_id)), "REQUEST", [person])
