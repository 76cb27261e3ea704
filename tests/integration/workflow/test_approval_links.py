"""Approval links: only the form's POST decides, once, for its own decider; bad links say why."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from infra.local.stack import LocalStack
from oa_core.platform import clock
from oa_core.workflow.storage import LinkItem
from tests.integration.kit import (
    Api,
    approve,
    outbox_seen,
    pending_task,
    submit,
    task_tokens,
    users_with,
    wait_for,
)

pytestmark = pytest.mark.integration


def link_for(stack: LocalStack, email_of: str, title: str) -> str:
    def mails() -> list[dict[str, Any]]:
        return [m for m in stack.outbox() if email_of in m["to"] and title in m["subject"] and m["links"]]

    # The task is saved before its email is sent: wait for the email as a person would.
    found = wait_for(mails, f"an email with a link for {email_of}", saw=outbox_seen(stack))
    return str(urlsplit(found[-1]["links"][0]).path)


def email(user_id: str) -> str:
    from oa_core.identity import directory

    user = directory.get_user(user_id)
    assert user
    return str(user["email"])


def post_form(stack: LocalStack, path: str, **fields: str) -> tuple[int, str]:
    response = stack.invoke_http(
        "POST",
        path,
        body=urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return response.status, response.text


def get_page(stack: LocalStack, path: str) -> tuple[int, str]:
    response = stack.invoke_http("GET", path)
    return response.status, response.text


def task_id_in(page: str) -> str:
    found = re.search(r'name="task_id" value="([^"]+)"', page)
    assert found, "the form carries its task id"
    return found.group(1)


def test_get_only_shows_the_form_and_changes_nothing(stack: LocalStack) -> None:
    api = Api(stack)
    reviewer = users_with("reviewer")[0]
    doc_id = submit(api, title="关于链接只读测试的通知")
    pending_task(api, reviewer, doc_id, "review")
    path = link_for(stack, email(reviewer), "关于链接只读测试的通知")
    for _ in range(3):
        status, page = get_page(stack, path)
        assert status == 200 and 'name="decision"' in page and "关于链接只读测试的通知" in page
    doc = api.document(doc_id, reviewer)
    assert doc["status"] == "in_review" and doc["pending"] == [reviewer]


def test_the_form_post_decides_once_and_a_reused_link_says_it_was_used(stack: LocalStack) -> None:
    api = Api(stack)
    reviewer = users_with("reviewer")[0]
    doc_id = submit(api, title="关于链接单次使用测试的通知")
    pending_task(api, reviewer, doc_id, "review")
    path = link_for(stack, email(reviewer), "关于链接单次使用测试的通知")
    _, page = get_page(stack, path)
    status, done = post_form(stack, path, task_id=task_id_in(page), decision="approve", opinion="同意")
    assert status == 200 and "同意" in done
    status, again = post_form(stack, path, task_id=task_id_in(page), decision="reject", opinion="改主意了")
    assert status == 409 and "已" in again and "使用" in again
    status, page = get_page(stack, path)
    assert status == 409
    history = api.document(doc_id, reviewer)["history"]
    assert [h["decision"] for h in history if h["step"] == "review"] == ["approve"]


def test_forged_and_expired_links_change_nothing_and_say_why(stack: LocalStack) -> None:
    api = Api(stack)
    reviewer = users_with("reviewer")[0]
    doc_id = submit(api, title="关于过期链接测试的通知")
    task = pending_task(api, reviewer, doc_id, "review")
    status, page = post_form(stack, "/approvals/forged-link-id-0123456789", task_id=task["task_id"], decision="approve")
    assert status == 404 and "链接无效" in page

    path = link_for(stack, email(reviewer), "关于过期链接测试的通知")
    for link in LinkItem.scan():
        if isinstance(link, LinkItem) and link.task_id == task["task_id"]:
            link.update(actions=[LinkItem.expires_at.set(clock.iso(clock.after_hours(-1)))])
    status, page = post_form(stack, path, task_id=task["task_id"], decision="approve")
    assert status == 410 and "过期" in page and "我的待办" in page
    assert api.document(doc_id, reviewer)["pending"] == [reviewer]


def test_a_link_cannot_decide_another_deciders_task(stack: LocalStack) -> None:
    api = Api(stack)
    reviewer, countersigner = users_with("reviewer")[0], users_with("countersigner")[0]
    doc_id = submit(api, title="关于他人链接测试的通知", countersigners=[countersigner])
    approve(api, reviewer, doc_id, "review")
    other_task = pending_task(api, countersigner, doc_id, "countersign")
    second_doc = submit(api, title="关于另一份他人链接测试的通知")
    pending_task(api, reviewer, second_doc, "review")
    path = link_for(stack, email(reviewer), "关于另一份他人链接测试的通知")
    status, page = post_form(stack, path, task_id=other_task["task_id"], decision="approve")
    assert status == 403 and "不属于" in page
    assert api.document(doc_id, countersigner)["pending"] == [countersigner]
    status, body = api.decide(other_task["task_id"], reviewer, "approve")
    assert status == 403, body


def test_a_missing_choice_keeps_the_opinion_and_says_what_is_missing(stack: LocalStack) -> None:
    api = Api(stack)
    reviewer = users_with("reviewer")[0]
    doc_id = submit(api, title="关于意见保留测试的通知")
    pending_task(api, reviewer, doc_id, "review")
    path = link_for(stack, email(reviewer), "关于意见保留测试的通知")
    _, page = get_page(stack, path)
    status, page = post_form(stack, path, task_id=task_id_in(page), decision="", opinion="我写了很长的意见")
    assert status == 422 and "我写了很长的意见" in page and "决定" in page


def test_task_tokens_never_leave_the_records_table(stack: LocalStack) -> None:
    api = Api(stack)
    reviewer = users_with("reviewer")[0]
    doc_id = submit(api, title="关于令牌不外泄测试的通知")
    pending_task(api, reviewer, doc_id, "review")
    path = link_for(stack, email(reviewer), "关于令牌不外泄测试的通知")
    _, page = get_page(stack, path)
    seen = [
        page,
        str(api.document(doc_id, reviewer)),
        str(api.tasks(reviewer)),
        str(stack.outbox()),
    ]
    tokens = task_tokens()
    assert tokens
    assert not any(token in text for token in tokens for text in seen)
