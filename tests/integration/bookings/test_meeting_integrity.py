"""A meeting owns exactly the bookings it points to, whatever the timing (issue 11, defects 1 and 2).

Races run against the in-process stack with real threads released by a barrier (``at_once``), five
rounds each: change vs change, change vs cancel, delete vs approve. After each round the room's live
bookings are exactly the meeting's, and its MeetingFlow has ended (never failed, never stuck).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import count
from typing import Any
from urllib.parse import quote

import boto3
import pytest

from infra.local.polling import wait_for
from infra.local.stack import LocalStack
from oa_core.platform.clock import local_zone
from oa_core.platform.config import settings
from tests.integration.kit import Api, at_once

pytestmark = pytest.mark.integration

ORGANIZER, APPROVER, OUTSIDER = "zhangwei", "zhouqiang", "huangmin"
ROUNDS = 5
_days = count(150)


def fresh_day() -> date:
    return datetime.now(local_zone()).date() + timedelta(days=next(_days))


def at(day: date, hhmm: str) -> str:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=local_zone()).isoformat()


def apply(api: Api, room: str, day: date, topic: str, **fields: Any) -> dict[str, Any]:
    body = {"topic": topic, "room_id": room, "start": at(day, "09:00"), "end": at(day, "10:00")}
    status, created = api.call("POST", "/api/meetings", ORGANIZER, {**body, "participants": ["lina"], **fields})
    assert status == 201, created
    return dict(created)


def meeting(api: Api, meeting_id: str) -> dict[str, Any]:
    status, body = api.call("GET", f"/api/meetings/{meeting_id}", ORGANIZER)
    assert status == 200, body
    return dict(body)


def meeting_status(api: Api, meeting_id: str, wanted: str) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def reached() -> dict[str, Any] | None:
        seen.update(meeting(api, meeting_id))
        return dict(seen) if seen["status"] == wanted else None

    return dict(wait_for(reached, f"meeting {meeting_id} to be {wanted}", saw=lambda: f"status {seen.get('status')!r}"))


def live_bookings(api: Api, room: str, day: date) -> list[str]:
    window = f"from={quote(at(day, '00:00'))}&to={quote(at(day, '23:30'))}"
    status, body = api.call("GET", f"/api/resources/{room}/bookings?{window}", ORGANIZER)
    assert status == 200, body
    return sorted(b["booking_id"] for b in body)


def flows_ended(stack: LocalStack, meeting_id: str) -> list[str]:
    """The statuses of every MeetingFlow run of the meeting, once none is running any more."""
    arn = stack.state_machines["MeetingFlow"]

    def statuses() -> list[str]:
        runs = stack.sfn.list_executions(stateMachineArn=arn)["executions"]
        return [e["status"] for e in runs if e["name"].startswith(meeting_id)]

    wait_for(lambda: "RUNNING" not in statuses(), f"the MeetingFlow runs of {meeting_id} to end", saw=statuses)
    return statuses()


def test_two_changes_at_once_leave_one_booking_owned_by_the_meeting(stack: LocalStack) -> None:
    for round_no in range(ROUNDS):
        two_changes_at_once(Api(stack), round_no)


def two_changes_at_once(api: Api, round_no: int) -> None:
    day = fresh_day()
    created = apply(api, "room-305", day, f"变更竞争 {round_no}")
    meeting_status(api, created["meeting_id"], "confirmed")
    path = f"/api/meetings/{created['meeting_id']}/change"
    results = at_once(
        [
            lambda: api.call("POST", path, ORGANIZER, {"start": at(day, "14:00"), "end": at(day, "15:00")}),
            lambda: api.call("POST", path, ORGANIZER, {"start": at(day, "16:00"), "end": at(day, "17:00")}),
        ]
    )
    # Both may win one after the other (the second read the first's result); overlapping, one loses.
    assert 200 in {status for status, _ in results} <= {200, 409}, results
    for status, body in results:
        assert status == 200 or "刚刚" in body["error"]["message"], body
    now = meeting(api, created["meeting_id"])
    assert live_bookings(api, "room-305", day) == [now["booking_id"]], f"round {round_no}: no orphan booking"


def test_a_change_racing_a_cancel_leaves_no_booking_on_the_cancelled_meeting(stack: LocalStack) -> None:
    for round_no in range(ROUNDS):
        change_racing_cancel(Api(stack), round_no)


def change_racing_cancel(api: Api, round_no: int) -> None:
    day = fresh_day()
    created = apply(api, "room-305", day, f"变更与取消 {round_no}")
    meeting_status(api, created["meeting_id"], "confirmed")
    prefix = f"/api/meetings/{created['meeting_id']}"
    change, cancel = at_once(
        [
            lambda: api.call(
                "POST", f"{prefix}/change", ORGANIZER, {"start": at(day, "14:00"), "end": at(day, "15:00")}
            ),
            lambda: api.call("POST", f"{prefix}/cancel", ORGANIZER),
        ]
    )
    assert cancel[0] == 200 and change[0] in (200, 409), (change, cancel)
    assert meeting(api, created["meeting_id"])["status"] == "cancelled"
    assert live_bookings(api, "room-305", day) == [], f"round {round_no}: nothing left on a cancelled meeting"


def test_a_meetings_booking_cannot_be_deleted_and_says_where_to_cancel(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    created = apply(api, "room-305", day, "不可直接删除预订的会议")
    meeting_status(api, created["meeting_id"], "confirmed")
    for user in (ORGANIZER, "admin"):
        status, body = api.call("DELETE", f"/api/bookings/{created['booking_id']}", user)
        assert status == 409, body
        assert "会议" in body["error"]["message"] and created["meeting_id"] not in body["error"]["message"], body
    assert live_bookings(api, "room-305", day) == [created["booking_id"]], "the meeting keeps its room"


def test_a_dispatch_booking_cannot_be_deleted_and_says_where_to_cancel(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    trip = {"purpose": "调研", "passengers": 2, "origin": "机关", "destination": "开发区"}
    status, asked = api.call(
        "POST", "/api/dispatch", ORGANIZER, {**trip, "start": at(day, "09:00"), "end": at(day, "11:00")}
    )
    assert status == 201, asked
    choice = {"decision": "assign", "vehicle_id": "car-01", "driver_id": "driver-wang"}
    status, assigned = api.call("POST", f"/api/dispatch/{asked['dispatch_id']}/decision", APPROVER, choice)
    assert status == 200, assigned
    for booking_id in assigned["booking_ids"]:
        status, body = api.call("DELETE", f"/api/bookings/{booking_id}", ORGANIZER)
        assert status == 409, body
        assert "用车" in body["error"]["message"], body
    assert live_bookings(api, "car-01", day) == [assigned["booking_ids"][0]]


def test_deleting_a_held_booking_racing_the_approval_changes_nothing(stack: LocalStack) -> None:
    for round_no in range(ROUNDS):
        delete_racing_approve(stack, round_no)


def delete_racing_approve(stack: LocalStack, round_no: int) -> None:
    api = Api(stack)
    day = fresh_day()
    created = apply(api, "room-301", day, f"删除与审批 {round_no}")
    task = wait_for(
        lambda: next((t for t in api.tasks(APPROVER) if t["document_id"] == created["meeting_id"]), None),
        f"the approver's task for {created['meeting_id']}",
    )
    delete, approve = at_once(
        [
            lambda: api.call("DELETE", f"/api/bookings/{created['booking_id']}", ORGANIZER),
            lambda: api.decide(task["task_id"], APPROVER, "approve", "同意"),
        ]
    )
    assert delete[0] == 409 and approve[0] == 200, (delete, approve)
    meeting_status(api, created["meeting_id"], "confirmed")
    assert flows_ended(stack, created["meeting_id"]) == ["SUCCEEDED"], f"round {round_no}"
    assert live_bookings(api, "room-301", day) == [created["booking_id"]]


def test_a_confirm_that_cannot_confirm_ends_the_application_visibly(stack: LocalStack) -> None:
    """Should the held booking be gone anyway (an operator's hand in the table), 同意 cannot confirm it:
    the meeting says so and why, the organizer is told, and the flow ends, never failed or stuck."""
    api = Api(stack)
    day = fresh_day()
    created = apply(api, "room-301", day, "无法确认的会议")
    task = wait_for(
        lambda: next((t for t in api.tasks(APPROVER) if t["document_id"] == created["meeting_id"]), None), "task"
    )
    table = boto3.resource("dynamodb").Table(settings().bookings_table)
    pointer = table.get_item(Key={"PK": f"BOOKING#{created['booking_id']}", "SK": "META"})["Item"]
    table.update_item(
        Key={"PK": f"RES#{pointer['resource_id']!s}", "SK": pointer["booking_sk"]},
        UpdateExpression="SET #s = :c",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":c": "cancelled"},
    )
    assert api.decide(task["task_id"], APPROVER, "approve", "同意")[0] == 200
    ended = meeting_status(api, created["meeting_id"], "void")
    assert "预订" in ended["reason"], ended
    assert flows_ended(stack, created["meeting_id"]) == ["SUCCEEDED"]
    assert wait_for(
        lambda: [m for m in stack.outbox() if "zhangwei@" in m["to"][0] and "未能确认" in m["subject"]],
        "the organizer's email saying the meeting could not be confirmed",
    )


def test_a_confirm_step_that_fails_for_good_is_caught_and_the_meeting_says_so(stack: LocalStack) -> None:
    """MeetingFlow's Catch on Confirm: its attempts and retries all fail (throttled), the Void step
    ends the application as 未能确认 and frees the room, and the run succeeds."""
    api = Api(stack)
    arn = stack.state_machines["MeetingFlow"]

    def running() -> list[str]:
        return [e["name"] for e in stack.sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]]

    wait_for(lambda: running() == [], "earlier MeetingFlow runs to end (the faults are for this one)", saw=running)
    stack.inject_invoke_faults("MeetingFunction", 4, only_for={"action": "confirm"})
    day = fresh_day()
    created = apply(api, "room-305", day, "确认步骤失败的会议")
    ended = meeting_status(api, created["meeting_id"], "void")
    assert ended["reason"], ended
    assert flows_ended(stack, created["meeting_id"]) == ["SUCCEEDED"]
    assert live_bookings(api, "room-305", day) == [], "the room is free again"
