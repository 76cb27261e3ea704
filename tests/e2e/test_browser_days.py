"""Three people's day, through the pages only, in headless Chromium; the screenshots are the ones
docs/ shows (docs/screenshots/day-*.png, README.md "一天的工作").

- 文书 (周强 of 办公室, desktop 1280 wide; a 文书 drafts 发文 too): 工作台 → 拟稿 a 通知
  with 分发 to a department and an external unit → submits once → sees it in 我拟的文件 →
  after the 领导 signs, sees it 已归档 with its 档号 and opens the 正式文件 (PDF).
- 领导 (赵磊, the signer, phone 390×844): opens the approval link of the outbox mail, reads the 发文稿纸,
  同意 with an opinion; signs in on the phone afterwards and finds it under 已办.
- 档案员 (吴敏, desktop): 档案检索 by 发文字号, downloads the 档案包 and the 四性检测 report from the page.

The 核稿 between the 文书 and the 领导 is done from its emailed link (a page, too). Every step
asserts what the person sees: Chinese words, and never the document's internal id. The screenshots
go to test-artifacts/screenshots/, and to docs/screenshots/ with ``make screenshots``.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from infra.local.polling import FLOW_SECONDS
from tests.e2e.browser import docs_shot, new_page, timeout_ms
from tests.e2e.kit import Org, emailed_link

pytestmark = pytest.mark.e2e

CLERK, REVIEWER, LEADER, ARCHIVIST = "zhouqiang", "wangfang", "zhaolei", "wumin"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
BODY = (
    "为做好岁末年初安全生产工作，现将有关事项通知如下：\n"
    "一、12月10日前完成隐患自查。\n二、12月15日前报送自查报告。\n\n特此通知。"
)


class Person:
    """One person's browser page, with the screenshots of their day and the ids they must not see."""

    def __init__(self, page: Page, role: str, artifacts: Path) -> None:
        self.page = page
        self.role = role
        self.artifacts = artifacts
        self.hidden: set[str] = set()

    def shot(self, step: str) -> None:
        """A viewport screenshot day-<role>-<step>.png (test-artifacts/; docs/ with make screenshots)."""
        docs_shot(self.page, f"day-{self.role}-{step}.png")

    def sees_no_ids(self) -> None:
        text = self.page.locator("body").inner_text()
        for hidden in self.hidden:
            assert hidden not in text, f"{self.role} sees the internal id {hidden} on {self.page.url}"

    def fits(self) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.page.viewport_size["width"], f"{self.role}: no sideways scrolling ({width}px)"  # type: ignore[index]


def sign_in(person: Person, base_url: str, user_id: str, name: str) -> None:
    page = person.page
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_role("link", name="登录系统").click()
    page.locator(f"button[value='{user_id}']").click()
    expect(page.locator("h1.page")).to_have_text("工作台")
    expect(page.locator(".whoami")).to_contain_text(name)


def clerk_drafts_and_submits(clerk: Person, base_url: str, title: str) -> tuple[str, str]:
    """工作台 → 拟稿 → 提交送核稿 once; the document's page URL and the external unit chosen."""
    page = clerk.page
    sign_in(clerk, base_url, CLERK, "周强")
    expect(page.locator("#my-tasks h2")).to_contain_text("我的待办")
    clerk.shot("1-dashboard")
    page.locator("#my-documents").get_by_role("link", name="拟稿").click()
    expect(page.locator("h1.page")).to_have_text(re.compile("拟稿"))
    page.locator("#template").select_option("通知")
    page.locator("#title").fill(title)
    page.locator("#main_recipients").fill("各处室、各直属单位")
    page.locator("#body").fill(BODY)
    page.locator("#reviewer").select_option(REVIEWER)
    page.locator("#signer").select_option(LEADER)
    page.locator("#distribution input[value='zhk']").check()
    external = page.locator("#external-distribution input[type='checkbox']").first
    external.check()
    unit = str(external.get_attribute("value"))
    expect(page.locator("#checks")).to_contain_text("未发现问题")
    page.locator("#submit").scroll_into_view_if_needed()
    clerk.shot("2-draft-form")
    page.locator("#submit").dblclick()  # an impatient double click still submits once
    expect(page.locator("#notice")).to_have_text("已送核稿")
    expect(page.locator("#doc-status")).to_have_text("核稿中")
    clerk.hidden.add(page.url.split("?")[0].rsplit("/", 1)[-1])
    clerk.sees_no_ids()
    clerk.shot("3-submitted")
    document_url = page.url.split("?")[0]

    page.goto(f"{base_url}/")
    mine = page.locator("#my-documents")
    expect(mine.get_by_role("row").filter(has_text=title)).to_contain_text("核稿中")
    assert mine.get_by_role("link", name=title).count() == 1, "submitted once: one document, no duplicate"
    clerk.sees_no_ids()
    clerk.shot("4-my-documents")
    return document_url, unit


def reviewer_approves_by_link(browser: Browser, base_url: str, org: Org, title: str) -> None:
    reviewer = new_page(browser, viewport=DESKTOP, timezone_id="Asia/Shanghai")
    reviewer.goto(emailed_link(base_url, org.email(REVIEWER), title))
    expect(reviewer.locator("h1")).to_have_text(title)
    reviewer.locator("#opinion").fill("同意，请签发。")
    reviewer.get_by_role("button", name="同意", exact=True).click()
    expect(reviewer.locator(".ok")).to_contain_text("作出决定：同意")
    reviewer.context.close()


