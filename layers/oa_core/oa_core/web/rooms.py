"""会议室一览 and 周视图: the day grid of every room and a week grid per room. Free slots open the
application form; a booked cell opens its meeting for those who may see it, others see
「<部门> 占用」 (bookings.occupancy decides)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

from oa_core.bookings import occupancy, reservations
from oa_core.identity import sessions
from oa_core.platform import clock
from oa_core.platform.config import settings
from oa_core.platform.errors import InvalidInput
from oa_core.platform.fields import time_problem
from oa_core.web.pages import Reply, page

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


def _cells(taken: list[Any], day: date, viewer: dict[str, Any]) -> list[dict[str, Any]]:
    """One day of one room: each slot free (with its application link) or taken. A booking's first
    slot on the grid carries how many slots it covers (one cell, its whole title wrapping), whether it
    is 待审批 or 已确认, and the link to its meeting when ``viewer`` may open it; the slots it covers
    after that are ``covered`` (no cell of their own)."""
    slots = _slots(day)
    now = clock.now()
    cells: list[dict[str, Any]] = []
    for moment in slots:
        booking = next(
            (b for b in taken if clock.parse(b.start) <= moment < clock.parse(b.end)),
            None,
        )
        head = cells[-1]["head"] if cells and booking is not None and cells[-1]["booking"] is booking else None
        cell: dict[str, Any] = {
            "time": moment.strftime("%H:%M"),
            "start": clock.iso(moment),
            "booking": booking,
            "first": booking is not None and head is None,
            "covered": head is not None,
            "span": 1,
            "past": moment < now,
            "href": _link(booking, viewer) if booking is not None and head is None else "",
        }
        cell["head"] = head or (cell if booking is not None else None)
        if head is not None:
            head["span"] += 1
        cells.append(cell)
    return cells


def _link(booking: Any, viewer: dict[str, Any]) -> str:
    """The meeting page of a booked cell, for those the meeting page lets in (organizer, participants,
    administrators); others see 「<部门> 占用」 without a link."""
    if booking.owner_kind != "meeting" or not booking.owner_id:
        return ""
    if viewer["user_id"] in (booking.booker, *booking.participants) or "sysadmin" in viewer.get("roles", []):
        return f"/meetings/{quote(booking.owner_id)}"
    return ""


def rooms_day(user: dict[str, Any], session: sessions.Session, day_text: str) -> Reply:
    """会议室一览: every room's day, one Query per room."""
    day = _day(day_text)
    rooms = reservations.list_resources("room")
    columns: list[dict[str, Any]] = [
        {"room": room, "cells": _cells(_taken(room.resource_id, day, day, user), day, user)} for room in rooms
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
        {"day": d, "weekday": WEEKDAYS[d.weekday()], "cells": _cells(taken, d, user)} for d in days
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
