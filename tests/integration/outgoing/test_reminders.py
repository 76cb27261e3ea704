"""催办: the scheduled reminders Lambda, run through moto's Lambda against the real flow.

Time is moved in the table: a task is made overdue by setting its due time (``due_at`` and the
GSI2 sort key) into the past, and a period is made to pass by setting ``last_reminded_at`` back.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from unittest import mock
from urllib.parse import urlencode, urlsplit

import boto3
import pytest

from infra.local.polling import STEP_SECONDS, join_all, scaled
from infra.local.stack import LocalStack
from oa_core.identity import directory
from oa_core.platform import clock
from oa_core.platform.audit import AuditItem
from oa_core.platform.storage import doc_pk
from oa_core.workflow.storage import TaskItem
from tests.integration.kit import (
    Api,
    invoke_function,
    outbox_seen,
    pending_task,
    submit,
    users_with,
    wait_for,
    wait_status,
)

pytestmark = pytest.mark.integration

SCHEDULED_EVENT = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "time": "", "detail": {}}


def run_reminders(stack: LocalStack) -> dict[str, int]:
    return dict(invoke_function(stack, "RemindersFunction", SCHEDULED_EVENT))


def email(user_id: str) -> str:
    user = directory.get_user(user_id)
    assert user
    return str(user["email"])


def mails(stack: LocalStack, user_id: str, title: str, kind: str) -> list[dict[str, Any]]:
    """Emails to a user about a document whose subject names `kind` (催办, 督办, 请核稿…)."""
    return [
        m
        for m in stack.outbox()
        if email(user_id) in m["to"] and title in m["subject"] and kind in m["subject"].split("：", 1)[0]
    ]


def task_item(task_id: str) -> TaskItem:
    return TaskItem.get(doc_pk(task_id.split(".", 1)[0]), f"TASK#{task_id}", consistent_read=True)


def make_overdue(task_id: str, hours: int = 2) -> str:
    """Move the task's due time `hours` into the past (as the GSI2 sort key too)."""
    due = clock.iso(clock.now() - timedelta(hours=hours))
    task_item(task_id).update(actions=[TaskItem.due_at.set(due), TaskItem.GSI2SK.set(f"{due}#{task_id}")])
    return due


def let_period_pass(task_id: str, hours: int = 25) -> None:
    task_item(task_id).update(actions=[TaskItem.last_reminded_at.set(clock.iso(clock.now() - timedelta(hours=hours)))])


def audits(document_id: str, action: str) -> list[AuditItem]:
    return [item for item in AuditItem.by_subject.query(f"SUBJECT#{document_id}") if item.action == action]


def overdue_review(stack: LocalStack, title: str) -> tuple[str, str, str]:
    """A document waiting for 核稿, overdue by two hours: (document id, task id, due_at)."""
    api = Api(stack)
    reviewer = users_with("reviewer")[0]
    doc_id = submit(api, title=title)
    task = pending_task(api, reviewer, doc_id, "review")
    wait_for(lambda: mails(stack, reviewer, title, "请核稿"), "the first email to the reviewer", saw=outbox_seen(stack))
    return doc_id, str(task["task_id"]), make_overdue(str(task["task_id"]))


def test_an_overdue_task_gets_one_reminder_with_a_fresh_working_link(stack: LocalStack) -> None:
    title = "关于催办链接测试的通知"
    reviewer = users_with("reviewer")[0]
    doc_id, task_id, due = overdue_review(stack, title)

    run_reminders(stack)
    reminders = mails(stack, reviewer, title, "催办")
    assert len(reminders) == 1
    reminder = reminders[0]
    assert reminder["subject"].startswith("催办（核稿）：") and title in reminder["subject"]
    assert f"已于 {due[:16].replace('T', ' ')} 到期" in reminder["text"] and "超时" in reminder["text"]
    assert len(reminder["links"]) == 1 and "href" in reminder["html"]

    fresh = urlsplit(reminder["links"][0]).path
    first = urlsplit(mails(stack, reviewer, title, "请核稿")[0]["links"][0]).path
    assert fresh != first
    for path in (fresh, first):  # the new link works, and the old one stays valid until its expiry
        page = stack.invoke_http("GET", path)
        assert page.status == 200 and 'name="decision"' in page.text and title in page.text

    task = task_item(task_id)
    assert task.reminders_sent == 1 and task.last_reminded_at
    assert [a.outcome for a in audits(doc_id, "remind:review")] == ["sent"]

    # Same period: nothing more.
    run_reminders(stack)
    assert len(mails(stack, reviewer, title, "催办")) == 1
    assert task_item(task_id).reminders_sent == 1


