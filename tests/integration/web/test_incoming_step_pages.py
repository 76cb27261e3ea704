"""Every 收文 step decided on the 收文 page over HTTP, as staff do it (no JSON): 签收 → 登记 → 拟办 (a bad plan
refused in Chinese with nothing changed; 退回登记 and 登记 again, keeping the 收文编号) → 批办 sent twice at once
(one decision) → 承办 by the 主办 (申请延期, the leader's 同意 on the page) and the 协办 (拟写复文 from the
page) / 传阅 (已阅 with a 阅示) → 办结审核 退回 → 办结 → 同意办结 → 归档. A person without the task sees no
form and a forged POST of someone else's task is 403 with nothing changed; no form shows an id or English."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from infra.local.messages import HttpResponse
from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.identity import directory
from oa_core.incoming.storage import load_incoming
from oa_core.workflow.tasks import load_task, tasks_of
from tests.integration.incoming.flow_kit import OFFICE_HEAD, arrive, leader, stack
from tests.integration.kit import at_once, office_clerk, users_with
from tests.integration.web.test_no_ids_or_english import problems, visible
from tests.integration.web.webkit import Browser, location_path

pytestmark = pytest.mark.integration
__all__ = ["stack"]
TITLE = "关于报送2026年度教育统计数据的通知"
LEAD, ASSIST, READER = "liuyang", "xuhui", "zhaolei"
"""刘洋 承办s for 政策法规科 (主办), 徐慧 for 综合科 (协办); 赵磊 阅s."""


def signed_in(stack: LocalStack, user: str) -> Browser:
    browser = Browser(stack)
    browser.sign_in(user)
    return browser


def hidden_fields(page: str, form_id: str) -> dict[str, str]:
    """The hidden fields (csrf, form_token, task_id) of one form of the page."""
    found = re.search(rf'<form [^>]*id="{form_id}".*?</form>', page, re.S)
    assert found, f"the page has the form {form_id}"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', found.group()))


def form_page(browser: Browser, path: str, form_id: str) -> str:
    """The 收文 page once it shows my form (the flow opens the step a moment after the last decision)."""
    text: str = wait_for(
        lambda: (p := browser.get(path).text) and f'id="{form_id}"' in p and p,
        f"the 收文 page showing {form_id}",
        FLOW_SECONDS,
    )
    return text


def send(
    browser: Browser,
    path: str,
    form_id: str,
    action: str = "decision",
    more: dict[str, str | list[str]] | None = None,
    **fields: str,
) -> HttpResponse:
    """Fill in one form of the 收文 page as shown (its hidden fields) and send it."""
    page = form_page(browser, path, form_id)
    return browser.post(f"{path}/{action}", {**hidden_fields(page, form_id), **(more or {}), **fields})


def decided(response: HttpResponse, path: str) -> None:
    """The form was taken: back to the 收文 page with a notice."""
    assert response.status == 303, (response.status, re.findall(r"role=\"alert\"[^>]*>([^<]*)", response.text))
    assert location_path(response).startswith(f"{path}?done="), location_path(response)


def ids() -> set[str]:
    return {str(u["user_id"]) for u in directory.list_users()}


def test_a_whole_incoming_is_decided_from_its_page_only_from_receipt_to_archive(stack: LocalStack) -> None:
    incoming_id = arrive(stack, TITLE)
    path = f"/incoming/{incoming_id}"
    known = {incoming_id, *ids()}
    found: list[str] = []
    clerk, head, boss = (signed_in(stack, u) for u in (office_clerk(), OFFICE_HEAD, leader()))
    decided(send(clerk, path, "receive-form", decision="approve"), path)
    register: dict[str, str | list[str]] = {
        "decision": "approve", "sender": "示例市教育局", "sender_number": "示例教发〔2026〕12号", "title": TITLE,
        "urgency": "", "classification": "非密", "copies": "1", "deadline": "2099-12-30",
    }  # fmt: skip
    decided(send(clerk, path, "register-form", more=register), path)
    number = str(load_incoming(incoming_id).number)

    page = form_page(head, path, "propose-form")
    found += problems("拟办 form", visible(page), known)
    assert "批办领导" in page and "协办部门" in page and "传阅人员" in page and 'name="readers"' in page
    assert 'value="2099-12-30"' in page, "each department's date defaults to the 办理时限"
    refused = send(head, path, "propose-form", decision="approve", opinion="拟请主办。", leader=leader(), lead="")
    assert refused.status == 422 and "部门" in visible(refused.text), visible(refused.text)[:400]
    found += problems("拟办 refused", visible(refused.text), known)
    no_reason = send(head, path, "propose-form", decision="return", opinion="")
    assert no_reason.status == 422 and "理由" in visible(no_reason.text)
    assert load_incoming(incoming_id).status == "proposing", "a refused 拟办 changes nothing"
    decided(send(head, path, "propose-form", decision="return", opinion="来文字号登记有误，请核对。"), path)
    decided(send(clerk, path, "register-form", more={**register, "copies": "2"}), path)
    again = load_incoming(incoming_id)
    assert (again.number, again.copies) == (number, 2), "登记 again keeps the 收文编号"
    plan: dict[str, str | list[str]] = {
        "opinion": "拟请政策法规科主办，综合科协办，请领导批示。", "leader": leader(), "lead": "zcfgk",
        "lead_deadline": "2099-12-30", "assist": ["zhk"], "deadline_zhk": "2099-12-20", "readers": [READER],
    }  # fmt: skip
    decided(send(head, path, "propose-form", more=plan, decision="approve"), path)

    page = form_page(boss, path, "instruct-form")
    found += problems("批办 form", visible(page), known)
    assert "拟请政策法规科主办" in page and "修改拟办方案" in page
    twin = signed_in(stack, leader())
    fields = [hidden_fields(b.get(path).text, "instruct-form") for b in (boss, twin)]

    def instruct(browser: Browser, hidden: dict[str, str]) -> Callable[[], HttpResponse]:
        return lambda: browser.post(
            f"{path}/decision", {**hidden, "decision": "approve", "opinion": "同意，抓紧办理。"}
        )

    answers = at_once([instruct(b, f) for b, f in zip((boss, twin), fields, strict=True)])
    assert sorted(a.status for a in answers) == [303, 409], [a.status for a in answers]
    instructs = [t for t in tasks_of(incoming_id) if t.step == "instruct" and t.status == "decided"]
    assert len(instructs) == 1 and load_incoming(incoming_id).instruction == "同意，抓紧办理。"

    lead, assist, reader = (signed_in(stack, u) for u in (LEAD, ASSIST, READER))
    page = form_page(lead, path, "handle-form")
    found += problems("承办 form", visible(page), known)
    assert 'id="extension-form"' in page and "申请改派" in page
    early = send(lead, path, "extension-form", "extensions", until="2099-01-01", reason="等待数据")
    assert early.status == 422 and "晚于" in visible(early.text)
    decided(send(lead, path, "extension-form", "extensions", until="2100-01-15", reason="需等待统计数据。"), path)
    page = form_page(boss, path, "extend-form")
    assert "需等待统计数据。" in page and "2100-01-15" in page
    found += problems("延期 form", visible(page), known)
    decided(send(boss, path, "extend-form", decision="approve", opinion="同意延期。"), path)
    handle = next(t for t in tasks_of(incoming_id) if t.step == "handle" and t.assignee == LEAD)
    assert load_task(handle.task_id).due_at.startswith("2100-01-15")

    page = form_page(assist, path, "handle-form")
    assert 'id="reply-link"' in page, "the 协办's 文书 (a drafter) may start a 复文"
    draft = assist.get(f"/documents/new?reply_to={incoming_id}")
    assert draft.status == 200 and "复函" in draft.text and 'name="in_reply_to"' in draft.text
    found += problems("复文 draft", visible(draft.text), known)
    decided(send(assist, path, "handle-form", decision="approve", opinion="已提供综合科数据。"), path)
    decided(send(reader, path, "read-form", decision="approve", opinion="请按时上报。"), path)
    decided(send(lead, path, "handle-form", decision="approve", opinion="已汇总上报统计数据。"), path)
    assert 'id="handle-form"' not in lead.get(path).text, "a decided 承办 shows no form any more"

    page = form_page(clerk, path, "check-form")
    assert "已汇总上报统计数据。" in page
    found += problems("办结审核 form", visible(page), known)
    decided(send(clerk, path, "check-form", decision="return", opinion="请补充上报时间。"), path)
    decided(send(lead, path, "conclude-form", decision="approve", opinion="已于12月1日汇总上报。"), path)
    decided(send(clerk, path, "check-form", decision="approve"), path)
    wait_for(lambda: load_incoming(incoming_id).status == "archived", "the 收文 archived", FLOW_SECONDS)
    shown = clerk.get(path).text
    assert "已于12月1日汇总上报。" in shown and "同意延期。" in shown and "请按时上报。" in shown
    clerk_name = directory.display_name(office_clerk(), directory.get_users([office_clerk()]))
    row = lambda head: re.search(rf"<th>{head}</th><td>(.*?)</td>", shown, re.S)  # noqa: E731
    concluded, checked = row("办结"), row("办结审核")
    assert concluded and concluded.group(1).startswith("主办 政策法规科"), "办结 is the 主办's"
    assert checked and checked.group(1).startswith(clerk_name), "办结审核 is the 文书's"
    found += problems("归档 page", visible(shown), known)
    assert not found, "\n".join(found)


def test_a_person_without_the_task_sees_no_form_and_a_forged_post_is_refused(stack: LocalStack) -> None:
    incoming_id = arrive(stack, "关于伪造提交测试的通知")
    path = f"/incoming/{incoming_id}"
    clerk = signed_in(stack, office_clerk())
    decided(send(clerk, path, "receive-form", decision="approve"), path)
    page = clerk.get(path).text
    waiting = wait_for(
        lambda: next((t for t in tasks_of(incoming_id) if t.step == "register" and t.status == "pending"), None),
        "the 登记 task",
        FLOW_SECONDS,
    )
    assert not re.search(r'id="(propose|instruct|handle|read|check|extend)-form"', page)
    outsider = signed_in(stack, users_with("drafter")[0])
    assert outsider.get(path).status == 403, "someone with no task on it cannot read the 收文"
    head = signed_in(stack, OFFICE_HEAD)
    own = head.get("/")
    forged = head.post(
        f"{path}/decision",
        {"csrf": head.csrf(own), "task_id": waiting.task_id, "decision": "approve", "copies": "9"},
    )
    assert forged.status == 403 and "无权" in visible(forged.text), (forged.status, visible(forged.text)[:300])
    item = load_incoming(incoming_id)
    assert load_task(waiting.task_id).status == "pending" and item.status == "registering" and not item.number
