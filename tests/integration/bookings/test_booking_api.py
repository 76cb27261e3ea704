"""Rooms, vehicles and drivers through the HTTP API: conflict-free booking decided by DynamoDB."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from itertools import count
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from infra.local.stack import LocalStack
from tests.integration.kit import Api, at_once

pytestmark = pytest.mark.integration

SHANGHAI = ZoneInfo("Asia/Shanghai")
BOOKER, OTHER, ADMIN = "zhangwei", "lina", "admin"
_days = count(3)


def fresh_day() -> date:
    """A future day no other test of the module uses, so tests do not meet in the calendar."""
    return datetime.now(SHANGHAI).date() + timedelta(days=next(_days))


def at(day: date, hhmm: str) -> str:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).isoformat()


def window(day_from: date, day_to: date | None = None, start: str = "00:00", end: str = "23:30") -> str:
    """from/to query parameters (URL-encoded: the + of the offset would read as a space)."""
    return f"from={quote(at(day_from, start))}&to={quote(at(day_to or day_from, end))}"


def book(api: Api, user: str = BOOKER, **fields: Any) -> tuple[int, Any]:
    body = {"resource_id": "room-305", "title": "处务会", "participants": ["lina", "wangfang"], **fields}
    return api.call("POST", "/api/bookings", user, body)


def test_resources_are_listed_by_kind_capacity_and_equipment(stack: LocalStack) -> None:
    api = Api(stack)
    status, rooms = api.call("GET", "/api/resources?kind=room", BOOKER)
    assert status == 200
    assert {r["resource_id"] for r in rooms} == {"room-301", "room-305", "room-502"}
    status, big = api.call("GET", "/api/resources?kind=room&min_capacity=20&equipment=视频会议", BOOKER)
    assert [r["name"] for r in big] == ["第一会议室"]
    status, vehicles = api.call("GET", "/api/resources?kind=vehicle", BOOKER)
    assert {v["plate"] for v in vehicles} == {"京A·12345", "京A·67890"}
    assert api.call("GET", "/api/resources?kind=boat", BOOKER)[0] == 422
    assert api.call("GET", "/api/resources?kind=room", None)[0] == 401


def test_only_an_administrator_adds_a_resource(stack: LocalStack) -> None:
    api = Api(stack)
    room = {"resource_id": "room-601", "kind": "room", "name": "六楼会议室", "capacity": 20, "equipment": ["投影仪"]}
    status, body = api.call("POST", "/api/resources", BOOKER, room)
    assert status == 403 and "管理员" in body["error"]["message"]
    status, body = api.call("POST", "/api/resources", ADMIN, room)
    assert status == 201 and body["name"] == "六楼会议室"
    assert api.call("POST", "/api/resources", ADMIN, room)[0] == 409
    assert api.call("POST", "/api/resources", ADMIN, {**room, "resource_id": "bad id!"})[0] == 422


def test_a_booking_shows_in_the_occupancy_and_makes_the_room_busy(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    status, created = book(api, start=at(day, "09:00"), end=at(day, "10:30"))
    assert status == 201, created
    assert created["status"] == "confirmed" and created["booking_id"]
    status, occupied = api.call("GET", f"/api/resources/room-305/bookings?{window(day)}", BOOKER)
    assert status == 200
    assert [(b["booking_id"], b["start"], b["end"]) for b in occupied] == [
        (created["booking_id"], at(day, "09:00"), at(day, "10:30"))
    ]
    status, free = api.call("GET", f"/api/resources?kind=room&{window(day, start='10:00', end='11:00')}", BOOKER)
    assert "room-305" not in {r["resource_id"] for r in free}
    status, free = api.call("GET", f"/api/resources?kind=room&{window(day, start='10:30', end='11:00')}", BOOKER)
    assert "room-305" in {r["resource_id"] for r in free}


def test_an_overlapping_booking_is_refused_naming_the_meeting_its_time_and_organizer_not_its_id(
    stack: LocalStack,
) -> None:
    api = Api(stack)
    day = fresh_day()
    first = book(api, start=at(day, "14:00"), end=at(day, "15:00"), title="预算编制会")[1]
    status, body = book(api, OTHER, start=at(day, "14:30"), end=at(day, "16:00"))
    assert status == 409
    assert body["error"]["code"] == "conflict"
    message = body["error"]["message"]
    assert "预算编制会" in message and "14:00–15:00" in message and "张伟" in message
    assert first["booking_id"] not in message and "zhangwei" not in message and "(" not in message
    assert body["error"]["conflicts"][0]["booking_ids"] == [first["booking_id"]]


def test_a_time_that_is_no_time_says_what_to_type(stack: LocalStack) -> None:
    status, body = book(Api(stack), start="明天上午", end="明天中午")
    assert status == 422 and "请按 2026-12-02 09:00 的格式填写" in body["error"]["message"]
    assert "ISO" not in body["error"]["message"]


def test_back_to_back_bookings_both_succeed(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    assert book(api, start=at(day, "09:00"), end=at(day, "10:00"))[0] == 201
    assert book(api, OTHER, start=at(day, "10:00"), end=at(day, "11:00"))[0] == 201
    assert book(api, OTHER, start=at(day, "08:00"), end=at(day, "09:00"))[0] == 201


def test_fifty_concurrent_overlapping_requests_get_exactly_one_booking(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    results = at_once(
        [
            partial(book, api, start=at(day, f"{9 + n % 3}:00"), end=at(day, "12:00"), title=f"会议{n}")
            for n in range(50)
        ]
    )
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == 49
    _, occupied = api.call("GET", f"/api/resources/room-305/bookings?{window(day)}", BOOKER)
    assert len(occupied) == 1


def test_fifty_concurrent_requests_for_distinct_slots_all_succeed(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    slots = [(8 * 60 + 30 * n) for n in range(25)]  # 08:00 .. 20:00, half-hour slots

    def hhmm(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    calls = [
        partial(book, api, resource_id=room, start=at(day, hhmm(m)), end=at(day, hhmm(m + 30)))
        for m in slots
        for room in ("room-305", "room-502")
    ]
    results = at_once(calls)
    assert [status for status, _ in results] == [201] * 50, [body for status, body in results if status != 201]


def test_a_recurring_booking_is_all_or_nothing_and_names_the_occurrences_that_conflict(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    blocker = book(api, OTHER, start=at(day + timedelta(days=14), "09:00"), end=at(day + timedelta(days=14), "10:00"))
    assert blocker[0] == 201
    status, body = book(
        api, start=at(day, "09:00"), end=at(day, "10:00"), recurrence={"freq": "weekly", "count": 4}, title="周例会"
    )
    assert status == 409
    conflicts = body["error"]["conflicts"]
    assert [c["occurrence"] for c in conflicts] == [3]
    assert conflicts[0]["booking_ids"] == [blocker[1]["booking_id"]]
    status, occupied = api.call(
        "GET",
        f"/api/resources/room-305/bookings?{window(day, day + timedelta(days=22))}",
        BOOKER,
    )
    assert [b["booking_id"] for b in occupied] == [blocker[1]["booking_id"]], "nothing of the series was kept"
    status, created = book(
        api, start=at(day, "10:00"), end=at(day, "11:00"), recurrence={"freq": "weekly", "count": 4}, title="周例会"
    )
    assert status == 201 and len(created["occurrences"]) == 4


def test_a_long_recurring_series_spanning_several_transactions_rolls_back_whole(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day() + timedelta(days=60)
    last = day + timedelta(days=19)
    assert book(api, OTHER, start=at(last, "13:00"), end=at(last, "13:30"))[0] == 201
    status, body = book(
        api, start=at(day, "08:00"), end=at(day, "14:00"), recurrence={"freq": "daily", "count": 20}, title="封闭培训"
    )
    assert status == 409 and [c["occurrence"] for c in body["error"]["conflicts"]] == [20]
    status, occupied = api.call("GET", f"/api/resources/room-305/bookings?{window(day, last)}", BOOKER)
    assert len(occupied) == 1, "the 19 occurrences written (in three transactions) before the conflict were taken back"


def test_a_recurring_booking_racing_a_single_one_never_both_succeed(stack: LocalStack) -> None:
    api = Api(stack)
    for round_ in range(5):
        day = datetime.now(SHANGHAI).date() + timedelta(days=200 + 12 * round_)  # series never meet
        target = day + timedelta(days=7)
        results = at_once(
            [
                partial(
                    book, api, start=at(day, "15:00"), end=at(day, "16:00"), recurrence={"freq": "daily", "count": 10}
                ),
                partial(book, api, OTHER, start=at(target, "15:30"), end=at(target, "16:30")),
            ]
        )
        statuses = [status for status, _ in results]
        assert set(statuses) <= {201, 409} and statuses != [201, 201], statuses
        # Both may lose (the series held the slot for a moment, then gave everything back): never both win.
        _, held = api.call("GET", f"/api/resources/room-305/bookings?{window(day, day + timedelta(days=10))}", BOOKER)
        expected = {(201, 409): 10, (409, 201): 1, (409, 409): 0}[(statuses[0], statuses[1])]
        assert len(held) == expected, (statuses, held)


def test_cancelling_frees_the_slot_and_only_the_booker_or_an_administrator_may(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    booking_id = book(api, start=at(day, "16:00"), end=at(day, "17:00"))[1]["booking_id"]
    status, body = api.call("DELETE", f"/api/bookings/{booking_id}", OTHER)
    assert status == 403
    assert book(api, OTHER, start=at(day, "16:00"), end=at(day, "17:00"))[0] == 409
    status, body = api.call("DELETE", f"/api/bookings/{booking_id}", BOOKER)
    assert status == 200 and body == {"booking_id": booking_id, "status": "cancelled"}
    assert api.call("DELETE", f"/api/bookings/{booking_id}", BOOKER)[0] == 200, "cancelling twice is harmless"
    assert book(api, OTHER, start=at(day, "16:00"), end=at(day, "17:00"))[0] == 201
    assert api.call("DELETE", "/api/bookings/B20260101nothere00", BOOKER)[0] == 404


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"start": "11:00", "end": "10:00"}, "结束时间必须晚于开始时间"),
        ({"start": "10:15", "end": "11:00"}, "整30分钟"),
        ({"start": "08:00", "end": "21:00"}, "最多预订 12 小时"),
        ({"start": "2026-13-45T10:00", "end": "11:00"}, "不是有效时间"),
        ({"past": True}, "已经过去"),
        ({"resource_id": "room-999"}, "没有编号为 room-999"),
        ({"participants": ["nobody"]}, "不在组织机构中"),
        ({"title": ""}, "不能为空"),
        ({"recurrence": {"freq": "weekly", "count": 53}}, "“周期”"),
        ({"recurrence": {"freq": "monthly", "count": 3}}, "“周期”"),
        ({"colour": "red"}, "不认识的字段"),
    ],
)
def test_bad_booking_input_gets_422_or_404_with_a_message(
    stack: LocalStack, change: dict[str, Any], words: str
) -> None:
    api = Api(stack)
    day = fresh_day()
    fields: dict[str, Any] = {"start": at(day, "10:00"), "end": at(day, "11:00")}
    change = dict(change)
    if change.pop("past", False):
        yesterday = datetime.now(SHANGHAI).date() - timedelta(days=1)
        fields = {"start": at(yesterday, "10:00"), "end": at(yesterday, "11:00")}
    for key in ("start", "end"):
        if key in change and ":" in change[key] and len(change[key]) == 5:
            change[key] = at(day, change[key])
    status, body = book(api, **{**fields, **change})
    assert status in (404, 422), body
    assert words in body["error"]["message"]
