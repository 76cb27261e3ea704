"""收文's returns and races: a 承办 department's 退回 (不属于本单位职责) goes back to 拟办, the 文书's 改派
of the 主办 (audited), and races decided by DynamoDB conditions: two decisions on one task, and a 改派
racing the 主办's 办理结果."""

from __future__ import annotations

import pytest

from infra.local.stack import LocalStack
from oa_core.platform.audit import AuditItem
from oa_core.workflow.tasks import load_task
from tests.integration.incoming.flow_kit import (
    OFFICE_HEAD,
    decide,
    instructed,
    leader,
    plan,
    registered,
    stack,
    task_of,
    view,
    wait_incoming,
)
from tests.integration.kit import Api, at_once, office_clerk

pytestmark = pytest.mark.integration
__all__ = ["stack"]


def test_a_handling_department_returning_it_as_not_its_duty_sends_it_back_to_proposal_and_closes_the_rest(
    stack: LocalStack,
) -> None:
    api = Api(stack)
    incoming_id = instructed(api, stack)
    assist = task_of(api, "xuhui", incoming_id, "handle")
    decide(api, "liuyang", incoming_id, "handle", "return", opinion="不属于本单位职责，建议由财务科办理。")
    back = wait_incoming(api, incoming_id, "proposing")
    assert back["handling"]["round"] == 2
    assert load_task(assist["task_id"]).status == "cancelled"
    assert api.decide(assist["task_id"], "xuhui", "approve", "迟到的办理结果")[0] == 409
    decide(api, OFFICE_HEAD, incoming_id, "propose", opinion="改由财务科主办。", plan=plan(lead={"department": "cwk"}))
    decide(api, leader(), incoming_id, "instruct", opinion="同意")
    task_of(api, "chenjing", incoming_id, "handle")
    assert view(api, incoming_id)["handling"]["handlers"][0]["department_name"] == "财务科"


def test_the_clerk_reassigns_the_lead_department_and_only_the_new_one_reports(stack: LocalStack) -> None:
    api, clerk = Api(stack), office_clerk()
    incoming_id = instructed(api, stack)
    old = task_of(api, "liuyang", incoming_id, "handle")
    status, refused = api.call(
        "POST", f"/api/incoming/{incoming_id}/reassign", "liuyang", {"department": "cwk", "reason": "x"}
    )
    assert status == 403, refused
    status, bad = api.call("POST", f"/api/incoming/{incoming_id}/reassign", clerk, {"department": "zhk", "reason": "x"})
    assert status == 422 and "协办" in bad["error"]["message"]
    body = {"department": "cwk", "reason": "涉及经费，改由财务科主办。"}
    status, moved = api.call("POST", f"/api/incoming/{incoming_id}/reassign", clerk, body)
    assert status == 200 and moved["assignee"] == "chenjing", moved
    assert api.decide(old["task_id"], "liuyang", "approve", "旧主办的结果")[0] == 403
    assert task_of(api, "chenjing", incoming_id, "handle")["task_id"] == old["task_id"]
    handling = view(api, incoming_id)["handling"]
    assert handling["handlers"][0]["department_name"] == "财务科" and handling["handlers"][0]["assignee"] == "chenjing"
    assert any(
        a.action == "reassign" and a.actor == clerk and "财务科" in (a.detail or "")
        for a in AuditItem.scan()
        if isinstance(a, AuditItem)
    )
    assert any(h["step"] == "reassign" and "涉及经费" in h["opinion"] for h in view(api, incoming_id)["history"])


def test_two_decisions_on_one_task_at_once_are_one_decision_and_one_409(stack: LocalStack) -> None:
    api = Api(stack)
    incoming_id = registered(api, stack, "关于并发拟办测试的通知")
    task = task_of(api, OFFICE_HEAD, incoming_id, "propose")
    results = at_once(
        [
            lambda: api.decide(task["task_id"], OFFICE_HEAD, "approve", "拟办一", plan=plan()),
            lambda: api.decide(task["task_id"], OFFICE_HEAD, "approve", "拟办二", plan=plan(assist=[])),
        ]
    )
    assert sorted(status for status, _ in results) == [200, 409], results
    proposal = wait_incoming(api, incoming_id, "instructing")["handling"]["proposal"]
    winner = next(body for status, body in results if status == 200)
    assert proposal in ("拟办一", "拟办二") and winner["status"] == "instructing"
    assert load_task(task["task_id"]).opinion == proposal


def test_a_reassignment_racing_the_lead_departments_result_is_decided_by_one_condition(stack: LocalStack) -> None:
    api, clerk = Api(stack), office_clerk()
    incoming_id = instructed(api, stack)
    task = task_of(api, "liuyang", incoming_id, "handle")
    body = {"department": "cwk", "reason": "改由财务科主办。"}
    results = at_once(
        [
            lambda: api.call("POST", f"/api/incoming/{incoming_id}/reassign", clerk, body),
            lambda: api.decide(task["task_id"], "liuyang", "approve", "已办理完毕。"),
        ]
    )
    statuses = [status for status, _ in results]
    assert statuses.count(200) == 1 and all(s in (200, 403, 409) for s in statuses), results
    final = load_task(task["task_id"])
    lead = view(api, incoming_id)["handling"]["handlers"][0]
    if statuses[0] == 200:  # the 改派 won: the task is pending with 财务科
        assert final.status == "pending" and final.assignee == "chenjing" and lead["department"] == "cwk"
    else:  # the 办理结果 won: nothing moved
        assert final.status == "decided" and final.assignee == "liuyang" and lead["department"] == "zcfgk"


def test_a_handling_department_starts_a_reply_and_the_two_documents_link_to_each_other(stack: LocalStack) -> None:
    from tests.integration.kit import draft

    api = Api(stack)
    incoming_id = instructed(api, stack)
    body = draft(title="关于报送2026年度教育统计数据的复函", doc_type="函")
    status, refused = api.call("POST", f"/api/incoming/{incoming_id}/replies", "zhangwei", body)
    assert status == 403, refused  # 办公室 is no 承办 department of this 收文
    status, created = api.call("POST", f"/api/incoming/{incoming_id}/replies", "lina", body)
    assert status == 201, created
    reply = api.document(created["document_id"], "lina")
    assert reply["in_reply_to"] == incoming_id and reply["reply_to_number"] == "示例教发〔2026〕12号"
    assert view(api, incoming_id)["handling"]["replies"] == [created["document_id"]]
