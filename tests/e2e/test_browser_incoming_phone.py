"""收文 on a 390×844 phone, in headless Chromium (LANGUAGE=zh_CN): the 批办 leader opens the link of the
outbox's email, opens the received file from it (查看来文) and writes the 批示, and the 主办 department's
person signs in and reports the 办理结果 from
the 收文 page with a file attached as its 附件 (confirming first, as every irreversible choice asks);
neither page scrolls sideways.

The 收文 is our own 发文 distributed to 综合科 and 转为收文 by its 文书 (no other unit needed); 签收, 登记
and 拟办 go through the JSON API so each test shows only the phone's part."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from infra.local.polling import FLOW_SECONDS, wait_for
from tests.e2e.browser import new_page
from tests.e2e.kit import Org, User, draft, emailed_link, submit, unique
from tests.support import sample_files

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
LEAD = "liuyang"
"""刘洋 承办s for 政策法规科, the 主办."""


def phone(browser: Browser) -> Page:
    return new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Asia/Shanghai")


def fits(page: Page) -> None:
    wide = int(page.evaluate("document.documentElement.scrollWidth"))
    assert wide <= PHONE["width"] + 1, f"{page.url} scrolls sideways on a phone: {wide}px wide"


def decide(user: User, incoming_id: str, step: str, **body: Any) -> None:
    task = user.pending_task(incoming_id, step)
    reply = user.post(f"/api/tasks/{task['task_id']}/decision", json={"decision": "approve", **body})
    assert reply.status_code == 200, reply.text


def proposed(base_url: str, org: Org, title: str) -> tuple[str, str]:
    """A 收文 (our own 发文 taken up by 综合科) through 拟办, waiting for its leader's 批办."""
    drafter = User(base_url, "zhangwei")
    doc_id = submit(drafter, draft(org, title, distribute_to=["zhk"]))
    for role, step in (("reviewer", "review"), ("signer", "sign")):
        decider = User(base_url, org.with_role(role)[0])
        decider.decide(decider.pending_task(doc_id, step)["task_id"], "approve", "同意。")
    drafter.wait_status(doc_id, "archived", FLOW_SECONDS)
    taken = User(base_url, "xuhui").post(f"/api/documents/{doc_id}/incoming")
    assert taken.status_code == 201, taken.text
    incoming_id = str(taken.json()["incoming_id"])
    clerk, leader = User(base_url, "zhouqiang"), org.with_role("signer")[0]
    decide(clerk, incoming_id, "receive", opinion="已签收")
    decide(clerk, incoming_id, "register", registration={"deadline": "2099-12-30"})
    plan = {"leader": leader, "lead": {"department": "zcfgk"}, "assist": [], "readers": []}
    decide(User(base_url, "wangfang"), incoming_id, "propose", opinion="拟请政策法规科主办，请领导批示。", plan=plan)
    return incoming_id, leader


def status_of(base_url: str, incoming_id: str) -> str:
    reply = User(base_url, "zhouqiang").get(f"/api/incoming/{incoming_id}")
    assert reply.status_code == 200, reply.text
    return str(reply.json()["status"])


def test_the_leader_instructs_on_a_phone_from_the_link_in_the_email(
    base_url: str, browser: Browser, screenshots: Path
) -> None:
    org = Org(base_url)
    title = unique("关于做好年度统计报送工作的通知")
    incoming_id, leader = proposed(base_url, org, title)
    link = emailed_link(base_url, org.email(leader), f"请批示来文：{title}")
    page = phone(browser)
    try:
        page.goto(link)
        expect(page.locator("body")).to_contain_text("拟请政策法规科主办")
        fits(page)
        received = page.locator("#file-0")
        expect(received).to_have_text("查看来文")
        opened = page.request.get(urljoin(page.url, str(received.get_attribute("href"))))
        assert opened.status == 200 and opened.body().startswith(b"%PDF-"), opened.status
        assert opened.headers["content-type"] == "application/pdf", opened.headers
        with page.expect_popup() as shown:
            received.tap()
        assert "/_local/s3/" in shown.value.url, shown.value.url
        shown.value.close()
        page.locator("#opinion").fill("同意。请政策法规科抓紧办理。")
        page.screenshot(path=str(screenshots / "40-incoming-instruct-phone.png"), full_page=True)
        page.get_by_role("button", name="批示（同意）").click()
        expect(page.locator("body")).to_contain_text("同意。请政策法规科抓紧办理。")
        fits(page)
    finally:
        page.context.close()
    wait_for(lambda: status_of(base_url, incoming_id) == "handling", "the 收文 with its 承办 department", FLOW_SECONDS)


def test_the_lead_department_reports_its_result_on_a_phone_from_the_incoming_page(
    base_url: str, browser: Browser, screenshots: Path
) -> None:
    org = Org(base_url)
    title = unique("关于报送统计数据的通知")
    incoming_id, leader = proposed(base_url, org, title)
    decide(User(base_url, leader), incoming_id, "instruct", opinion="同意。")
    User(base_url, LEAD).pending_task(incoming_id, "handle")
    page = phone(browser)
    try:
        page.goto(f"{base_url}/login")
        page.get_by_role("link", name="登录系统").click()
        page.locator(f"button[value='{LEAD}']").click()
        expect(page.locator("h1.page")).to_have_text("工作台")
        page.goto(f"{base_url}/incoming/{incoming_id}")
        expect(page.locator("#handle-form")).to_contain_text("主办")
        fits(page)
        page.locator("#handle-form textarea[name='opinion']").fill("已汇总本科室数据并按时上报。")
        report = {"name": "报送情况.pdf", "mimeType": "application/pdf", "buffer": sample_files.pdf("报送情况")}
        page.locator("#result-file").set_input_files(report)  # type: ignore[arg-type]
        expect(page.locator("#result-list")).to_contain_text("已上传：报送情况.pdf")
        fits(page)
        asked: list[str] = []

        def confirm(dialog: Dialog) -> None:
            asked.append(dialog.message)
            dialog.accept()

        page.once("dialog", confirm)
        page.screenshot(path=str(screenshots / "41-incoming-handle-phone.png"), full_page=True)
        page.get_by_role("button", name="报送办理结果").click()
        expect(page.locator("#notice")).to_have_text("已报送办理结果")
        assert asked and "报送后不能修改" in asked[0], asked
        expect(page.locator("#handle-form")).to_have_count(0)
        fits(page)
        expect(page.locator("#handling-states")).to_contain_text("已汇总本科室数据并按时上报。")
        expect(page.locator("#handling-sheet a.result-file")).to_have_text("报送情况.pdf")
    finally:
        page.context.close()
    wait_for(lambda: status_of(base_url, incoming_id) == "checking", "the 收文 waiting for 办结审核", FLOW_SECONDS)
