"""从 Word 导入 in headless Chromium, on a desktop and on a 390×844 phone: the drafter picks a LibreOffice-made
.docx on the 拟稿 page, sees 标题, 主送机关, 正文 (its headings as 一、/（一）) and 附件说明 filled and the import's
warnings listed, edits, and submits; a file with pictures and an old .doc are refused in Chinese in the page,
with nothing filled. Screenshots go to test-artifacts/screenshots/ only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.browser import new_page

pytestmark = pytest.mark.e2e

WORD = Path(__file__).resolve().parents[1] / "data" / "word"
DRAFTER, REVIEWER, SIGNER = "zhangwei", "wangfang", "zhaolei"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
SCREENS = {
    "desktop": (DESKTOP, "关于开展2026年冬季安全检查的通知"),
    "phone": (PHONE, "关于开展2026年冬季消防安全检查的通知"),
}
"""Each screen submits a title of its own (the tests share one server)."""


def signed_in_drafter(browser: Browser, base_url: str, screen: str) -> Page:
    viewport = SCREENS[screen][0]
    phone = screen == "phone"
    page = new_page(browser, viewport=viewport, is_mobile=phone, has_touch=phone, timezone_id="Asia/Shanghai")
    page.goto(f"{base_url}/")
    page.get_by_role("link", name="登录系统").click()
    page.locator(f"button[value='{DRAFTER}']").click()
    expect(page.locator("h1.page")).to_have_text("工作台")
    page.goto(f"{base_url}/documents/new")
    expect(page.locator("#word-import")).to_be_visible()
    return page


FIELDS = ("#title", "#main_recipients", "#body", "#attachment_note")


def form_values(page: Page) -> dict[str, str]:
    return {field: page.locator(field).input_value() for field in FIELDS}


def expect_nothing_filled(page: Page, before: dict[str, str]) -> None:
    """The fields as they were before the import (the new form's 通知 template), no warnings."""
    for field, value in before.items():
        expect(page.locator(field)).to_have_value(value)
    assert "冬季" not in "".join(before.values())
    expect(page.locator("#word-warnings li")).to_have_count(0)


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_a_refused_word_file_says_why_in_chinese_and_fills_nothing(
    base_url: str, browser: Browser, screenshots: Path, screen: str
) -> None:
    page = signed_in_drafter(browser, base_url, screen)
    try:
        status = page.locator("#word-status")
        before = form_values(page)
        for name, reason in (("pictures.docx", "2 张图片"), ("report.doc", "另存为")):
            page.locator("#word-file").set_input_files(WORD / name)
            expect(status).to_contain_text(reason)
            expect(status).to_have_class("error")
            expect_nothing_filled(page, before)
            page.screenshot(path=str(screenshots / f"word-import-refused-{name}-{screen}.png"))
    finally:
        page.context.close()


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_a_drafter_imports_a_word_file_reviews_the_fields_edits_and_submits(
    base_url: str, browser: Browser, screenshots: Path, screen: str
) -> None:
    title = SCREENS[screen][1]
    page = signed_in_drafter(browser, base_url, screen)
    try:
        page.locator("#word-file").set_input_files(WORD / "notice.docx")
        expect(page.locator("#word-status")).to_contain_text("已导入“notice.docx”，请核对")
        expect(page.locator("#title")).to_have_value("关于开展冬季安全检查的通知")
        expect(page.locator("#main_recipients")).to_have_value("各处室、各直属单位")
        body = page.locator("#body")
        expect(body).to_have_value(re.compile(r"^为做好冬季安全生产工作"))
        for heading in ("一、检查范围", "二、检查内容", "（一）消防安全", "（二）用电安全", "三、时间安排"):
            expect(body).to_have_value(re.compile(re.escape(f"\n{heading}\n")))
        expect(page.locator("#attachment_note")).to_have_value("冬季安全检查表\n隐患整改台账")
        warnings = page.locator("#word-warnings li")
        expect(warnings).to_have_count(2)
        expect(warnings.nth(0)).to_contain_text("请注意：表格已转为文字")
        expect(warnings.nth(1)).to_contain_text("请注意：已略去落款和成文日期")
        page.screenshot(path=str(screenshots / f"word-import-filled-{screen}.png"), full_page=True)

        # The drafter reviews and edits what came in, then chooses who handles it.
        page.locator("#title").fill(title)
        body.fill(body.input_value().replace("特此通知。", "请于12月25日前报送检查结果。\n特此通知。"))
        page.locator("#reviewer").select_option(REVIEWER)
        page.locator("#signer").select_option(SIGNER)
        page.locator("#distribution input[value='zhk']").check()
        expect(page.locator("#checks")).not_to_contain_text("必须修改")
        page.locator("#submit").click()

        expect(page.locator("#notice")).to_have_text("已送核稿")
        expect(page.locator("#doc-status")).to_have_text("核稿中")
        expect(page.locator("#doc-title")).to_have_text(title)
        expect(page.locator("#doc-body")).to_contain_text("一、检查范围")
        expect(page.locator("#doc-body")).to_contain_text("（一）消防安全")
        expect(page.locator("#doc-body")).to_contain_text("请于12月25日前报送检查结果。")
        expect(page.locator(".attachments")).to_have_text(re.compile(r"^附件：冬季安全检查表\s*隐患整改台账$"))
        page.screenshot(path=str(screenshots / f"word-import-submitted-{screen}.png"), full_page=True)
    finally:
        page.context.close()
