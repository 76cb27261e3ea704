"""会议申请 → 审批 → 会议通知 on the local stack: the real MeetingFlow ASL, handlers and mail."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import count
from typing import Any
from urllib.parse import quote, urlsplit

import boto3
import pytest

from infra.local.polling import wait_for
from infra.local.stack import LocalStack
from oa_core.platform.config import settings
from tests.integration.kit import Api

pytestmark = pytest.mark.integration

ORGANIZER, APPROVER = "zhangwei", "zhouqiang"
PARTICIPANTS = ["lina", "wangfang"]
_days = count(100)


def fresh_day() -> date:
    return datetime.now(settings_zone()).date() + timedelta(days=next(_days))


def settings_zone() -> Any:
    from oa_core.platform.clock import local_zone

    return local_zone()


def at(day: date, hhmm: str) -> str:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=settings_zone()).isoformat()


def apply(api: Api, room: str, day: date, **fields: Any) -> tuple[int, Any]:
    body = {
        "topic": "2026年度工作总结会",
        "room_id": room,
        "start": at(day, "09:00"),
        "end": at(day, "10:30"),
        "participants": PARTICIPANTS,
        "equipment": ["投影仪"],
        "description": "请各处室准备书面材料。",
        **fields,
    }
    return api.call("POST", "/api/meetings", ORGANIZER, body)


def meeting_status(api: Api, meeting_id: str, wanted: str) -> dict[str, Any]:
    last: dict[str, Any] = {}

    def reached() -> dict[str, Any] | None:
        last.update(api.call("GET", f"/api/meetings/{meeting_id}", ORGANIZER)[1])
        return dict(last) if last["status"] == wanted else None

    return dict(wait_for(reached, f"meeting {meeting_id} to be {wanted}", saw=lambda: f"status {last.get('status')!r}"))


def mails_to(stack: LocalStack, user: str, words: str) -> list[dict[str, Any]]:
    return [m for m in stack.outbox() if any(t.startswith(f"{user}@") for t in m["to"]) and words in m["subject"]]


def test_a_room_that_needs_approval_is_held_then_confirmed_and_everyone_invited(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    status, created = apply(api, "room-301", day)
    assert status == 201, created
    assert created["status"] == "pending_approval"
    taken = api.call(
        "POST",
        "/api/bookings",
        "lina",
        {"resource_id": "room-301", "start": at(day, "10:00"), "end": at(day, "11:00"), "title": "抢占"},
    )
    assert taken[0] == 409, "the held slot is nobody else's"
    task = wait_for(
        lambda: next((t for t in api.tasks(APPROVER) if t["document_id"] == created["meeting_id"]), None),
        "the approver's task",
    )
    assert task["step"] == "meeting"
    assert wait_for(lambda: mails_to(stack, APPROVER, "请审批会议室预订"), "the approver's email")
    status, decided = api.decide(task["task_id"], APPROVER, "approve", "同意")
    assert status == 200, decided
    meeting_status(api, created["meeting_id"], "confirmed")
    invitations = wait_for(lambda: mails_to(stack, "lina", "会议通知"), "lina's invitation")
    [attachment] = invitations[-1]["attachments"]
    assert attachment["filename"] == "invite.ics"
    assert attachment["content_type"].startswith("text/calendar") and "REQUEST" in attachment["content_type"]
    attending = api.call("GET", "/api/meetings", "wangfang")[1]["attending"]
    assert created["meeting_id"] in {m["meeting_id"] for m in attending}
    status, occupied = api.call(
        "GET",
        f"/api/resources/room-301/bookings?from={quote(at(day, '00:00'))}&to={quote(at(day, '23:30'))}",
        ORGANIZER,
    )
    assert [b["status"] for b in occupied] == ["confirmed"]


def test_the_approver_decides_from_the_emailed_link(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    created = apply(api, "room-301", day, topic="链接审批的会议")[1]
    mail = wait_for(
        lambda: [m for m in mails_to(stack, APPROVER, "链接审批的会议") if m["links"]], "the approval email"
    )[-1]
    path = urlsplit(mail["links"][0]).path
    page = stack.invoke_http("GET", path)
    assert page.status == 200 and "链接审批的会议" in page.text and "不同意" in page.text
    task_id = page.text.split('name="task_id" value="')[1].split('"')[0]
    done = stack.invoke_http(
        "POST",
        path,
        body=f"task_id={task_id}&decision=approve&opinion=",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert done.status == 200 and "会议已确认" in done.text
    meeting_status(api, created["meeting_id"], "confirmed")


def test_a_rejected_application_frees_the_room_and_tells_the_organizer(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    created = apply(api, "room-301", day, topic="被否决的会议")[1]
    task = wait_for(
        lambda: next((t for t in api.tasks(APPROVER) if t["document_id"] == created["meeting_id"]), None), "task"
    )
    assert api.decide(task["task_id"], APPROVER, "return", "请改期")[0] == 422, "a meeting is approved or not"
    assert api.decide(task["task_id"], APPROVER, "reject", "当天会议室另有安排")[0] == 200
    meeting_status(api, created["meeting_id"], "rejected")
    assert wait_for(lambda: mails_to(stack, ORGANIZER, "未批准"), "the organizer's email")
    again = apply(api, "room-301", day, topic="另一个会议")
    assert again[0] == 201, "the slot is free again"


def test_a_room_without_approval_is_confirmed_at_once(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    status, created = apply(api, "room-305", day, topic="无需审批的会议")
    assert status == 201 and created["status"] == "confirmed"
    meeting_status(api, created["meeting_id"], "confirmed")
    assert wait_for(lambda: mails_to(stack, "wangfang", "无需审批的会议"), "invitation")


@pytest.fixture
def short_holds(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MEETING_HOLD_SECONDS", "2")
    settings.cache_clear()
    yield
    monkeypatch.undo()
    settings.cache_clear()


def test_an_unanswered_hold_expires_and_frees_the_room(stack: LocalStack, short_holds: None) -> None:
    api = Api(stack)
    day = fresh_day()
    created = apply(api, "room-301", day, topic="无人审批的会议")[1]
    meeting_status(api, created["meeting_id"], "expired")
    assert not [t for t in api.tasks(APPROVER) if t["document_id"] == created["meeting_id"]]
    assert wait_for(lambda: mails_to(stack, ORGANIZER, "已过期"), "the organizer's email")
    assert apply(api, "room-301", day, topic="补订")[0] == 201


def approvals_being_opened(stack: LocalStack, api: Api) -> list[str]:
    """Meetings whose running MeetingFlow may still call open_approval: awaiting approval, no task yet."""
    machine = stack.state_machines["MeetingFlow"]
    running = stack.sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"]
    asked = {t["document_id"] for t in api.tasks(APPROVER)}
    return [
        e["name"]
        for e in running
        if e["name"] not in asked
        and api.call("GET", f"/api/meetings/{e['name']}", ORGANIZER)[1]["status"] == "pending_approval"
    ]


def test_an_approval_opened_after_the_flow_released_the_room_asks_nobody(stack: LocalStack) -> None:
    """The invocation that opens the approval can end after the flow has moved on: the hold's timeout
    counts it (a slow machine with a short hold), or the flow gave up on it. The room is released
    then, and that late invocation must leave the approver nothing to decide."""
    api = Api(stack)
    topic = "审批打开得太晚的会议"
    # AwaitApproval's first attempt and its three retries are throttled: the flow expires the hold.
    # The faults are for open_approval calls only, and only once no other meeting's approval is
    # still being opened (an earlier test's flow could take them).
    wait_for(
        lambda: approvals_being_opened(stack, api) == [],
        "other meetings' approvals to be opened",
        saw=lambda: f"still being opened: {approvals_being_opened(stack, api)}",
    )
    stack.inject_invoke_faults("MeetingFunction", 4, only_for={"action": "open_approval"})
    created = apply(api, "room-301", fresh_day(), topic=topic)[1]
    meeting_status(api, created["meeting_id"], "expired")
    assert not [t for t in api.tasks(APPROVER) if t["document_id"] == created["meeting_id"]]
    late = {"meeting_id": created["meeting_id"], "action": "open_approval", "task_token": "token-of-the-late-step"}
    reply = boto3.client("lambda").invoke(FunctionName="MeetingFunction", Payload=json.dumps(late).encode())
    assert reply.get("FunctionError"), "the late step fails; its flow has ended anyway"
    assert json.loads(reply["Payload"].read())["errorType"] == "Conflict"
    assert not [t for t in api.tasks(APPROVER) if t["document_id"] == created["meeting_id"]]
    assert not mails_to(stack, APPROVER, topic), "no approval email for a released room"


def test_cancelling_a_confirmed_meeting_sends_a_cancellation_and_frees_the_room(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    created = apply(api, "room-305", day, topic="将取消的会议")[1]
    meeting_status(api, created["meeting_id"], "confirmed")
    assert api.call("POST", f"/api/meetings/{created['meeting_id']}/cancel", "lina")[0] == 403
    status, cancelled = api.call("POST", f"/api/meetings/{created['meeting_id']}/cancel", ORGANIZER)
    assert status == 200 and cancelled["status"] == "cancelled"
    assert wait_for(lambda: mails_to(stack, "lina", "会议取消"), "the cancellation")
    assert apply(api, "room-305", day, topic="新会议")[0] == 201


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"room_id": "room-502", "equipment": ["投影仪"]}, "没有投影仪"),
        (
            {
                "room_id": "room-502",
                "equipment": [],
                "participants": ["lina", "wangfang", "huangmin", "liuyang", "chenjing", "yangfan"],
            },
            "只能容纳 6 人",
        ),
        ({"room_id": "car-01"}, "不是会议室"),
        ({"participants": []}, "参会"),
        ({"topic": ""}, "不能为空"),
    ],
)
def test_a_bad_application_is_refused_with_a_message(stack: LocalStack, fields: dict[str, Any], words: str) -> None:
    api = Api(stack)
    status, body = apply(api, fields.pop("room_id", "room-305"), fresh_day(), **fields)
    assert status == 422, body
    assert words in body["error"]["message"]


def test_changing_a_meeting_moves_its_booking_and_sends_updated_invitations(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    created = apply(api, "room-305", day, topic="将变更的会议", participants=["lina", "wangfang"])[1]
    meeting_status(api, created["meeting_id"], "confirmed")
    change = {"start": at(day, "15:00"), "end": at(day, "16:00"), "participants": ["lina", "huangmin"]}
    assert api.call("POST", f"/api/meetings/{created['meeting_id']}/change", "lina", change)[0] == 403
    status, changed = api.call("POST", f"/api/meetings/{created['meeting_id']}/change", ORGANIZER, change)
    assert status == 200, changed
    assert changed["start"] == at(day, "15:00") and changed["booking_id"] != created["booking_id"]
    assert wait_for(lambda: mails_to(stack, "lina", "会议变更：将变更的会议"), "the updated invitation")
    assert wait_for(lambda: mails_to(stack, "wangfang", "会议取消：将变更的会议"), "the removed participant's CANCEL")
    assert wait_for(lambda: mails_to(stack, "huangmin", "会议变更：将变更的会议"), "the added participant's invitation")
    assert apply(api, "room-305", day, topic="占用原时段")[0] == 201, "the old slot is free"
    taken = apply(api, "room-305", day, topic="撞新时段", start=at(day, "15:30"), end=at(day, "16:30"))
    assert taken[0] == 409, "the new slot is held"
    attending = api.call("GET", "/api/meetings", "huangmin")[1]["attending"]
    assert [m["start"] for m in attending if m["meeting_id"] == created["meeting_id"]] == [at(day, "15:00")]
