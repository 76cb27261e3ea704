"""会议变更 obeys every rule a 会议申请 obeys (issue 11, defect 3), and occupancy shows other people's
meetings as taken by a department (defect 8).

A change into a room that needs approval, or a new time in such a room, goes back to the approver; the
meeting keeps its old slot until the approver decides: 同意 swaps the bookings at once, 不同意 (or no
answer) releases the new hold and the meeting stays where it was.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from infra.local.polling import wait_for
from infra.local.stack import LocalStack
from tests.integration.bookings.test_meeting_integrity import (
    APPROVER,
    ORGANIZER,
    OUTSIDER,
    apply,
    at,
    flows_ended,
    fresh_day,
    live_bookings,
    meeting,
    meeting_status,
)
from tests.integration.kit import Api

pytestmark = pytest.mark.integration


def change(api: Api, meeting_id: str, **fields: Any) -> tuple[int, Any]:
    return api.call("POST", f"/api/meetings/{meeting_id}/change", ORGANIZER, fields)


def confirmed(api: Api, room: str, topic: str, **fields: Any) -> tuple[Any, dict[str, Any]]:
    day = fresh_day()
    created = apply(api, room, day, topic, **fields)
    if room == "room-301":
        approve_next(api, created["meeting_id"])
    meeting_status(api, created["meeting_id"], "confirmed")
    return day, created


def approver_task(api: Api, meeting_id: str) -> dict[str, Any]:
    return dict(
        wait_for(
            lambda: next((t for t in api.tasks(APPROVER) if t["document_id"] == meeting_id), None),
            f"the approver's task for {meeting_id}",
        )
    )


def approve_next(api: Api, meeting_id: str, decision: str = "approve") -> None:
    task = approver_task(api, meeting_id)
    status, body = api.decide(task["task_id"], APPROVER, decision, "同意" if decision == "approve" else "另有安排")
    assert status == 200, body


@pytest.mark.parametrize(
    ("room", "fields", "words"),
    [
        ("room-502", {"participants": ["lina", "wangfang", "huangmin", "liuyang", "chenjing", "yangfan"]}, "只能容纳"),
        ("room-305", {"room_id": "room-502"}, "没有投影仪"),
        ("room-305", {"room_id": "car-01"}, "不是会议室"),
        ("room-305", {"end_hours": 13}, "最多预订 12 小时"),
    ],
)
def test_a_change_is_refused_where_an_application_would_be(
    stack: LocalStack, room: str, fields: dict[str, Any], words: str
) -> None:
    api = Api(stack)
    equipment = ["投影仪"] if room == "room-305" else []
    day, created = confirmed(api, room, f"违规变更 {words}", equipment=equipment)
    if "end_hours" in fields:
        fields = {"start": at(day, "08:00"), "end": at(day, f"{8 + fields.pop('end_hours'):02d}:00")}
    status, body = change(api, created["meeting_id"], **fields)
    assert status == 422, body
    assert words in body["error"]["message"], body
    assert meeting(api, created["meeting_id"])["booking_id"] == created["booking_id"]


def test_a_change_into_a_room_that_needs_approval_waits_for_the_approver_then_swaps(stack: LocalStack) -> None:
    api = Api(stack)
    day, created = confirmed(api, "room-305", "改到需审批会议室")
    status, pending = change(api, created["meeting_id"], room_id="room-301")
    assert status == 200, pending
    assert pending["change_status"] == "pending_approval" and pending["room_id"] == "room-305", pending
    assert live_bookings(api, "room-305", day) == [created["booking_id"]], "the old slot is kept meanwhile"
    [held] = live_bookings(api, "room-301", day)
    approve_next(api, created["meeting_id"])
    wait_for(
        lambda: meeting(api, created["meeting_id"])["room_id"] == "room-301" or None, "the meeting to move to room-301"
    )
    moved = meeting(api, created["meeting_id"])
    assert moved["status"] == "confirmed" and moved["booking_id"] == held and moved["change_status"] == ""
    assert live_bookings(api, "room-305", day) == [], "the old slot is free after the swap"
    assert live_bookings(api, "room-301", day) == [held]
    assert set(flows_ended(stack, created["meeting_id"])) == {"SUCCEEDED"}


def test_a_rejected_change_releases_the_new_hold_and_keeps_the_old_slot(stack: LocalStack) -> None:
    api = Api(stack)
    day, created = confirmed(api, "room-305", "变更被否决")
    assert change(api, created["meeting_id"], room_id="room-301")[0] == 200
    approve_next(api, created["meeting_id"], "reject")
    wait_for(lambda: meeting(api, created["meeting_id"])["change_status"] == "" or None, "the change to be decided")
    kept = meeting(api, created["meeting_id"])
    assert (
        kept["status"] == "confirmed" and kept["room_id"] == "room-305" and kept["booking_id"] == created["booking_id"]
    )
    assert live_bookings(api, "room-301", day) == [], "the new hold is released"
    assert live_bookings(api, "room-305", day) == [created["booking_id"]]
    assert set(flows_ended(stack, created["meeting_id"])) == {"SUCCEEDED"}


def test_a_new_time_in_a_room_that_needs_approval_goes_back_to_the_approver(stack: LocalStack) -> None:
    api = Api(stack)
    day, created = confirmed(api, "room-301", "审批会议室改时间")
    status, pending = change(api, created["meeting_id"], start=at(day, "09:30"), end=at(day, "21:30"))
    assert status == 200 and pending["change_status"] == "pending_approval", pending
    assert pending["start"] == created_start(day), "the meeting keeps its time until approved"
    approve_next(api, created["meeting_id"])
    wait_for(lambda: meeting(api, created["meeting_id"])["start"] == at(day, "09:30") or None, "the new time")
    assert live_bookings(api, "room-301", day) == [meeting(api, created["meeting_id"])["booking_id"]]


def created_start(day: Any) -> str:
    return at(day, "09:00")


def test_occupancy_shows_other_peoples_meetings_as_taken_by_a_department(stack: LocalStack) -> None:
    api = Api(stack)
    day, _ = confirmed(api, "room-305", "保密议题：人事调整")
    window = f"from={quote(at(day, '00:00'))}&to={quote(at(day, '23:30'))}"
    seen = {
        user: api.call("GET", f"/api/resources/room-305/bookings?{window}", user)[1]
        for user in (ORGANIZER, "lina", "admin", OUTSIDER)
    }
    for user in (ORGANIZER, "lina", "admin"):
        assert [b["title"] for b in seen[user]] == ["保密议题：人事调整"], user
    [other] = seen[OUTSIDER]
    assert other["title"] == "办公室 占用" and other["booker"] == "", other
