"""Concurrency is decided by DynamoDB: numbering under load, retried steps, simultaneous decisions."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from infra.local.polling import flows_seconds
from infra.local.stack import LocalStack
from oa_core.outgoing.storage import DocumentItem
from oa_core.platform.audit import AuditItem
from oa_core.platform.storage import CounterItem, RecordItem, doc_pk
from oa_core.workflow.storage import TaskItem
from tests.integration.kit import (
    Api,
    approve,
    at_once,
    invoke_function,
    pending_task,
    submit,
    users_with,
    wait_all_status,
    wait_status,
)

pytestmark = pytest.mark.integration


def records_of(document_id: str) -> list[str]:
    """A document's tasks and audit trail in order, to explain a refused decision."""
    lines = []
    for item in RecordItem.query(doc_pk(document_id), consistent_read=True):
        if isinstance(item, TaskItem):
            lines.append(f"{item.SK} status={item.status} assignee={item.assignee} decided_at={item.decided_at}")
        elif isinstance(item, DocumentItem):
            lines.append(f"document status={item.status} version={item.version} step={item.current_step}")
    for audit in AuditItem.by_subject.query(f"SUBJECT#{document_id}"):
        lines.append(f"{audit.at} {audit.actor} {audit.action} {audit.outcome} {audit.detail}")
    return lines


BURST = 20


# Guarded by twice its flows' deadline: the waits below give up first, saying what they saw.
@pytest.mark.timeout(2 * flows_seconds(BURST))
def test_twenty_documents_signed_at_once_get_numbers_one_to_twenty(stack: LocalStack) -> None:
    api = Api(stack)
    drafter, reviewer, signer = (
        users_with("drafter")[0],
        users_with("reviewer")[0],
        users_with("signer")[0],
    )
    documents = [submit(api, drafter, title=f"关于第{i}项工作的通知", distribute_to=[]) for i in range(BURST)]
    for doc_id in documents:
        approve(api, reviewer, doc_id, "review")
    sign_tasks = [pending_task(api, signer, doc_id, "sign")["task_id"] for doc_id in documents]

    def sign(task_id: str) -> Callable[[], Any]:
        return lambda: api.decide(task_id, signer, "approve", "同意")

    results = at_once([sign(task_id) for task_id in sign_tasks])
    refused = [(status, body, records_of(documents[i])) for i, (status, body) in enumerate(results) if status != 200]
    assert refused == [], f"every signer's decision is accepted: {refused}"

    # Twenty flows run together and share the stack's interpreter (each typesets a PDF): one deadline
    # for them all, sized to twenty flows. The test is about uniqueness, not speed.
    numbers = [doc["number"] for doc in wait_all_status(api, documents, "archived", drafter)]
    sequence = sorted(int(re.fullmatch(r"示例办发〔\d{4}〕(\d+)号", n).group(1)) for n in numbers)  # type: ignore[union-attr]
    assert sequence == list(range(1, BURST + 1)), "unique and gap-free"


def test_a_retried_number_step_keeps_its_number(stack: LocalStack) -> None:
    api = Api(stack)
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter, distribute_to=[])
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    first = wait_status(api, doc_id, "archived", drafter)["number"]
    counter_before = [int(c.value) for c in CounterItem.scan() if isinstance(c, CounterItem)]
    again = invoke_function(stack, "NumberFunction", {"document_id": doc_id})
    assert again == {"number": first}
    assert [int(c.value) for c in CounterItem.scan() if isinstance(c, CounterItem)] == counter_before


def test_two_simultaneous_decisions_on_one_task_one_wins_one_gets_409(stack: LocalStack) -> None:
    api = Api(stack)
    drafter, reviewer = users_with("drafter")[0], users_with("reviewer")[0]
    doc_id = submit(api, drafter)
    task = pending_task(api, reviewer, doc_id, "review")
    results = at_once(
        [
            lambda: api.decide(task["task_id"], reviewer, "approve", "同意"),
            lambda: api.decide(task["task_id"], reviewer, "reject", "不同意"),
        ]
    )
    assert sorted(status for status, _ in results) == [200, 409]
    loser = next(body for status, body in results if status == 409)
    assert loser["error"]["code"] == "conflict"
    doc = api.document(doc_id, drafter)
    assert [h["step"] for h in doc["history"]].count("review") == 1
