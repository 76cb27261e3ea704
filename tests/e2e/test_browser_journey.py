"""A document from 拟稿 to 归档 using only the web pages and the emailed links, in headless Chromium.

The drafter signs in and fills the 拟稿 form; the reviewer opens the emailed link and approves; the
two countersigners approve from their links while the drafter's document page, left open, shows
their progress by itself; the signer approves on a phone-sized screen; the archived document is
found in search. Every page is saved as a screenshot (test-artifacts/screenshots/).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, ViewportSize, expect

from infra.local.polling import FLOW_SECONDS, wait_for
from tests.e2e.browser import new_page, timeout_ms
from tests.e2e.kit import http_timeout

pytestmark = pytest.mark.e2e

DRAFTER, REVIEWER, SIGNER, ARCHIVIST = "zhangwei", "wangfang", "zhaolei", "wumin"
COUNTERSIGNERS = ("liuyang", "chenjing")
TITLE = "关于召开2026年第四季度安全生产工作会议的通知"
PHONE: ViewportSize = {"width": 390, "height": 844}


def sign_in(page: Page, base_url: str, user_id: str, name: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_role("link", name="登录系统").click()
    page.locator(f"button[value='{user_id}']").click()
    expect(page.locator("h1.page")).to_have_text("工作台")
    expect(page.locator(".whoami")).to_contain_text(name)


def link_for(base_url: str, user_id: str, step_words: str) -> str:
    """The newest approval link emailed to a person (from the local outbox; waits for it to be sent)."""

    def mails() -> list[dict[str, Any]]:
        reply = requests.get(
            f"{base_url}/_local/outbox", headers={"Accept": "application/json"}, timeout=http_timeout()
        )
        return [m for m in reply.json() if f"{user_id}@" in " ".join(m.get("to") or [])]

    def newest_link() -> str | None:
        for message in reversed(mails()):
            if step_words in message.get("subject", "") and TITLE in message["subject"]:
                links = [link for link in message.get("links") or [] if "/approvals/" in link]
                if links:
                    return str(links[0])
        return None

    return str(
        wait_for(
            newest_link,
            f"a {step_words} email with a link for {user_id}",
            saw=lambda: f"emails to {user_id}: {[m.get('subject') for m in mails()]}",
        )
    )


def decide_by_link(page: Page, url: str, opinion: str, shot: Callable[[str], Any], name: str) -> None:
    page.goto(url)
    expect(page.locator("h1")).to_have_text(TITLE)
    page.locator("#opinion").fill(opinion)
    shot(f"{name}-link")
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page.locator(".ok")).to_contain_text("作出决定：同意")
    shot(f"{name}-done")


def test_a_document_goes_from_the_draft_form_to_the_archive_in_the_browser(
    base_url: str, browser: Browser, page: Page, screenshots: Path
) -> None:
    def shot(name: str, target: Page | None = None) -> None:
        (target or page).screenshot(path=str(screenshots / f"{name}.png"), full_page=True)

    # 拟稿: sign in, take the 通知 template, fill the form, watch the live checks, submit.
    sign_in(page, base_url, DRAFTER, "张伟")
    shot("01-dashboard")
    page.get_by_role("link", name="拟稿", exact=True).first.click()
    page.locator("#template").select_option("通知")
    expect(page.locator("#body")).to_have_value(re.compile("特此通知。$"))
    page.locator("#title").fill("关于召开会议的安排")
    expect(page.locator("#checks")).to_contain_text("标题一般以文种结尾")
    page.locator("#title").fill(TITLE)
    page.locator("#main_recipients").fill("各处室、各直属单位")
    page.locator("#body").fill(
        "为做好第四季度安全生产工作，定于2026年12月3日召开工作会议。现将有关事项通知如下：\n"
        "一、会议时间：2026年12月3日上午9时。\n二、参会人员：各处室主要负责人。\n\n特此通知。"
    )
    expect(page.locator("#checks")).to_contain_text("请选择核稿人")
    page.locator("#reviewer").select_option(REVIEWER)
    page.locator("#signer").select_option(SIGNER)
    expect(page.locator("#checks")).to_contain_text("未发现问题")
    expect(page.locator("#word-count")).to_contain_text("字数：")
    for person in COUNTERSIGNERS:
        page.locator(f"#countersigners input[value='{person}']").check()
    page.locator("#distribution input[value='zhk']").check()
    shot("02-draft-form")
    page.locator("#submit").click()
    expect(page.locator("#notice")).to_have_text("已送核稿")
    expect(page.locator("#doc-status")).to_have_text("核稿中")
    document_url = page.url.split("?")[0]
    shot("03-document-submitted")

    # 核稿: the reviewer decides from the emailed link, without signing in.
    reviewer = new_page(browser)
    decide_by_link(
        reviewer, link_for(base_url, REVIEWER, "核稿"), "同意，请会签。", lambda n: shot(n, reviewer), "04-review"
    )

    # 会签: the drafter's page, left open, follows the countersigners by itself.
    page.goto(document_url)
    expect(page.locator("#doc-status")).to_have_text("会签中")
    first, second = COUNTERSIGNERS
    expect(page.locator(f"tr[data-user='{first}']")).to_contain_text("待会签")
    countersigner = new_page(browser)
    decide_by_link(
        countersigner, link_for(base_url, first, "会签"), "无意见。", lambda n: shot(n, countersigner), "05-countersign"
    )
    expect(page.locator(f"tr[data-user='{first}']")).to_contain_text("同意")
    expect(page.locator(f"tr[data-user='{second}']")).to_contain_text("待会签")
    shot("06-countersign-progress")
    decide_by_link(
        countersigner, link_for(base_url, second, "会签"), "同意。", lambda n: shot(n, countersigner), "07-countersign"
    )
    expect(page.locator("#doc-status")).to_have_text("待签发")

    # 签发: the signer approves on a phone.
    phone = new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(link_for(base_url, SIGNER, "签发"))
    expect(phone.locator("h1")).to_have_text(TITLE)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    phone.locator("#opinion").fill("同意印发。")
    shot("08-sign-phone", phone)
    phone.get_by_role("button", name="同意", exact=True).tap()
    expect(phone.locator("body")).to_contain_text("编号、分发并归档")
    shot("09-sign-phone-done", phone)

    # 编号, 分发, 归档 happen by themselves; the page shows the number.
    expect(page.locator("#doc-status")).to_have_text("已归档", timeout=timeout_ms(FLOW_SECONDS))
    number = page.locator("#doc-number").inner_text()
    assert re.fullmatch(r"示例办发〔\d{4}〕\d+号", number)
    shot("10-document-archived")

    # 档案检索: the archivist finds it by its number.
    archivist = new_page(browser)
    sign_in(archivist, base_url, ARCHIVIST, "吴敏")
    archivist.get_by_role("link", name="档案检索").click()
    archivist.locator("input[name='number']").fill(number)
    archivist.get_by_role("button", name="检索").click()
    expect(archivist.locator("#results")).to_contain_text(TITLE)
    shot("11-archive-search", archivist)
    archivist.get_by_role("link", name=TITLE).click()
    expect(archivist.locator("#doc-title")).to_have_text(TITLE)
    expect(archivist.locator(".timeline")).to_contain_text("签发")

    # 工作台 afterwards: the drafter's document with its status and number.
    page.goto(f"{base_url}/")
    expect(page.locator("#my-documents")).to_contain_text(number)
    expect(page.locator("#my-documents")).to_contain_text("已归档")
    shot("12-dashboard")
