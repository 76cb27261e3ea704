"""会议 pages: the application form (with 周期会议 and the participant picker), a meeting's page
(status, decision for the approver, 变更 and cancel for the organizer). Same rules as the API:
bookings.meetings and bookings.changes decide, pages only show and ask."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from oa_core.bookings import changes as meeting_changes
from oa_core.bookings import meetings, replies, reservations
from oa_core.bookings.models import MeetingApplication, Recurrence
from oa_core.identity import directory, sessions
from oa_core.platform import clock
from oa_core.platform.errors import DomainError, Forbidden, InvalidInput
from oa_core.platform.http import humanize
from oa_core.web.pages import Reply, form_value, page, redirect
from oa_core.web.sheet import attendees
from oa_core.workflow import tasks
from oa_core.workflow.models import DecisionRequest
from oa_core.worklist import decisions


def people_groups(exclude: str) -> list[dict[str, Any]]:
    """参会人员 by department (in the directory's order), for the grouped checkbox list."""
    people = [p for p in directory.list_users() if p["user_id"] != exclude]
    groups = [
        {"name": d["name"], "people": [p for p in people if p.get("department") == d["department_id"]]}
        for d in directory.list_departments()
    ]
    known = {d["department_id"] for d in directory.list_departments()}
    others = [p for p in people if p.get("department") not in known]
    return [g for g in groups if g["people"]] + ([{"name": "其他", "people": others}] if others else [])


def new_meeting(
    user: dict[str, Any],
    session: sessions.Session,
    fields: dict[str, Any],
    *,
    error: str = "",
    status: int = 200,
) -> Reply:
    """会议申请 form, prefilled from the grid's free slot."""
    rooms = reservations.list_resources("room")
    start = fields.get("start", "")
    day, hhmm = (start[:10], start[11:16]) if len(start) >= 16 else (clock.now().date().isoformat(), "09:00")
    if not fields.get("end_time") and len(start) >= 16:
        finish = clock.parse(start) + timedelta(hours=1)
        fields["end_time"] = finish.astimezone(clock.local_zone()).strftime("%H:%M")
    times = [f"{h:02d}:{m:02d}" for h in range(7, 22) for m in (0, 30)]
    return page(
        "meeting_new.html",
        user,
        session,
        status=status,
        fields={"date": day, "start_time": hhmm, "end_time": "10:00", **fields},
        rooms=rooms,
        times=times,
        people_groups=people_groups(user["user_id"]),
        equipment=sorted({e for r in rooms for e in r.equipment}),
        error=error,
    )


def submit_meeting(user: dict[str, Any], session: sessions.Session, form: dict[str, list[str]]) -> Reply:
    one = partial(form_value, form, strip=True)

    fields: dict[str, Any] = {
        "topic": one("topic"),
        "room_id": one("room_id"),
        "date": one("date"),
        "start_time": one("start_time"),
        "end_time": one("end_time"),
        "participants": list(dict.fromkeys(form.get("participants") or [])),
        "equipment": list(dict.fromkeys(form.get("equipment") or [])),
        "description": one("description"),
        "repeat": one("repeat"),
        "count": one("count"),
    }
    try:
        application = MeetingApplication(
            topic=fields["topic"],
            room_id=fields["room_id"],
            start=f"{fields['date']}T{fields['start_time']}",
            end=f"{fields['date']}T{fields['end_time']}",
            participants=fields["participants"],
            equipment=fields["equipment"],
            description=fields["description"],
            recurrence=_recurrence(fields["repeat"], fields["count"]),
        )
        created = meetings.apply(application, user)
    except ValidationError as exc:
        return new_meeting(user, session, fields, error=humanize(exc.errors()), status=422)
    except DomainError as exc:
        return new_meeting(user, session, fields, error=exc.message, status=exc.status)
    done = (
        "已提交，会议室已为您暂留，等待审批"
        if created.status == "pending_approval"
        else "会议已确认，参会人员将收到会议通知"
    )
    if created.occurrences:
        done = f"周期会议共 {len(created.occurrences)} 次，每一次的会议室都已预订。{done}"
    return redirect(f"/meetings/{quote(created.meeting_id)}?done={quote(done)}")


def _recurrence(repeat: str, count: str) -> Recurrence | None:
    """周期会议 from the form: 不重复, or 每周 / 每天 with how many times (2–52)."""
    if not repeat:
        return None
    if repeat not in ("daily", "weekly"):
        raise InvalidInput("重复方式应为“每周”或“每天”")
    if not count.isdigit() or not 2 <= int(count) <= 52:
        raise InvalidInput("周期会议的次数应为 2 到 52 之间的数字")
    return Recurrence(freq=repeat, count=int(count))  # type: ignore[arg-type]


def meeting_page(
    user: dict[str, Any],
    session: sessions.Session,
    meeting_id: str,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
    confirm_cancel: bool = False,
) -> Reply:
    meeting = meetings.load(meeting_id)
    participants = [str(p) for p in meeting.participants or []]
    allowed = {meeting.organizer, meeting.approver, *participants}
    if user["user_id"] not in allowed and "sysadmin" not in user["roles"]:
        raise Forbidden("您无权查看该会议：只有召集人、参会人员和审批人可以查看")
    task = next(
        (t for t in tasks.open_tasks(meeting_id) if t.assignee == user["user_id"]),
        None,
    )
    people = directory.get_users([meeting.organizer, *participants])
    is_organizer = meeting.organizer == user["user_id"] or "sysadmin" in user["roles"]
    given = replies.answers(meeting) if meeting.status == "confirmed" else {}
    answers = {p: reply for p, (reply, _reason) in given.items()}
    can_change = meeting.status == "confirmed" and not meeting.pending_booking_id and is_organizer
    return page(
        "meeting.html",
        user,
        session,
        status=status,
        meeting=meetings.view(meeting),
        when=meetings.when(meeting),
        status_name=meetings.STATUS_NAMES.get(meeting.status, meeting.status),
        organizer=people.get(meeting.organizer, {}).get("name", ""),
        attendees=attendees(meeting.organizer, participants),
        task=task,
        can_cancel=meeting.status in ("pending_approval", "confirmed") and is_organizer,
        confirm_cancel=confirm_cancel,
        can_change=can_change,
        rooms=reservations.list_resources("room") if can_change else [],
        people_groups=people_groups(meeting.organizer) if can_change else [],
        my_reply=answers.get(user["user_id"]) if user["user_id"] in participants else None,
        replies=[(people[p]["name"], replies.REPLY_NAMES[a], r) for p, (a, r) in given.items() if p in people]
        if is_organizer
        else [],
        tally=replies.tally(answers) if is_organizer and answers else {},
        notice=notice,
        error=error,
    )


def decide_meeting(
    user: dict[str, Any], session: sessions.Session, meeting_id: str, form: dict[str, list[str]]
) -> Reply:
    one = partial(form_value, form)

    try:
        request = DecisionRequest.model_validate({"decision": one("decision"), "opinion": one("opinion")})
        decisions.decide(one("task_id"), user["user_id"], request, via="web")
    except ValidationError as exc:
        return meeting_page(user, session, meeting_id, error=humanize(exc.errors()), status=422)
    except DomainError as exc:
        return meeting_page(user, session, meeting_id, error=exc.message, status=exc.status)
    done = "您已同意，会议将确认并通知参会人员" if request.decision == "approve" else "您已不同意，会议室已释放"
    return redirect(f"/meetings/{quote(meeting_id)}?done={quote(done)}")


def cancel_meeting(
    user: dict[str, Any], session: sessions.Session, meeting_id: str, form: dict[str, list[str]]
) -> Reply:
    """取消会议 cannot be undone: the first POST only asks (a page, no script needed); ``confirm=yes`` cancels."""
    if form_value(form, "confirm") != "yes":
        return meeting_page(user, session, meeting_id, confirm_cancel=True)
    try:
        meetings.cancel(meeting_id, user)
    except DomainError as exc:
        return meeting_page(user, session, meeting_id, error=exc.message, status=exc.status)
    return redirect(f"/meetings/{quote(meeting_id)}?done={quote('会议已取消，参会人员将收到取消通知')}")


def change_meeting(
    user: dict[str, Any], session: sessions.Session, meeting_id: str, form: dict[str, list[str]]
) -> Reply:
    """The organizer's 变更 form: topic, date and time, room and participants; bookings.changes decides
    whether it applies at once or goes to the approver."""
    from oa_core.bookings.models import MeetingChange

    one = partial(form_value, form, strip=True)

    try:
        chosen = list(dict.fromkeys(form.get("participants") or []))
        changes = MeetingChange(
            topic=one("topic") or None,
            start=f"{one('date')}T{one('start_time')}" if one("date") else None,
            end=f"{one('date')}T{one('end_time')}" if one("date") else None,
            room_id=one("room_id") or None,
            participants=chosen if "participants_shown" in form else None,
        )
        changed = meeting_changes.change(meeting_id, changes, user)
    except ValidationError as exc:
        return meeting_page(user, session, meeting_id, error=humanize(exc.errors()), status=422)
    except DomainError as exc:
        return meeting_page(user, session, meeting_id, error=exc.message, status=exc.status)
    done = (
        "变更已提交审批；审批前会议仍按原安排举行"
        if changed.change_status
        else "会议已变更，参会人员将收到更新后的会议通知"
    )
    return redirect(f"/meetings/{quote(meeting_id)}?done={quote(done)}")


def reply_meeting(
    user: dict[str, Any], session: sessions.Session, meeting_id: str, form: dict[str, list[str]]
) -> Reply:
    """参会回执 from the meeting page (the invitation email links to it): 参加 or 不参加."""
    answer = form_value(form, "reply", strip=True)
    if answer not in ("attending", "absent"):
        return meeting_page(user, session, meeting_id, error="请选择“参加”或“不参加”", status=422)
    try:
        replies.answer(meeting_id, user, answer)  # type: ignore[arg-type]
    except DomainError as exc:
        return meeting_page(user, session, meeting_id, error=exc.message, status=exc.status)
    done = "已回复：参加，召集人会看到您的回执" if answer == "attending" else "已回复：不参加，召集人会看到您的回执"
    return redirect(f"/meetings/{quote(meeting_id)}?done={quote(done)}")