def test_a_decided_task_is_never_reminded(stack: LocalStack) -> None:
    title = "关于已处理待办不催办的通知"
    reviewer = users_with("reviewer")[0]
    doc_id, task_id, _ = overdue_review(stack, title)
    run_reminders(stack)
    link = urlsplit(mails(stack, reviewer, title, "催办")[0]["links"][0]).path

    # Decide through the reminder's link.
    decided = stack.invoke_http(
        "POST",
        link,
        body=urlencode({"task_id": task_id, "decision": "approve", "opinion": "同意"}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert decided.status == 200, decided.text
    wait_status(Api(stack), doc_id, "signing", reviewer)

    # Even if the index still listed it (GSI2 is eventually consistent), the claim refuses it.
    task = task_item(task_id)
    assert task.status == "decided"
    task.update(actions=[TaskItem.GSI2PK.set("OPEN#review"), TaskItem.GSI2SK.set(f"{task.due_at}#{task_id}")])
    let_period_pass(task_id)
    summary = run_reminders(stack)
    assert summary["skipped"] >= 1
    assert len(mails(stack, reviewer, title, "催办")) == 1
    task_item(task_id).update(actions=[TaskItem.GSI2PK.remove(), TaskItem.GSI2SK.remove()])


def test_after_the_period_it_reminds_again_and_tells_the_signer_once(stack: LocalStack) -> None:
    title = "关于催办升级测试的通知"
    reviewer, signer = users_with("reviewer")[0], users_with("signer")[0]
    doc_id, task_id, _ = overdue_review(stack, title)
    escalate_after = int(stack.env["REMINDER_ESCALATE_AFTER"])
    assert escalate_after == 3

    for sent in range(1, escalate_after + 2):
        run_reminders(stack)
        assert len(mails(stack, reviewer, title, "催办")) == sent
        assert len(mails(stack, signer, title, "督办")) == (1 if sent >= escalate_after else 0)
        let_period_pass(task_id)

    escalation = mails(stack, signer, title, "督办")[0]
    reviewer_name = directory.get_user(reviewer)
    assert reviewer_name and reviewer_name["name"] in escalation["text"] and "核稿" in escalation["text"]
    assert escalation["links"] == []
    task = task_item(task_id)
    assert task.reminders_sent == escalate_after + 1 and task.escalated_at
    assert len(audits(doc_id, "escalate:review")) == 1
    assert len(audits(doc_id, "remind:review")) == escalate_after + 1


def test_concurrent_runs_send_one_reminder(stack: LocalStack) -> None:
    title = "关于并发催办测试的通知"
    reviewer = users_with("reviewer")[0]
    _, task_id, _ = overdue_review(stack, title)
    clients = [boto3.client("lambda") for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    errors: list[BaseException] = []

    def run(client: Any) -> None:
        try:
            barrier.wait(scaled(STEP_SECONDS))
            reply = client.invoke(FunctionName="RemindersFunction", Payload=b"{}")
            assert "FunctionError" not in reply, reply["Payload"].read()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(client,), name=f"reminders-{i}") for i, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    join_all(threads, f"{len(clients)} reminder runs at once to end")
    assert not errors, errors
    assert len(mails(stack, reviewer, title, "催办")) == 1
    assert task_item(task_id).reminders_sent == 1


def test_a_revision_reminder_has_no_link(stack: LocalStack) -> None:
    api = Api(stack)
    title = "关于修改催办测试的通知"
    reviewer, drafter = users_with("reviewer")[0], users_with("drafter")[0]
    doc_id = submit(api, drafter, title=title)
    task = pending_task(api, reviewer, doc_id, "review")
    status, body = api.decide(task["task_id"], reviewer, "return", "请补充")
    assert status == 200, body
    revise = pending_task(api, drafter, doc_id, "revise")
    make_overdue(str(revise["task_id"]))

    run_reminders(stack)
    reminders = mails(stack, drafter, title, "催办（修改）")
    assert len(reminders) == 1
    assert reminders[0]["links"] == [] and "我的待办" in reminders[0]["text"]


@contextmanager
def dynamodb_operations() -> Iterator[Counter[tuple[str, str]]]:
    """Count DynamoDB requests (operation, index) made in this process while inside."""
    import botocore.client

    counts: Counter[tuple[str, str]] = Counter()
    original = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]

    def counting(client: Any, operation: str, params: Any) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            counts[(operation, str(params.get("IndexName", "")))] += 1
        return original(client, operation, params)

    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", counting):
        yield counts


def test_reminders_query_gsi2_and_never_scan(stack: LocalStack) -> None:
    overdue_review(stack, "关于催办查询方式测试的通知")
    with dynamodb_operations() as counts:
        summary = run_reminders(stack)
    assert summary["reminded"] >= 1
    assert not [key for key in counts if key[0] == "Scan"], counts
    assert counts[("Query", "GSI2")] >= 4, counts  # one per human step at least
