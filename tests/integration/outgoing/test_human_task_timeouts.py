"""办理超时: a 发文 human step nobody decides within HumanTaskTimeoutHours ends the flow visibly.

The local stack runs with HumanTaskTimeoutHours=0.001 (4 s; the local stack does not enforce the
parameter's MinValue, as a deployed stack would): the document is failed at that step with the
reason 办理超时, its open tasks are closed, history and audit say so, the drafter is told, and a
文书 resumes it. Which finishes first on a loaded machine, the step's Lambda opening the task or
the timeout, does not matter: a task opened after the timeout is refused (nobody is asked).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from infra.local.polling import wait_for
from infra.local.stack import LocalStack
from oa_core.outgoing import flow
from oa_core.platform.audit import AuditItem
from oa_core.platform.config import settings
from tests.integration.kit import Api, approve, office_clerk, outbox_seen, pending_task, submit, users_with, wait_status

pytestmark = pytest.mark.integration

TINY_HOURS = "0.001"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(parameter_overrides={"HumanTaskTimeoutHours": TINY_HOURS}) as running:
        yield running


@pytest.fixture
def thirty_days(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Call it, and executions started from then on (a clerk's resume) wait the default 720 hours."""

    def switch() -> None:
        monkeypatch.setenv("HUMAN_TASK_TIMEOUT_HOURS", "720")
        settings.cache_clear()

    yield switch
    monkeypatch.undo()
    settings.cache_clear()


def audits(document_id: str) -> list[AuditItem]:
    return list(AuditItem.by_subject.query(f"SUBJECT#{document_id}"))


def failed_at(api: Api, document_id: str, step: str) -> dict[str, Any]:
    clerk = office_clerk()
    return dict(
        wait_for(
            lambda: (
                (doc := api.document(document_id, clerk))["status"] == "failed"
                and doc.get("failed_step") == step
                and doc
            ),
            f"{document_id} to time out at {step}",
            saw=lambda: str({k: api.document(document_id, clerk).get(k) for k in ("status", "failed_step", "pending")}),
        )
    )


def trail(document_id: str) -> str:
    """The document's audit trail, oldest first: what a failed assertion shows of how it got there."""
    rows = sorted((a.at, a.action, a.target, a.outcome, a.detail) for a in audits(document_id))
    return "\n".join(" ".join(map(str, row)) for row in rows)


def assert_timed_out_visibly(api: Api, document_id: str, step: str, waiting: list[str]) -> None:
    """The document is failed at ``step`` first (what failed_at sees), then its open tasks are closed and
    the timeout is written to its history and audit trail: wait for all of it, then check each."""
    failed_at(api, document_id, step)
    clerk = office_clerk()

    def settled() -> dict[str, Any] | None:
        doc = api.document(document_id, clerk)
        timed_out = any(h["step"] == step and h["decision"] == "timed_out" for h in doc["history"])
        audited = any(a.action == f"step:{step}" and a.outcome == "timed_out" for a in audits(document_id))
        return doc if doc["pending"] == [] and timed_out and audited else None

    doc = dict(
        wait_for(
            settled,
            f"{document_id}'s timeout at {step} to close its tasks and reach its history and audit trail",
            saw=lambda: f"pending {api.document(document_id, clerk)['pending']}; the trail:\n{trail(document_id)}",
        )
    )
    assert doc["failure_reason"].startswith("办理超时"), doc["failure_reason"]
    for person in waiting:
        assert not [t for t in api.tasks(person) if t["document_id"] == document_id], person
    assert {"step": step, "decision": "timed_out"}.items() <= next(
        h for h in reversed(doc["history"]) if h["step"] == step
    ).items()


def test_an_undecided_review_times_out_visibly_and_a_clerk_resumes_it(
    stack: LocalStack, thirty_days: Callable[[], None]
) -> None:
    api = Api(stack)
    drafter, reviewer, signer, clerk = (
        *(users_with(role)[0] for role in ("drafter", "reviewer", "signer")),
        office_clerk(),
    )
    title = "关于核稿超时测试的通知"
    doc_id = submit(api, drafter, title=title)
    assert_timed_out_visibly(api, doc_id, "review", [reviewer])
    wait_for(
        lambda: any(title in m["subject"] and "超过办理时限" in m["text"] for m in stack.outbox()),
        "the drafter's notice of the timeout",
        saw=outbox_seen(stack),
    )

    thirty_days()
    status, body = api.call("POST", f"/api/documents/{doc_id}/resume", clerk)
    assert status == 200 and body["resume_at"] == "review", body
    approve(api, reviewer, doc_id, "review")
    approve(api, signer, doc_id, "sign")
    archived = wait_status(api, doc_id, "archived", drafter)
    assert archived["number"]


def test_an_undecided_countersign_times_out_inside_its_map_and_closes_every_countersigner(
    stack: LocalStack, thirty_days: Callable[[], None]
) -> None:
    api = Api(stack)
    countersigners = users_with("countersigner")[:2]
    doc_id = submit(api, title="关于会签超时测试的通知", countersigners=countersigners, countersign_mode="parallel")
    failed_at(api, doc_id, "review")
    # The start a clerk's resume at 会签 makes (outgoing.resume), still with the stack's 4 s timeout.
    flow.start(doc_id, resume_at="countersign", attempt=90)
    assert_timed_out_visibly(api, doc_id, "countersign", countersigners)

    thirty_days()
    status, body = api.call("POST", f"/api/documents/{doc_id}/resume", office_clerk())
    assert status == 200 and body["resume_at"] == "countersign", body
    for person in countersigners:
        pending_task(api, person, doc_id, "countersign")
