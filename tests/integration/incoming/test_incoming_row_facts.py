"""The 工作台 row of an open 承办 task stays true while the task is open (decision 117's facts): an approved 延期
moves the 办理时限 the row shows with the due time, a refused one keeps both, and after 改派主办 the new
department's person sees the same true row (over HTTP, as a browser does)."""

from __future__ import annotations

import re

import pytest

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.workflow.tasks import load_task
from tests.integration.incoming.flow_kit import instructed, leader, link_path, post_form, stack, task_of
from tests.integration.kit import Api, office_clerk
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration
__all__ = ["stack"]
TITLE = "关于报送2026年度教育统计数据的通知"


def row_of(stack: LocalStack, user: str, incoming_id: str) -> str:
    """The visible text of the person's 我的待办 row linking the 收文 (waiting until it is there)."""
    browser = Browser(stack)
    browser.sign_in(user)

    seen = [""]

    def row() -> str | None:
        home = seen[0] = browser.get("/").text
        for found in re.findall(r"<tr[^>]*>(.*?)</tr>", home, re.S):
            if f"/incoming/{incoming_id}" in found:
                return " ".join(re.sub(r"<[^>]+>", " ", found).split())
        return None

    return str(wait_for(row, f"{user}'s 工作台 row of {incoming_id}", FLOW_SECONDS, saw=lambda: seen[0][-600:]))


def test_after_an_approved_extension_the_row_shows_only_the_new_deadline_and_so_does_the_new_lead_after_reassignment(
    stack: LocalStack,
) -> None:
    api, lead = Api(stack), "liuyang"
    incoming_id = instructed(api, stack)
    handle = task_of(api, lead, incoming_id, "handle")
    before = row_of(stack, lead, incoming_id)
    assert "办理时限 2099-12-31" in before and "2099-12-31 23:59" in before, before

    status, asked = api.call(
        "POST", f"/api/incoming/{incoming_id}/extensions", lead, {"until": "2100-01-15", "reason": "等待统计数据。"}
    )
    assert status == 201, asked
    status, _ = post_form(
        stack, link_path(stack, leader(), TITLE, "延期"), task_id=asked["task_id"], decision="approve", opinion="同意"
    )
    assert status == 200
    after = row_of(stack, lead, incoming_id)
    assert "办理时限 2100-01-15（已延期）" in after and "2100-01-15 23:59" in after, after
    assert "2099-12-31" not in after, f"the row still shows the old 办理时限: {after}"
    assert task_of(api, lead, incoming_id, "handle")["facts"]["deadline"] == "2100-01-15"

    status, refused = api.call(
        "POST", f"/api/incoming/{incoming_id}/extensions", lead, {"until": "2100-03-01", "reason": "再延期"}
    )
    assert status == 201, refused
    assert api.decide(refused["task_id"], leader(), "reject", "不宜再延期")[0] == 200
    assert row_of(stack, lead, incoming_id) == after, "a refused 延期 changes nothing on the row"

    body = {"department": "cwk", "reason": "涉及经费，改由财务科主办。"}
    status, moved = api.call("POST", f"/api/incoming/{incoming_id}/reassign", office_clerk(), body)
    assert status == 200, moved
    moved_row = row_of(stack, "chenjing", incoming_id)
    assert "办理时限 2100-01-15（已延期）" in moved_row and "2100-01-15 23:59" in moved_row, moved_row
    assert "2099-12-31" not in moved_row and "承办" in moved_row, moved_row
    assert load_task(handle["task_id"]).assignee == "chenjing"
    assert all(t["document_id"] != incoming_id for t in api.tasks(lead)), "the old 主办 no longer has the task"
