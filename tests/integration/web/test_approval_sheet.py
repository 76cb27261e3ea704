"""发文稿纸 on the approval link and the staff decision page: everything the signature covers, escaped,
in the paper form's order; 退回 and 不同意 need an opinion on the link page, the staff page and the API."""

from __future__ import annotations

import html

import pytest

from infra.local.stack import LocalStack
from oa_core.identity import directory
from tests.integration.kit import Api, approve, departments, pending_task, submit, users_with
from tests.integration.web.webkit import Browser
from tests.integration.workflow.test_approval_links import email, get_page, link_for, post_form, task_id_in

pytestmark = pytest.mark.integration

TITLE = "关于稿纸完整显示测试的通知"
ATTACHMENT = "附件：1. 检查表<b>（样表）</b>"
ATTACHMENT_KEPT = "检查表<b>（样表）</b>"
"""What the draft's validator keeps of it: no 「附件：」 (the typesetter prints it), one attachment unnumbered."""
BODY = "一、高度重视安全生产工作。\n二、认真开展隐患排查。"
EDITED = "一、高度重视安全生产工作。\n二、认真开展隐患排查，<i>逐项</i>整改。"


def dept_names(ids: list[str]) -> list[str]:
    names = {d["department_id"]: d["name"] for d in directory.list_departments()}
    return [names[i] for i in ids]


def reviewed_with_two_countersigners(api: Api, title: str) -> tuple[str, list[str]]:
    """A document whose 核稿 edited the text and left a 批注, now at 会签 with two countersigners."""
    reviewer = users_with("reviewer")[0]
    countersigners = users_with("countersigner")[:2]
    doc_id = submit(
        api,
        title=title,
        body=BODY,
        urgency="加急",
        attachment_note=ATTACHMENT,
        countersigners=countersigners,
        distribute_to=[*departments()[:2], "示例市财政局"],
    )
    task = pending_task(api, reviewer, doc_id, "review")
    status, body = api.decide(
        task["task_id"],
        reviewer,
        "approve",
        "同意<script>x</script>",
        edits={"body": EDITED},
        annotations=[{"quote": "隐患排查", "note": "请写明<时限>"}],
    )
    assert status == 200, body
    return doc_id, countersigners


def in_order(page: str, parts: list[str]) -> None:
    """Each part is shown, after the one before it (the 稿纸's order)."""
    at = 0
    for part in parts:
        found = page.find(part, at)
        assert found != -1, f"{part!r} shown after {page[max(at - 80, 0) : at]!r}"
        at = found + len(part)


def test_the_link_page_shows_the_whole_sheet_in_paper_order_escaped(stack: LocalStack) -> None:
    api = Api(stack)
    doc_id, (first, second) = reviewed_with_two_countersigners(api, TITLE)
    approve(api, first, doc_id, "countersign", "同意，请注意经费<来源>")
    pending_task(api, second, doc_id, "countersign")
    status, page = get_page(stack, link_for(stack, email(second), TITLE))
    assert status == 200
    internal = dept_names(departments()[:2])
    in_order(
        page,
        [
            'id="doc-title"',
            "通知",
            "加急",
            "各处室",
            "市应急管理局",
            'id="sheet-drafter"',
            "同意&lt;script&gt;x&lt;/script&gt;",
            "<q>隐患排查</q>：请写明&lt;时限&gt;",
            "已完成 1/2",
            "同意，请注意经费&lt;来源&gt;",
            html.escape(ATTACHMENT_KEPT, quote=False),
            "、".join(internal),
            "示例市财政局",
            'id="sheet-trace"',
            "<ins>，&lt;i&gt;逐项&lt;/i&gt;整改</ins>",
            'id="doc-body"',
        ],
    )
    assert "<b>" not in page and "<script>x" not in page and "<i>逐项" not in page
    assert "待会签" in page  # the second countersigner's own line: who else, and how far
    assert doc_id not in page.replace(f'value="{task_id_in(page)}"', "")


def test_the_staff_decision_page_shows_the_same_sheet(stack: LocalStack) -> None:
    api = Api(stack)
    title = "关于员工页稿纸测试的通知"
    doc_id, (first, _) = reviewed_with_two_countersigners(api, title)
    pending_task(api, first, doc_id, "countersign")
    browser = Browser(stack)
    browser.sign_in(first)
    page = browser.get(f"/documents/{doc_id}").text
    assert 'id="sheet"' in page
    in_order(page, ['id="sheet-drafter"', "<q>隐患排查</q>", html.escape(ATTACHMENT_KEPT, quote=False), "示例市财政局"])
    assert "<ins>，&lt;i&gt;逐项&lt;/i&gt;整改</ins>" in page


@pytest.mark.parametrize("decision", ["return", "reject"])
def test_return_or_reject_without_an_opinion_is_refused_in_chinese_everywhere(stack: LocalStack, decision: str) -> None:
    api = Api(stack)
    reviewer = users_with("reviewer")[0]
    title = f"关于无意见{decision}测试的通知"
    doc_id = submit(api, title=title)
    task = pending_task(api, reviewer, doc_id, "review")
    # The link page: 422, the form again, the reason asked for in Chinese only.
    path = link_for(stack, email(reviewer), title)
    status, page = post_form(stack, path, task_id=task_id_in(get_page(stack, path)[1]), decision=decision, opinion=" ")
    assert status == 422 and "请填写意见" in page and "opinion is required" not in page
    # The staff page: the same.
    browser = Browser(stack)
    browser.sign_in(reviewer)
    staff = browser.get(f"/documents/{doc_id}")
    answer = browser.post(
        f"/documents/{doc_id}/decision",
        {"csrf": browser.csrf(staff), "task_id": task["task_id"], "decision": decision, "opinion": ""},
    )
    assert answer.status == 422 and "请填写意见" in answer.text and "opinion is required" not in answer.text
    # The API: 422 with a Chinese message; the task is still pending.
    status, body = api.decide(task["task_id"], reviewer, decision, "")
    assert status == 422 and "请填写意见" in body["error"]["message"]
    assert "opinion is required" not in body["error"]["message"]
    assert api.document(doc_id, reviewer)["pending"] == [reviewer]
