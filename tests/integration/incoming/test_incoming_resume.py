"""重新执行 of a failed 收文: the office's 文书 (or the 系统管理员) continues it from the step that failed, keeping
its 收文编号 and what was decided; two resumes at once are one; the page offers it with a confirmation."""

from __future__ import annotations

import pytest

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.platform.audit import AuditItem
from oa_core.workflow.tasks import tasks_of
from tests.integration.incoming.flow_kit import (
    decide,
    instructed,
    leader,
    stack,
    task_of,
    view,
    wait_incoming,
)
from tests.integration.kit import Api, at_once, office_clerk, users_with
from tests.integration.web.test_incoming_step_pages import hidden_fields
from tests.integration.web.test_no_ids_or_english import problems, visible
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration
__all__ = ["stack"]
LEAD, ASSIST = "liuyang", "xuhui"
"""刘洋 承办s for 政策法规科 (主办), 徐慧 for 综合科 (协办)."""


def _failed_at_handle_after_the_assist_reported(api: Api, stack: LocalStack) -> str:
    """The 协办 reports; then the 主办's waiting 承办 fails for good (its Map item's task reported failed to Step
    Functions, as a step failing past its retries is), in this order whatever the machine's speed."""
    incoming_id = instructed(api, stack)
    decide(api, ASSIST, incoming_id, "handle", opinion="已提供综合科意见。")
    lead = task_of(api, LEAD, incoming_id, "handle")
    token = next(t.task_token for t in tasks_of(incoming_id) if t.task_id == lead["task_id"])
    stack.sfn.send_task_failure(taskToken=token, error="Lambda.Unknown", cause="the 承办 step failed for good")
    wait_incoming(api, incoming_id, "failed")
    return incoming_id


def test_a_failed_incoming_resumes_at_its_failed_step_once_keeping_its_number_and_the_results_given(
    stack: LocalStack,
) -> None:
    api, clerk = Api(stack), office_clerk()
    incoming_id = _failed_at_handle_after_the_assist_reported(api, stack)
    failed = view(api, incoming_id)
    assert failed["current_step"] == "handle" and failed["number"].startswith("收〔")

    status, body = api.call("POST", f"/api/incoming/{incoming_id}/resume", LEAD)
    assert status == 403 and "文书" in body["error"]["message"], body
    answers = at_once([lambda: api.call("POST", f"/api/incoming/{incoming_id}/resume", clerk) for _ in range(2)])
    assert sorted(status for status, _ in answers) == [200, 409], answers
    assert next(body for status, body in answers if status == 200)["resume_at"] == "handle"

    resumed = wait_incoming(api, incoming_id, "handling")
    assert resumed["number"] == failed["number"], "the 收文编号 is kept"
    decide(api, LEAD, incoming_id, "handle", opinion="已按要求报送统计数据。")
    decide(api, users_with("signer")[1], incoming_id, "read", opinion="阅")
    reopened = [t for t in tasks_of(incoming_id) if t.step == "handle" and t.assignee == ASSIST]
    assert all(t.status == "decided" for t in reopened), "the 协办 is not asked again"
    decide(api, clerk, incoming_id, "check", opinion="同意归档")
    archived = wait_incoming(api, incoming_id, "archived")
    assert archived["number"] == failed["number"]
    results = [h["result"] for h in archived["handling"]["handlers"]]
    assert results == ["已按要求报送统计数据。", "已提供综合科意见。"], "the 协办's earlier result stands"
    assert any(h["step_name"] == "继续办理" and "承办" in h["opinion"] for h in archived["history"])
    audited = [a for a in AuditItem.scan() if a.target == incoming_id and a.action == "resume"]
    assert {a.outcome for a in audited} >= {"ok", "denied"}
    status, body = api.call("POST", f"/api/incoming/{incoming_id}/resume", clerk)
    assert status == 409 and "失败" in body["error"]["message"], body


def test_the_failed_incoming_page_offers_继续办理_with_a_confirmation_to_the_clerk_only(stack: LocalStack) -> None:
    from oa_core.identity import directory

    api, clerk = Api(stack), office_clerk()
    incoming_id = _failed_at_handle_after_the_assist_reported(api, stack)
    path = f"/incoming/{incoming_id}"
    lead = Browser(stack)
    lead.sign_in(LEAD)
    assert 'id="resume-form"' not in lead.get(path).text
    office = Browser(stack)
    office.sign_in(clerk)
    page = office.get(path).text
    assert 'id="resume-form"' in page and 'data-confirm="确定从“承办”环节继续办理这份收文吗？"' in page
    ids = {incoming_id, *(str(u["user_id"]) for u in directory.list_users())}
    assert problems("继续办理 form", visible(page), ids) == []
    hidden = hidden_fields(page, "resume-form")
    answer = office.post(f"{path}/resume", hidden)
    assert answer.status == 303, answer.status
    wait_for(lambda: view(api, incoming_id)["status"] == "handling", "the 收文 handled again", FLOW_SECONDS)
    assert task_of(api, LEAD, incoming_id, "handle")


def test_a_resumed_lead_keeps_the_extension_its_leader_approved_before_the_failure(stack: LocalStack) -> None:
    api, clerk = Api(stack), office_clerk()
    incoming_id = instructed(api, stack)
    task_of(api, LEAD, incoming_id, "handle")  # the 主办's 承办 is open
    status, asked = api.call(
        "POST", f"/api/incoming/{incoming_id}/extensions", LEAD, {"until": "2100-01-15", "reason": "等待统计数据。"}
    )
    assert status == 201, asked
    assert api.decide(asked["task_id"], leader(), "approve", "同意")[0] == 200
    lead = task_of(api, LEAD, incoming_id, "handle")
    assert lead["due_at"].startswith("2100-01-15"), lead
    token = next(t.task_token for t in tasks_of(incoming_id) if t.task_id == lead["task_id"])
    stack.sfn.send_task_failure(taskToken=token, error="Lambda.Unknown", cause="the 承办 step failed for good")
    wait_incoming(api, incoming_id, "failed")
    assert api.call("POST", f"/api/incoming/{incoming_id}/resume", clerk)[0] == 200

    def reopened() -> dict[str, object] | None:
        found = [t for t in api.tasks(LEAD) if t["task_id"] == lead["task_id"]]
        return found[0] if found else None

    again = wait_for(reopened, "the 主办's 承办 task reopened by 继续办理", FLOW_SECONDS)
    assert str(again["due_at"]).startswith("2100-01-15"), again
    assert again["facts"] == {**lead["facts"], "deadline": "2100-01-15", "extended": "yes"}, again
