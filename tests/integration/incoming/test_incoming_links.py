"""收文 decided by a leader's emailed link (the phone page over HTTP): 批办 with its 批示, 传阅's 已阅, and
延期 approved and refused; and 催办 of a 传阅 not yet read."""

from __future__ import annotations

import re
from typing import Any

import pytest

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.platform import clock
from oa_core.platform.audit import AuditItem
from oa_core.workflow.storage import TaskItem
from oa_core.workflow.tasks import load_task
from tests.integration.incoming.flow_kit import (
    OFFICE_HEAD,
    decide,
    email_of,
    instructed,
    leader,
    link_path,
    plan,
    post_form,
    registered,
    stack,
    task_of,
    view,
    wait_incoming,
)
from tests.integration.kit import Api, invoke_function, outbox_seen, users_with

pytestmark = pytest.mark.integration
__all__ = ["stack"]
TITLE = "关于报送2026年度教育统计数据的通知"
SCHEDULED_EVENT = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "time": "", "detail": {}}


def task_id_in(page: str) -> str:
    found = re.search(r'name="task_id" value="([^"]+)"', page)
    assert found, "the form carries its task id"
    return found.group(1)


def test_the_leader_instructs_on_the_phone_page_from_the_emailed_link_once(stack: LocalStack) -> None:
    api = Api(stack)
    incoming_id = registered(api, stack, "关于链接批办测试的通知")
    decide(api, OFFICE_HEAD, incoming_id, "propose", opinion="拟请政策法规科主办，请领导批示。", plan=plan())
    path = link_path(stack, leader(), "关于链接批办测试的通知", "请批示来文")
    page = stack.invoke_http("GET", path)
    assert page.status == 200
    for shown in (
        "关于链接批办测试的通知",
        "示例市教育局",
        "示例教发〔2026〕12号",
        "拟请政策法规科主办",
        "政策法规科",
        "viewport",
    ):
        assert shown in page.text, shown
    assert view(api, incoming_id)["status"] == "instructing", "a GET decides nothing"
    task_id = task_id_in(page.text)
    status, done = post_form(stack, path, task_id=task_id, decision="approve", opinion="同意，请抓紧办理。")
    assert status == 200 and "同意，请抓紧办理。" in done
    assert wait_incoming(api, incoming_id, "handling")["handling"]["instruction"] == "同意，请抓紧办理。"
    assert load_task(task_id).decided_via == "link"
    again, used = post_form(stack, path, task_id=task_id, decision="approve", opinion="再次")
    assert again == 409 and "使用过" in used


def test_a_reader_marks_read_by_link_and_an_unread_reader_is_reminded_once_a_period(stack: LocalStack) -> None:
    api, reader = Api(stack), users_with("signer")[1]
    incoming_id = instructed(api, stack)
    task = task_of(api, reader, incoming_id, "read")
    past = clock.iso(clock.after_hours(-30))
    item = load_task(task["task_id"])
    item.update(actions=[TaskItem.due_at.set(past), TaskItem.GSI2SK.set(f"{past}#{item.task_id}")])
    before = len(stack.outbox())
    first = invoke_function(stack, "RemindersFunction", SCHEDULED_EVENT)
    assert first["reminded"] >= 1, first
    reminders = [m for m in stack.outbox()[before:] if "催办" in m["subject"] and TITLE in m["subject"]]
    assert len(reminders) == 1 and reminders[0]["links"], [m["subject"] for m in stack.outbox()[before:]]
    invoke_function(stack, "RemindersFunction", SCHEDULED_EVENT)
    assert len([m for m in stack.outbox()[before:] if "催办" in m["subject"] and TITLE in m["subject"]]) == 1
    path = link_path(stack, reader, TITLE, "催办")
    status, _ = post_form(stack, path, task_id=task["task_id"], decision="approve", opinion="已阅。")
    assert status == 200
    readers = view(api, incoming_id)["handling"]["readers"]
    assert readers[0]["read_at"] and readers[0]["note"] == "已阅。"
    assert any(
        a.action == "remind:read" and a.target == task["task_id"] for a in AuditItem.scan() if isinstance(a, AuditItem)
    )


def outcome_mail(stack: LocalStack, user_id: str, words: str) -> dict[str, Any]:
    """The 延期 outcome emailed to the person who asked."""
    found = wait_for(
        lambda: [m for m in stack.outbox() if email_of(user_id) in m["to"] and words in m["subject"]],
        f"the email to {user_id} saying {words}",
        FLOW_SECONDS,
        saw=outbox_seen(stack),
    )
    assert len(found) == 1, [m["subject"] for m in found]
    return dict(found[0])


def test_an_extension_the_leader_approves_by_link_moves_the_deadline_and_a_refused_one_keeps_it_each_emailed(
    stack: LocalStack,
) -> None:
    api, lead = Api(stack), "liuyang"
    incoming_id = instructed(api, stack)
    handle = task_of(api, lead, incoming_id, "handle")
    body = {"until": "2100-01-15", "reason": "需要等待统计部门的数据。"}
    status, asked = api.call("POST", f"/api/incoming/{incoming_id}/extensions", lead, body)
    assert status == 201, asked
    status, twice = api.call("POST", f"/api/incoming/{incoming_id}/extensions", lead, body)
    assert status == 409, twice
    status, other = api.call(
        "POST", f"/api/incoming/{incoming_id}/extensions", "xuhui", {**body, "until": "2099-01-01"}
    )
    assert status == 422, other  # 综合科's 办理时限 is 2099-12-30: an earlier date is no extension
    path = link_path(stack, leader(), TITLE, "延期")
    page = stack.invoke_http("GET", path)
    assert page.status == 200 and "需要等待统计部门的数据。" in page.text and "2100-01-15" in page.text
    status, _ = post_form(stack, path, task_id=asked["task_id"], decision="approve", opinion="同意延期")
    assert status == 200
    assert load_task(handle["task_id"]).due_at.startswith("2100-01-15")
    approved_mail = outcome_mail(stack, lead, "延期申请已获同意")
    assert "新的办理时限：2100-01-15" in approved_mail["text"] and "同意延期" in approved_mail["text"]
    status, refused = api.call(
        "POST", f"/api/incoming/{incoming_id}/extensions", lead, {"until": "2100-03-01", "reason": "再延期"}
    )
    assert status == 201, refused
    status, answer = api.decide(refused["task_id"], leader(), "reject", "不宜再延期")
    assert status == 200, answer
    assert load_task(handle["task_id"]).due_at.startswith("2100-01-15")
    refused_mail = outcome_mail(stack, lead, "延期申请未获同意")
    assert "不同意的理由：不宜再延期" in refused_mail["text"] and "办理时限不变：2100-01-15" in refused_mail["text"]
    states = [e["status"] for e in view(api, incoming_id)["handling"]["extensions"]]
    assert states == ["approved", "refused"]


def test_the_incoming_emails_and_link_pages_carry_no_internal_id_or_english(stack: LocalStack) -> None:
    from oa_core.identity import directory
    from tests.integration.web.test_no_ids_or_english import problems, visible

    api = Api(stack)
    before = len(stack.outbox())
    incoming_id = instructed(api, stack)
    path = link_path(stack, users_with("signer")[1], TITLE, "请阅来文")
    page = stack.invoke_http("GET", path)
    ids = {incoming_id, *(str(u["user_id"]) for u in directory.list_users())}
    found = problems("传阅 page", visible(page.text), ids)
    for message in stack.outbox()[before:]:
        found += problems(f"email {message['subject']}", f"{message['subject']}\n{message['text']}", ids)
    assert found == []
