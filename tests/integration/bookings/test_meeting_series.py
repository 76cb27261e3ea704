"""周期会议 over the API: every occurrence is its own meeting, all are held or none, and of two series
racing for one slot exactly one wins, the other leaving nothing behind."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from infra.local.stack import LocalStack
from tests.integration.kit import Api, at_once

pytestmark = pytest.mark.integration

SHANGHAI = ZoneInfo("Asia/Shanghai")


def day_in(days: int) -> date:
    return datetime.now(SHANGHAI).date() + timedelta(days=days)


def series(day: date, topic: str, room: str = "room-502", count: int = 3, **extra: Any) -> dict[str, Any]:
    return {
        "topic": topic,
        "room_id": room,
        "start": f"{day.isoformat()}T09:00+08:00",
        "end": f"{day.isoformat()}T10:00+08:00",
        "participants": ["lina"],
        "recurrence": {"freq": "weekly", "count": count},
        **extra,
    }


def bookings(api: Api, room: str, first: date, weeks: int) -> list[dict[str, Any]]:
    end = first + timedelta(days=7 * weeks)
    status, found = api.call(
        "GET", f"/api/resources/{room}/bookings?from={first.isoformat()}T00:00&to={end.isoformat()}T00:00", "admin"
    )
    assert status == 200, found
    return list(found)


def test_a_weekly_application_makes_one_meeting_per_week_each_held_for_approval(stack: LocalStack) -> None:
    api = Api(stack)
    first = day_in(70)
    status, created = api.call("POST", "/api/meetings", "zhangwei", series(first, "党组理论学习", room="room-301"))
    assert status == 201, created
    assert len(created["occurrences"]) == 3 and created["occurrences"][0] == created["meeting_id"]
    for week, meeting_id in enumerate(created["occurrences"]):
        status, meeting = api.call("GET", f"/api/meetings/{meeting_id}", "zhangwei")
        assert status == 200, meeting
        assert meeting["status"] == "pending_approval"
        assert meeting["start"].startswith((first + timedelta(days=7 * week)).isoformat())
    held = bookings(api, "room-301", first, 3)
    assert len(held) == 3 and {b["status"] for b in held} == {"held"}


def test_two_series_racing_for_one_slot_leave_exactly_one_series_and_nothing_of_the_other(stack: LocalStack) -> None:
    api = Api(stack)
    first = day_in(90)
    calls = [
        partial(api.call, "POST", "/api/meetings", "zhangwei", series(first, "甲系列")),
        # its second occurrence falls on 甲系列's third
        partial(
            api.call,
            "POST",
            "/api/meetings",
            "lina",
            series(first + timedelta(days=7), "乙系列", count=2, participants=["wangfang"]),
        ),
    ]
    results = at_once(calls)
    statuses = sorted(status for status, _ in results)
    assert statuses == [201, 409], results
    winner = next(body for status, body in results if status == 201)
    kept = bookings(api, "room-502", first, 4)
    assert len(kept) == len(winner["occurrences"]), kept
    refused = next(body for status, body in results if status == 409)
    assert refused["error"]["message"], refused


def test_a_series_of_more_than_52_or_an_unknown_frequency_is_refused_in_chinese(stack: LocalStack) -> None:
    api = Api(stack)
    for recurrence in ({"freq": "weekly", "count": 53}, {"freq": "monthly", "count": 3}):
        status, body = api.call(
            "POST", "/api/meetings", "zhangwei", {**series(day_in(75), "x"), "recurrence": recurrence}
        )
        assert status == 422, body
        assert body["error"]["message"], body
