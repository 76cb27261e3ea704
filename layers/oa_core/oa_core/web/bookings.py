"""会议室 pages: the day grid of every room and a week grid per room (free slots clickable), the
meeting application form, and a meeting's page (status, decision for the approver, cancel for the
organizer). Same rules as the API: bookings and meetings decide, pages only show and ask."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from oa_core.bookings import changes as meeting_changes
from oa_core.bookings import meetings, occupancy, reservations
from oa_core.bookings.models import MeetingApplication
from oa_core.identity import directory, sessions
from oa_core.platform import clock
from oa_core.platform.config import settings
from oa_core.platform.errors import DomainError, Forbidden, InvalidInput
from oa_core.platform.fields import time_problem
from oa_core.platform.http import humanize
from oa_core.web.pages import Reply, form_value, page, redirect
from oa_core.workflow import tasks
from oa_core.workflow.models import DecisionRequest
from oa_core.worklist import decisions

DAY_START, DAY_END = time(8, 0), time(21, 0)
WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text) if text else clock.now().date()
    except ValueError:
        raise InvalidInput("日期格式应为 2026-12-03") from None
    problem = time_problem(day.isoformat())
    if problem:
        raise InvalidInput(problem)
    return day


def _slots(day: date) -> list[datetime]:
    step = timedelta(minutes=settings().slot_minutes)
    moment = datetime.combine(day, DAY_START, tzinfo=clock.local_zone())
    end = datetime.combine(day, DAY_END, tzinfo=clock.local_zone())
    found = []
    while moment < end:
        found.append(moment)
        moment += step
    return found


def _taken(room_id: str, first: date, last: date, user: dict[str, Any]) -> list[Any]:
    """A room's bookings over the grid's hours from ``first`` to ``last`` (one Query), as ``user`` may
    see them: other people's as 「<department> 占用」."""
    start = datetime.combine(first, DAY_START, tzinfo=clock.local_zone())
    end = datetime.combine(last, DAY_END, tzinfo=clock.local_zone())
    return occupancy.as_seen_by(occupancy.occupancy(room_id, "room", start, end), user)


def _cells(taken: list[Any], day: date) -> list[dict[str, Any]]:
    """One day of one room: each slot free (with its application link) or taken (by which booking)."""
    slots = _slots(day)
    now = clock.now()
    cells = []
    for moment in slots:
        booking = next(
            (b for b in taken if clock.parse(b.start) <= moment < clock.parse(b.end)),
            None,
        )
        cells.append(
            {
                "time": moment.strftime("%H:%M"),
                "start": clock.iso(moment),
                "booking": booking,
                "first": booking is not None and clock.parse(booking.start) == moment,
                "past": moment < now,
            }
        )
    return cells


def rooms_day(user: dict[str, Any], session: sessions.Session, day_text: str) -> Reply:
    """会议室一览: every room's day, one Query per room."""
    day = _day(day_text)
    rooms = reservations.list_resources("room")
    columns: list[dict[str, Any]] = [
        {"room": room, "cells": _cells(_taken(room.resource_id, day, day, user), day)} for room in rooms
    ]
    return page(
        "rooms_day.html",
        user,
        session,
        day=day,
        weekday=WEEKDAYS[day.weekday()],
        prev_day=(day - timedelta(days=1)).isoformat(),
        next_day=(day + timedelta(days=1)).isoformat(),
        times=[c["time"] for c in columns[0]["cells"]] if columns else [],
        columns=columns,
    )


def room_week(user: dict[str, Any], session: sessions.Session, room_id: str, day_text: str) -> Reply:
    """One room's week (Monday to Sunday), one Query."""
    room = reservations.get_resource(room_id)
    if room.resource_kind != "room":
        raise InvalidInput("只能查看会议室的周视图")
    day = _day(day_text)
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    taken = _taken(room.resource_id, days[0], days[-1], user)
    columns: list[dict[str, Any]] = [
        {"day": d, "weekday": WEEKDAYS[d.weekday()], "cells": _cells(taken, d)} for d in days
    ]
    return page(
        "room_week.html",
        user,
        session,
        room=room,
        monday=monday,
        prev_week=(monday - timedelta(days=7)).isoformat(),
        next_week=(monday + timedelta(days=7)).isoformat(),
        times=[c["time"] for c in columns[0]["cells"]],
        columns=columns,
    )


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
        people=[p for p in directory.list_users() if p["user_id"] != user["user_id"]],
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
    return redirect(f"/meetings/{quote(created.meeting_id)}?done={quote(done)}")


