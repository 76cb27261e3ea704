"""打印份数 in headless Chromium: the office's 文书 asks for a print run on the document page; the run is listed as
印制中 and the list refreshes itself (oa.js polling ``data-refresh``, no reload of the page) until its download link
is there, while the Typeset function renders it in the background (CopiesFlow)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from infra.local.polling import FLOW_SECONDS
from tests.e2e.browser import timeout_ms
from tests.e2e.kit import Org, User, draft, submit, unique

pytestmark = pytest.mark.e2e
COPIES = 200
"""Enough copies that the page is drawn while the run is still 印制中: about 50 ms a copy warm, so some 10 s of
rendering against the well under a second from the form's redirect to the drawn page, even on a much faster machine."""


def issued(base_url: str) -> str:
    org = Org(base_url)
    drafter = User(base_url, org.with_role("drafter")[0])
    body = draft(org, unique("关于打印份数页面测试的通知"))
    doc_id = submit(drafter, body)
    for step, who in (("review", body["reviewer"]), ("sign", body["signer"])):
        person = User(base_url, who)
        task = person.pending_task(doc_id, step)
        assert person.decide(task["task_id"], "approve").status_code == 200
    drafter.wait_status(doc_id, "archived", FLOW_SECONDS)
    return doc_id


def test_the_clerk_asks_for_copies_and_the_run_list_refreshes_itself_until_the_pdf_can_be_downloaded(
    base_url: str, page: Page
) -> None:
    doc_id = issued(base_url)
    page.goto(f"{base_url}/")
    page.get_by_role("link", name="登录系统").click()
    page.locator("button[value='zhouqiang']").click()
    page.goto(f"{base_url}/documents/{doc_id}")
    page.locator("#copies-count").fill(str(COPIES))
    page.get_by_role("button", name="分配份号并生成打印文件").click()
    expect(page.locator("body")).to_contain_text("正在印制，生成后即可下载打印")
    runs = page.locator("#copy-runs")
    expect(runs).to_contain_text("正在印制，请稍候")
    page.evaluate("window.__notReloaded = true")

    link = runs.get_by_role("link", name=re.compile(rf"份号 \d{{6}} 至 \d{{6}}（{COPIES} 份）"))
    expect(link).to_be_visible(timeout=timeout_ms(FLOW_SECONDS))
    expect(runs).to_contain_text("已生成，可下载打印")
    assert page.evaluate("window.__notReloaded === true"), "the list refreshed itself, the page was not reloaded"
    assert runs.get_attribute("data-refresh") is None, "nothing left to wait for: polling stops"
