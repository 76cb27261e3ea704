"""The 工作台's 已办 and 办结 lists and deleting a saved 草稿, over HTTP as a browser uses them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from infra.local.stack import LocalStack
from oa_core.platform.storage import RecordItem
from tests.integration.kit import Api, approve, pending_task, submit, users_with, wait_status
from tests.integration.web.test_staff_pages import form_for
from tests.integration.web.webkit import Browser, location_path

pytestmark = pytest.mark.integration


def signed_in(stack: LocalStack, user_id: str) -> Browser:
    browser = Browser(stack)
    browser.sign_in(user_id)
    return browser


def rows(page: Any) -> str:
    """The results table of a list page (or "" when it has none)."""
    match = re.search(r'<section class="card" id="results">(.*?)</section>', page.text, re.S)
    return match.group(1) if match else ""


def test_done_lists_what_i_decided_and_finished_lists_archived_and_rejected_documents(stack: LocalStack) -> None:
    api = Api(stack)
    drafter_id, reviewer, signer = users_with("drafter")[0], users_with("reviewer")[0], users_with("signer")[0]
    archived = submit(api, drafter_id, title="关于已办列表测试的通知", distribute_to=[])
    rejected = submit(api, drafter_id, title="关于办结列表不同意的通知", distribute_to=[])
    running = submit(api, drafter_id, title="关于仍在办理的通知", distribute_to=[])
    approve(api, reviewer, archived, "review", "核稿同意")
    approve(api, signer, archived, "sign")
    approve(api, reviewer, rejected, "review")
    task = pending_task(api, signer, rejected, "sign")
    assert api.decide(task["task_id"], signer, "reject", "不宜发文")[0] == 200
    wait_status(api, archived, "archived", drafter_id)
    wait_status(api, rejected, "rejected", drafter_id)

    done_page = signed_in(stack, reviewer).get("/done")
    done = rows(done_page)
    assert "关于已办列表测试的通知" in done and "关于办结列表不同意的通知" in done
    assert "核稿同意" in done and "核稿" in done, "the step and my opinion are shown"
    assert "关于仍在办理的通知" not in done, "a task I have not decided is not 已办"

    for person in (drafter_id, signer):
        finished = rows(signed_in(stack, person).get("/finished"))
        assert "关于已办列表测试的通知" in finished and "已归档" in finished
        assert "关于办结列表不同意的通知" in finished and "关于仍在办理的通知" not in finished
    assert "关于已办列表测试的通知" not in rows(signed_in(stack, "yangfan").get("/finished")), "only my own"
    assert running


def test_lists_are_searched_by_title_words_doc_type_and_dates(stack: LocalStack) -> None:
    api = Api(stack)
    drafter_id, reviewer = users_with("drafter")[0], users_with("reviewer")[0]
    first = submit(api, drafter_id, title="关于检索甲项目的通知", distribute_to=[])
    second = submit(api, drafter_id, doc_type="函", title="关于检索乙项目的函", distribute_to=[])
    approve(api, reviewer, first, "review")
    approve(api, reviewer, second, "review")
    browser = signed_in(stack, reviewer)
    by_word = rows(browser.get("/done?q=检索+甲项目"))
    assert "关于检索甲项目的通知" in by_word and "关于检索乙项目的函" not in by_word
    by_type = rows(browser.get("/done?doc_type=函"))
    assert "关于检索乙项目的函" in by_type and "关于检索甲项目的通知" not in by_type
    assert "关于检索甲项目的通知" not in rows(browser.get("/done?to=2020-01-01")), "decided after that day"
    assert "关于检索甲项目的通知" in rows(browser.get("/done?from=2020-01-01&q=甲项目"))
    bad = browser.get("/done?from=2026/13/01")
    assert bad.status == 422 and "请按“年-月-日”填写" in bad.text
    backwards = browser.get("/finished?from=2026-03-02&to=2026-03-01")
    assert backwards.status == 422 and "结束日期不能早于开始日期" in backwards.text


def test_lists_page_by_twenty_with_a_cursor_that_only_opens_my_own_list(stack: LocalStack) -> None:
    api = Api(stack)
    drafter_id, reviewer = users_with("drafter")[0], users_with("reviewer")[1]
    ids = [submit(api, drafter_id, title=f"关于分页测试第{n}件的通知", reviewer=reviewer) for n in range(22)]
    for doc_id in ids:
        approve(api, reviewer, doc_id, "review")
    browser = signed_in(stack, reviewer)
    first = browser.get("/done?q=分页测试")
    assert rows(first).count("<tr>") == 20 + 1  # the header row and twenty
    next_link = re.search(r'href="(/done\?[^"]*next=[^"]+)"', first.text)
    assert next_link, "a 下一页 link"
    second = browser.get(next_link.group(1).replace("&amp;", "&"))
    assert rows(second).count("<tr>") == 2 + 1 and "下一页" not in second.text
    other = signed_in(stack, drafter_id).get(next_link.group(1).replace("&amp;", "&"))
    assert other.status == 422 and "翻页参数无效" in other.text, "another person's cursor opens nothing"
    # One index Query a page: the decided tasks sit under their assignee on GSI1.
    decided = list(RecordItem.gsi1.query(f"DECIDED#{reviewer}"))
    assert {item.document_id for item in decided} >= set(ids)


def test_a_drafter_deletes_a_saved_draft_after_confirming_and_it_is_audited(stack: LocalStack) -> None:
    from oa_core.platform import audit_trail

    drafter_id = users_with("drafter")[0]
    drafter = signed_in(stack, drafter_id)
    page = drafter.get("/documents/new")
    fields = form_for(users_with("reviewer")[0], users_with("signer")[0], title="关于要删除的草稿的请示")
    saved = drafter.post("/documents/new", {**fields, "action": "save", "csrf": drafter.csrf(page)})
    draft_id = re.search(r"draft=([0-9a-f]{16})", location_path(saved)).group(1)  # type: ignore[union-attr]
    dashboard = drafter.get("/")
    assert f'href="/drafts/{draft_id}/delete"' in dashboard.text
    confirm = drafter.get(f"/drafts/{draft_id}/delete")
    assert confirm.status == 200 and "确定要删除草稿“<strong>关于要删除的草稿的请示</strong>”吗" in confirm.text
    assert "关于要删除的草稿的请示" in drafter.get("/").text, "asking deletes nothing"
    other = signed_in(stack, users_with("drafter")[1])
    refused = other.post(f"/drafts/{draft_id}/delete", {"csrf": other.csrf(other.get("/"))})
    assert refused.status == 404, "another drafter cannot delete it"
    deleted = drafter.post(f"/drafts/{draft_id}/delete", {"csrf": drafter.csrf(confirm)})
    assert deleted.status == 303 and "草稿已删除" in drafter.get(location_path(deleted)).text
    assert f"draft={draft_id}" not in drafter.get("/").text
    again = drafter.post(f"/drafts/{draft_id}/delete", {"csrf": drafter.csrf(confirm)})
    assert again.status == 404 and "已提交或已删除" in again.text
    query = audit_trail.AuditQuery.model_validate({"actor": drafter_id, "action": "delete_draft"})
    records = [r for r in audit_trail.search(query)["records"] if r.get("target") == draft_id]
    assert {r["outcome"] for r in records} >= {"ok", "conflict"}


def test_a_submitted_draft_cannot_be_deleted_and_its_document_stays(stack: LocalStack) -> None:
    api = Api(stack)
    drafter_id = users_with("drafter")[0]
    drafter = signed_in(stack, drafter_id)
    page = drafter.get("/documents/new")
    fields = form_for(users_with("reviewer")[0], users_with("signer")[0], title="关于提交后删除草稿的请示")
    saved = drafter.post("/documents/new", {**fields, "action": "save", "csrf": drafter.csrf(page)})
    draft_id = re.search(r"draft=([0-9a-f]{16})", location_path(saved)).group(1)  # type: ignore[union-attr]
    submitted = drafter.post(
        "/documents/new", {**fields, "action": "submit", "draft_id": draft_id, "csrf": drafter.csrf(page)}
    )
    doc_id = location_path(submitted).split("/documents/")[1].split("?")[0]
    refused = drafter.post(f"/drafts/{draft_id}/delete", {"csrf": drafter.csrf(page)})
    assert refused.status == 404 and "已提交的文件不能删除" in refused.text
    assert drafter.get(f"/drafts/{draft_id}/delete").status == 404
    assert api.document(doc_id, drafter_id)["status"] == "in_review", "the document is untouched"


def test_an_empty_list_says_why_it_is_empty_and_what_will_appear(stack: LocalStack) -> None:
    browser = signed_in(stack, "secadmin")  # decides nothing, drafts nothing
    assert "您还没有处理过事项" in rows(browser.get("/done"))
    assert "还没有办结的文件" in rows(browser.get("/finished"))
    assert "没有符合条件的事项，可放宽" in rows(browser.get("/finished?q=不存在的标题"))


def test_the_sysadmin_menu_leads_to_resources_listed_rooms_then_vehicles_then_drivers(stack: LocalStack) -> None:
    admin = signed_in(stack, users_with("sysadmin")[0])
    assert '/resources">资源管理</a>' in admin.get("/").text
    assert '/resources">资源管理</a>' not in signed_in(stack, "zhangwei").get("/").text
    listed = admin.get("/resources").text
    first = {kind: listed.index(f"<td>{kind}</td>") for kind in ("会议室", "车辆", "驾驶员")}
    assert first["会议室"] < first["车辆"] < first["驾驶员"], first
