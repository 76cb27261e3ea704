"""协办退回: a 协办 department's 退回 (不属于本单位职责) ends only its own part — the 主办's work is kept, the
收文 goes on to 办结审核 and 归档, the office's 文书 and the 主办 are told — while the 主办's 退回 still goes
back to 拟办 (test_incoming_returns); a 协办's 退回 racing the 主办's 办理结果 keeps both."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.incoming import sheet
from oa_core.incoming.storage import load_incoming
from oa_core.platform.audit import AuditItem
from oa_core.workflow.tasks import load_task
from tests.integration.incoming.flow_kit import decide, email_of, instructed, stack, task_of, view, wait_incoming
from tests.integration.kit import Api, at_once, office_clerk, outbox_seen, users_with

pytestmark = pytest.mark.integration
__all__ = ["stack"]

LEAD, ASSIST, OTHER = "liuyang", "xuhui", "chenjing"
"""政策法规科's 负责人 (主办), 综合科's 文书 and 财务科's (协办)."""
NOT_OURS = "不属于本科职责，建议由财务科办理。"


def _reader() -> str:
    return users_with("signer")[1]


def _handlers(api: Api, incoming_id: str) -> list[dict[str, Any]]:
    return list(view(api, incoming_id)["handling"]["handlers"])


def _told(stack: LocalStack, user_id: str, title_part: str) -> dict[str, Any]:
    def mails() -> list[dict[str, Any]]:
        return [m for m in stack.outbox() if email_of(user_id) in m["to"] and "协办部门退回" in m["subject"]]

    found = wait_for(mails, f"the 协办退回 email to {user_id}", FLOW_SECONDS, saw=outbox_seen(stack))
    mail = dict(found[-1])
    assert title_part in mail["subject"] and NOT_OURS in mail["text"] and "综合科" in mail["text"], mail
    return mail


def test_an_assisting_departments_return_after_the_lead_reported_keeps_the_lead_result_and_reaches_the_archive(
    stack: LocalStack,
) -> None:
    api, clerk = Api(stack), office_clerk()
    incoming_id = instructed(api, stack)
    decide(api, LEAD, incoming_id, "handle", opinion="主办已办完。")
    decide(api, ASSIST, incoming_id, "handle", "return", opinion=NOT_OURS)
    decide(api, _reader(), incoming_id, "read", opinion="已阅。")
    checking = wait_incoming(api, incoming_id, "checking")
    assert checking["handling"]["round"] == 1 and checking["handling"]["result"] == "主办已办完。"
    lead, assist = checking["handling"]["handlers"]
    assert (lead["status"], lead["result"]) == ("done", "主办已办完。")
    assert (assist["status"], assist["result"]) == ("returned", NOT_OURS)
    assert any(h["decision_name"].startswith("协办退回") and h["opinion"] == NOT_OURS for h in checking["history"])
    _told(stack, clerk, "关于报送2026年度教育统计数据的通知")
    _told(stack, LEAD, "关于报送2026年度教育统计数据的通知")
    assert any(
        a.action == "decide:handle" and a.actor == ASSIST and a.outcome == "assist_returned"
        for a in AuditItem.scan()
        if isinstance(a, AuditItem) and a.document_id == incoming_id
    )
    lines = [entry.text for entry in sheet.contents(load_incoming(incoming_id)).handling]
    assert any("综合科" in line and "退回" in line and NOT_OURS in line for line in lines), lines
    decide(api, clerk, incoming_id, "check", opinion="同意归档")
    archived = wait_incoming(api, incoming_id, "archived")
    assert archived["handling"]["result"] == "主办已办完。" and archived["handling"]["archive_code"]


def test_an_assisting_departments_return_before_the_lead_ends_only_its_part_and_the_others_go_on(
    stack: LocalStack,
) -> None:
    api = Api(stack)
    incoming_id = instructed(api, stack, assist=[{"department": "zhk"}, {"department": "cwk"}])
    returned = task_of(api, ASSIST, incoming_id, "handle")
    status, refused = api.decide(returned["task_id"], ASSIST, "return", "")
    assert status == 422 and "理由" in refused["error"]["message"], refused
    decide(api, ASSIST, incoming_id, "handle", "return", opinion=NOT_OURS)
    assert load_task(returned["task_id"]).decision == "return"
    still = view(api, incoming_id)
    assert still["status"] == "handling" and still["handling"]["round"] == 1
    assert [h["status"] for h in still["handling"]["handlers"]] == ["pending", "returned", "pending"]
    assert api.decide(returned["task_id"], ASSIST, "approve", "反悔后的办理结果")[0] == 409
    decide(api, OTHER, incoming_id, "handle", opinion="财务科已核对经费。")
    decide(api, LEAD, incoming_id, "handle", opinion="已按要求报送统计数据。")
    decide(api, _reader(), incoming_id, "read")
    done = wait_incoming(api, incoming_id, "checking")
    assert [(h["status"], h["result"]) for h in done["handling"]["handlers"]] == [
        ("done", "已按要求报送统计数据。"),
        ("returned", NOT_OURS),
        ("done", "财务科已核对经费。"),
    ]


def test_an_assisting_departments_return_racing_the_lead_result_keeps_both_and_the_incoming_goes_on(
    stack: LocalStack,
) -> None:
    api = Api(stack)
    incoming_id = instructed(api, stack)
    lead = task_of(api, LEAD, incoming_id, "handle")
    assist = task_of(api, ASSIST, incoming_id, "handle")
    results = at_once(
        [
            lambda: api.decide(assist["task_id"], ASSIST, "return", NOT_OURS),
            lambda: api.decide(lead["task_id"], LEAD, "approve", "主办已办完。"),
        ]
    )
    assert [status for status, _ in results] == [200, 200], results
    decide(api, _reader(), incoming_id, "read")
    done = wait_incoming(api, incoming_id, "checking")
    assert done["handling"]["result"] == "主办已办完。"
    assert [h["status"] for h in done["handling"]["handlers"]] == ["done", "returned"]