def meeting_page(
    user: dict[str, Any],
    session: sessions.Session,
    meeting_id: str,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> Reply:
    meeting = meetings.load(meeting_id)
    participants = [str(p) for p in meeting.participants or []]
    allowed = {meeting.organizer, meeting.approver, *participants}
    if user["user_id"] not in allowed and "sysadmin" not in user["roles"]:
        raise Forbidden("您无权查看该会议 (not your meeting)")
    task = next(
        (t for t in tasks.open_tasks(meeting_id) if t.assignee == user["user_id"]),
        None,
    )
    people = directory.get_users([meeting.organizer, *participants])
    return page(
        "meeting.html",
        user,
        session,
        status=status,
        meeting=meetings.view(meeting),
        when=meetings.when(meeting),
        status_name=meetings.STATUS_NAMES.get(meeting.status, meeting.status),
        organizer=people.get(meeting.organizer, {}).get("name", meeting.organizer),
        participant_names=[people[p]["name"] for p in participants if p in people],
        task=task,
        can_cancel=meeting.status in ("pending_approval", "confirmed")
        and (meeting.organizer == user["user_id"] or "sysadmin" in user["roles"]),
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


def cancel_meeting(user: dict[str, Any], session: sessions.Session, meeting_id: str) -> Reply:
    try:
        meetings.cancel(meeting_id, user)
    except DomainError as exc:
        return meeting_page(user, session, meeting_id, error=exc.message, status=exc.status)
    return redirect(f"/meetings/{quote(meeting_id)}?done={quote('会议已取消，参会人员将收到取消通知')}")


# ---------------------------------------------------------------- 车辆调度
def dispatch_page(
    user: dict[str, Any],
    session: sessions.Session,
    *,
    fields: dict[str, Any] | None = None,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> Reply:
    """用车: my requests and a new one; for dispatchers, the pending requests with free vehicles and drivers."""
    from oa_core.bookings import dispatch

    is_dispatcher = dispatch.is_dispatcher(user)
    waiting = [(item, dispatch.options(item)) for item in dispatch.pending()] if is_dispatcher else []
    people = {u["user_id"]: u["name"] for u in directory.list_users()}
    times = [f"{h:02d}:{m:02d}" for h in range(6, 23) for m in (0, 30)]
    return page(
        "dispatch.html",
        user,
        session,
        status=status,
        mine=dispatch.mine(user["user_id"]),
        resources={r.resource_id: r for kind in ("vehicle", "driver") for r in reservations.list_resources(kind)},
        waiting=waiting,
        is_dispatcher=is_dispatcher,
        people=people,
        status_names=dispatch.STATUS_NAMES,
        when=dispatch.when,
        times=times,
        fields={
            "date": (clock.now() + timedelta(days=1)).date().isoformat(),
            "end_date": (clock.now() + timedelta(days=1)).date().isoformat(),
            "start_time": "09:00",
            "end_time": "12:00",
            "passengers": "1",
            **(fields or {}),
        },
        notice=notice,
        error=error,
    )


def submit_dispatch(user: dict[str, Any], session: sessions.Session, form: dict[str, list[str]]) -> Reply:
    from oa_core.bookings import dispatch
    from oa_core.bookings.models import DispatchRequest

    fields = {
        key: form_value(form, key, strip=True)
        for key in ("purpose", "passengers", "origin", "destination", "date", "start_time", "end_date", "end_time")
    }
    try:
        request = DispatchRequest(
            purpose=fields["purpose"],
            passengers=int(fields["passengers"] or 0),
            origin=fields["origin"],
            destination=fields["destination"],
            start=f"{fields['date']}T{fields['start_time']}",
            end=f"{fields['end_date'] or fields['date']}T{fields['end_time']}",  # a trip may end days later
        )
        dispatch.request(request, user)
    except ValueError as exc:
        message = humanize(exc.errors()) if isinstance(exc, ValidationError) else "乘车人数应为数字"
        return dispatch_page(user, session, fields=fields, error=message, status=422)
    except DomainError as exc:
        return dispatch_page(user, session, fields=fields, error=exc.message, status=exc.status)
    return redirect(f"/dispatch?done={quote('用车申请已提交，调度员派车后会通知您')}")


def decide_dispatch(
    user: dict[str, Any], session: sessions.Session, dispatch_id: str, form: dict[str, list[str]]
) -> Reply:
    from oa_core.bookings import dispatch
    from oa_core.bookings.models import DispatchAssignment

    one = partial(form_value, form, strip=True)

    try:
        assignment = DispatchAssignment(
            decision=one("decision"),  # type: ignore[arg-type]
            vehicle_id=one("vehicle_id") or None,
            driver_id=one("driver_id") or None,
            opinion=one("opinion"),
        )
        done = dispatch.decide(dispatch_id, assignment, user)
    except ValidationError as exc:
        return dispatch_page(user, session, error=humanize(exc.errors()), status=422)
    except DomainError as exc:
        return dispatch_page(user, session, error=exc.message, status=exc.status)
    message = "已派车，申请人和驾驶员将收到通知" if done.status == "assigned" else "已告知申请人不派车的原因"
    return redirect(f"/dispatch?done={quote(message)}")


# ---------------------------------------------------------------- 资源管理 (administrators)
def resources_page(
    user: dict[str, Any],
    session: sessions.Session,
    *,
    fields: dict[str, Any] | None = None,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> Reply:
    """会议室、车辆、驾驶员: the list, and for administrators a form to add or update one."""
    return page(
        "resources.html",
        user,
        session,
        status=status,
        resources=reservations.list_resources(),
        kind_names=reservations.KIND_NAMES,
        is_admin="sysadmin" in user["roles"],
        fields=fields or {"kind": "room"},
        notice=notice,
        error=error,
    )


def save_resource(user: dict[str, Any], session: sessions.Session, form: dict[str, list[str]]) -> Reply:
    from oa_core.bookings.models import ResourceInput

    one = partial(form_value, form, strip=True)

    fields = {
        k: one(k)
        for k in (
            "resource_id",
            "kind",
            "name",
            "building",
            "capacity",
            "equipment",
            "plate",
            "seats",
            "phone",
            "email",
            "needs_approval",
        )
    }
    try:
        resource = ResourceInput(
            resource_id=fields["resource_id"],
            kind=fields["kind"],  # type: ignore[arg-type]
            name=fields["name"],
            building=fields["building"],
            capacity=int(fields["capacity"] or 0),
            equipment=[
                e.strip() for e in fields["equipment"].replace("，", "、").replace(",", "、").split("、") if e.strip()
            ],
            needs_approval=fields["needs_approval"] == "on",
            plate=fields["plate"],
            seats=int(fields["seats"] or 0),
            phone=fields["phone"],
            email=fields["email"],
        )
        saved = reservations.save_resource(resource, user, replace=one("replace") == "1")
    except ValidationError as exc:
        return resources_page(user, session, fields=fields, error=humanize(exc.errors()), status=422)
    except ValueError:
        return resources_page(user, session, fields=fields, error="容纳人数和座位数应为数字", status=422)
    except DomainError as exc:
        return resources_page(user, session, fields=fields, error=exc.message, status=exc.status)
    return redirect(f"/resources?done={quote(f'已保存：{saved.name}')}")


def change_meeting(
    user: dict[str, Any], session: sessions.Session, meeting_id: str, form: dict[str, list[str]]
) -> Reply:
    """The organizer's change form: a new date and time (same room) and topic."""
    from oa_core.bookings.models import MeetingChange

    one = partial(form_value, form, strip=True)

    try:
        changes = MeetingChange(
            topic=one("topic") or None,
            start=f"{one('date')}T{one('start_time')}" if one("date") else None,
            end=f"{one('date')}T{one('end_time')}" if one("date") else None,
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