def leader_signs_on_the_phone(leader: Person, base_url: str, org: Org, title: str, unit: str) -> None:
    page = leader.page
    page.goto(emailed_link(base_url, org.email(LEADER), title))
    expect(page.locator("h1")).to_have_text(title)
    sheet = page.locator("#sheet")
    expect(sheet).to_contain_text("发文稿纸")
    expect(sheet.locator("#sheet-drafter")).to_contain_text("周强")
    expect(sheet.locator("#sheet-review")).to_contain_text("同意，请签发。")
    expect(sheet.locator("#sheet-internal")).to_contain_text("综合科")
    expect(sheet.locator("#sheet-external")).to_contain_text(unit)
    leader.fits()
    leader.sees_no_ids()
    leader.shot("1-sheet")
    page.locator("#opinion").fill("同意印发。")
    page.locator("#opinion").scroll_into_view_if_needed()
    leader.shot("2-opinion")
    page.get_by_role("button", name="同意", exact=True).tap()
    expect(page.locator(".ok")).to_contain_text("作出决定：同意")
    expect(page.locator("body")).to_contain_text("同意印发。")
    leader.fits()
    leader.shot("3-signed")

    sign_in(leader, base_url, LEADER, "赵磊")
    page.get_by_role("link", name="已办", exact=True).click()
    expect(page.locator("h1.page")).to_have_text("已办")
    done = page.locator("#results").get_by_role("row").filter(has_text=title)
    expect(done).to_contain_text("签发")
    expect(done).to_contain_text("同意印发。")
    leader.fits()
    leader.sees_no_ids()
    leader.shot("4-done-list")


def clerk_sees_it_archived(clerk: Person, document_url: str) -> str:
    """The document page, left open, turns 已归档 with its 发文字号 and 档号; the 正式文件 opens as a PDF."""
    page = clerk.page
    page.goto(document_url)
    expect(page.locator("#doc-status")).to_have_text("已归档", timeout=timeout_ms(FLOW_SECONDS))
    # The page, left open, reloads itself when the flow ends: the 正式文件 link appears without F5.
    number = page.locator("#doc-number").inner_text()
    assert re.fullmatch(r"示例办发〔\d{4}〕\d+号", number), number
    pdf_link = page.locator("#pdf-link")
    expect(pdf_link).to_contain_text("正式文件")
    clerk.sees_no_ids()
    clerk.shot("5-archived")
    filed = page.locator(".timeline li").filter(has_text=re.compile(r"档号 \S+"))
    expect(filed).to_contain_text("归档")
    filed.scroll_into_view_if_needed()
    clerk.shot("6-archive-code")
    pdf = page.context.request.get(str(pdf_link.evaluate("link => link.href")))  # with the 文书's session
    assert pdf.status == 200, pdf.status
    assert pdf.headers["content-type"].startswith("application/pdf"), pdf.headers
    assert pdf.body().startswith(b"%PDF"), "the 正式文件 is a PDF"
    return number


def archivist_finds_and_downloads(archivist: Person, base_url: str, title: str, number: str) -> None:
    page = archivist.page
    sign_in(archivist, base_url, ARCHIVIST, "吴敏")
    page.get_by_role("link", name="档案检索").click()
    expect(page.locator("h1.page")).to_have_text("档案检索")
    page.locator("input[name='number']").fill(number)
    page.get_by_role("button", name="检索").click()
    row = page.locator("#results").get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text(number)
    archive_code = row.locator("td").nth(4).inner_text()
    assert archive_code.strip(), "the 档号 is in the results"
    archivist.sees_no_ids()
    archivist.shot("1-search")

    with page.expect_download() as package_download:
        row.get_by_role("link", name="档案包").click()
    package = package_download.value
    assert package.suggested_filename == f"{archive_code}-档案包.zip", package.suggested_filename
    with zipfile.ZipFile(io.BytesIO(Path(package.path()).read_bytes())) as archive:
        assert archive.namelist(), "the 档案包 has its files"
    with page.expect_download() as report_download:
        row.get_by_role("link", name="四性检测报告").click()
    report = report_download.value
    assert report.suggested_filename == f"{archive_code}-四性检测报告.json", report.suggested_filename
    assert json.loads(Path(report.path()).read_text(encoding="utf-8"))["档号"] == archive_code


def test_the_clerk_the_leader_on_a_phone_and_the_archivist_do_their_day_in_the_pages(
    base_url: str, browser: Browser, screenshots: Path
) -> None:
    org = Org(base_url)
    title = f"关于开展第{secrets.randbelow(900) + 100}轮岁末年初安全生产检查的通知"  # ends with its 文种
    clerk = Person(new_page(browser, viewport=DESKTOP, timezone_id="Asia/Shanghai"), "clerk", screenshots)
    leader = Person(
        new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Asia/Shanghai"),
        "leader",
        screenshots,
    )
    archivist = Person(new_page(browser, viewport=DESKTOP, timezone_id="Asia/Shanghai"), "archivist", screenshots)
    try:
        document_url, unit = clerk_drafts_and_submits(clerk, base_url, title)
        leader.hidden = archivist.hidden = clerk.hidden
        reviewer_approves_by_link(browser, base_url, org, title)
        leader_signs_on_the_phone(leader, base_url, org, title, unit)
        number = clerk_sees_it_archived(clerk, document_url)
        archivist_finds_and_downloads(archivist, base_url, title, number)
    finally:
        for person in (clerk, leader, archivist):
            person.page.context.close()
