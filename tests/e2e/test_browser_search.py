"""全文检索 (/search) in headless Chromium, at desktop size and on a 390×844 phone: a drafter's archived
document found in 档案 by words of its 正文 ("安全 检查") with the passage marked, twelve documents in 发文
paged ten and two, the empty state in Chinese, and no sideways scrolling on the phone. Screenshots go to
test-artifacts/screenshots/."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.polling import FLOW_SECONDS
from tests.e2e.browser import new_page
from tests.e2e.kit import Org, User, draft, submit, unique
from tests.e2e.test_browser_meeting import sign_in

pytestmark = pytest.mark.e2e

DRAFTER = "lina"
BODY = "一、开展全市校园安全检查，重点排查实验室危化品。\n二、各单位于十月底前报送检查情况，批次{tag}。"
SUBMITTED = 11
"""Documents in review besides the archived one: twelve in 发文, two pages of ten."""


def _search(page: Page, q: str, scope: str) -> None:
    page.locator("#search-form input[name='q']").fill(q)
    page.locator(f"#search-form input[name='scope'][value='{scope}']").check()
    page.locator("#search-form button[type='submit']").click()
    expect(page.locator("#results")).to_be_visible()


def _no_sideways_scroll(page: Page, width: int) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"the page scrolls sideways: {wide}px wide in a {width}px window"


@pytest.fixture(scope="module")
def documents(base_url: str) -> dict[str, str]:
    """One archived document of lina's and eleven in review, all holding 安全, 检查 and a batch tag."""
    org = Org(base_url)
    tag = "jc" + uuid.uuid4().hex[:6]
    drafter = User(base_url, DRAFTER)
    reviewer = User(base_url, org.with_role("reviewer")[0])
    signer = User(base_url, org.with_role("signer")[0])
    title = unique("关于开展校园安全检查的通知")
    archived = submit(drafter, draft(org, title, body=BODY.format(tag=tag), distribute_to=[]))
    for n in range(SUBMITTED):
        body = draft(org, unique(f"关于第{n + 1}批安全检查整改的通知"), body=BODY.format(tag=tag), distribute_to=[])
        submit(drafter, body)
    assert reviewer.decide(reviewer.pending_task(archived, "review")["task_id"], "approve").status_code == 200
    assert signer.decide(signer.pending_task(archived, "sign")["task_id"], "approve").status_code == 200
    drafter.wait_status(archived, "archived", FLOW_SECONDS)
    return {"tag": tag, "title": title, "document_id": archived}


def test_an_archived_document_is_found_by_its_body_words_and_the_results_page_on_the_desktop(
    base_url: str, page: Page, screenshots: Path, documents: dict[str, str]
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base_url, DRAFTER)
    page.get_by_role("link", name="全文检索").first.click()
    expect(page.locator("h1.page")).to_have_text("全文检索")
    _search(page, "安全 检查", "archive")
    hit = page.locator("li.hit", has=page.locator(f"a[href$='/documents/{documents['document_id']}']"))
    expect(hit).to_have_count(1)
    expect(hit.locator(".passage mark").first).to_be_visible()
    expect(hit.locator(".passage")).to_contain_text("安全检查")
    expect(hit.locator(".hit-title mark").first).to_be_visible()
    page.screenshot(path=str(screenshots / "50-search-archive-desktop.png"), full_page=True)

    _search(page, f"安全 检查 {documents['tag']}", "outgoing")
    expect(page.locator("#results h2")).to_contain_text(f"共 {SUBMITTED + 1} 件")
    expect(page.locator("li.hit")).to_have_count(10)
    expect(page.locator("nav.pager")).to_contain_text("第 1 / 2 页")
    page.get_by_role("link", name="下一页").click()
    expect(page.locator("li.hit")).to_have_count(SUBMITTED + 1 - 10)
    expect(page.locator("nav.pager")).to_contain_text("第 2 / 2 页")
    expect(page.get_by_role("link", name="上一页")).to_be_visible()
    _no_sideways_scroll(page, 1280)
    page.screenshot(path=str(screenshots / "51-search-page-2-desktop.png"), full_page=True)


def test_the_search_page_on_a_phone_marks_the_passage_pages_and_says_when_nothing_is_found(
    base_url: str, browser: Browser, screenshots: Path, documents: dict[str, str]
) -> None:
    phone = new_page(browser, viewport={"width": 390, "height": 844}, timezone_id="Asia/Shanghai")
    try:
        sign_in(phone, base_url, DRAFTER)
        phone.goto(f"{base_url}/search")
        _search(phone, "安全 检查", "archive")
        hit = phone.locator("li.hit", has=phone.locator(f"a[href$='/documents/{documents['document_id']}']"))
        expect(hit.locator(".passage mark").first).to_be_visible()
        box = hit.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390, "the hit wraps inside the screen"
        _no_sideways_scroll(phone, 390)
        phone.screenshot(path=str(screenshots / "52-search-phone.png"), full_page=True)

        _search(phone, f"安全 检查 {documents['tag']}", "outgoing")
        phone.get_by_role("link", name="下一页").click()
        expect(phone.locator("nav.pager")).to_contain_text("第 2 / 2 页")
        _no_sideways_scroll(phone, 390)

        _search(phone, "量子纠缠", "archive")
        expect(phone.locator("#results")).to_contain_text("没有找到符合条件的文件。")
        expect(phone.locator("#results h2")).to_contain_text("共 0 件")
        _no_sideways_scroll(phone, 390)
        phone.screenshot(path=str(screenshots / "53-search-empty-phone.png"), full_page=True)
    finally:
        phone.context.close()
