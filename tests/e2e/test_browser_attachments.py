"""附件 in headless Chromium: a drafter uploads two PDFs and an .xlsx from the 拟稿 form (each file straight
to the attachments bucket by the presigned POST, with its own progress line), retitles one, moves one,
removes one after the confirm and adds it back, and submits 送核稿; the reviewer opens the emailed link on
a 390×844 phone, sees the three attachments and opens them: the PDF shown in the browser, the .xlsx
downloaded under its Chinese name; the reviewer agrees and the signer signs on a phone, and the issued PDF
has the two PDFs as 附件 pages numbered on, with a seal that verifies. Screenshots go to
test-artifacts/screenshots/."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, Request, ViewportSize, expect
from pypdf import PdfReader

from infra.local.polling import FLOW_SECONDS
from infra.ops import verify as verify_cli
from tests.e2e.browser import new_page, timeout_ms
from tests.e2e.kit import Org, emailed_link, unique
from tests.e2e.test_browser_journey import sign_in
from tests.support import sample_files

pytestmark = pytest.mark.e2e

DRAFTER, REVIEWER, SIGNER = "zhangwei", "wangfang", "zhaolei"
PHONE: ViewportSize = {"width": 390, "height": 844}
PDF_A, PDF_B, SHEET = "2026年安全检查方案.pdf", "检查要点清单.pdf", "经费测算表（2026年）.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def files(*names: str) -> list[dict[str, object]]:
    made = {
        PDF_A: ("application/pdf", sample_files.pdf("inspection plan")),
        PDF_B: ("application/pdf", sample_files.pdf("check list")),
        SHEET: (XLSX, sample_files.xlsx("经费测算")),
    }
    return [{"name": n, "mimeType": made[n][0], "buffer": made[n][1]} for n in names]


def titles(page: Page) -> list[str]:
    values = page.locator("#attachment-items .attachment-title").evaluate_all("e => e.map(x => x.value)")
    return [str(v) for v in values]


def item(page: Page, title: str) -> Locator:
    """The list's row whose title (as typed, not the attribute) is ``title``."""
    shown = titles(page)
    assert title in shown, (title, shown)
    return page.locator("#attachment-items li").nth(shown.index(title))


def wait_titles(page: Page, expected: list[str]) -> None:
    expect(page.locator("#attachment-items .attachment-title")).to_have_count(len(expected))
    for index, title in enumerate(expected):
        expect(page.locator("#attachment-items .attachment-title").nth(index)).to_have_value(title)


def test_a_drafter_attaches_files_in_the_browser_and_the_reviewer_opens_them_on_a_phone(
    base_url: str, browser: Browser, page: Page, screenshots: Path
) -> None:
    def shot(name: str, target: Page | None = None) -> None:
        (target or page).screenshot(path=str(screenshots / f"{name}.png"), full_page=True)

    title = unique("关于开展2026年冬季安全检查的通知")
    sign_in(page, base_url, DRAFTER, "张伟")
    page.get_by_role("link", name="拟稿", exact=True).first.click()
    page.locator("#template").select_option("通知")
    page.locator("#title").fill(title)
    page.locator("#main_recipients").fill("各处室")
    page.locator("#body").fill("为做好冬季安全检查工作，现将检查方案、要点清单和经费测算表印发给你们，请遵照执行。")
    page.locator("#reviewer").select_option(REVIEWER)
    page.locator("#signer").select_option(SIGNER)

    # Upload: one line of progress per file, each ending 已添加; the 附件说明 is generated, read-only.
    # The files go to S3's origin, not the pages' (locally the other loopback name): CORS is checked.
    to_s3: list[str] = []

    def sent(request: Request) -> None:
        if "/_local/s3/" in request.url and request.method == "POST":
            to_s3.append(request.url)

    page.on("request", sent)
    page.locator("#attachment-files").set_input_files(files(PDF_A, PDF_B, SHEET))  # type: ignore[arg-type]
    progress = page.locator("#attachment-progress li")
    expect(progress).to_have_count(3)
    for name in (PDF_A, PDF_B, SHEET):
        expect(progress.filter(has_text=name)).to_have_text(f"{name}：已添加")
    wait_titles(page, ["2026年安全检查方案", "检查要点清单", "经费测算表（2026年）"])
    expect(page.locator("#attachment_note")).to_have_value(
        "1. 2026年安全检查方案\n2. 检查要点清单\n3. 经费测算表（2026年）"
    )
    expect(page.locator("#attachment_note")).to_have_attribute("readonly", "")
    expect(page.locator("#attachment_note")).to_have_attribute("rows", "3")  # the whole note in sight
    expect(page.locator("#attachment-items li").first.get_by_role("button", name="上移")).to_be_disabled()
    expect(page.locator("#attachment-items li").last.get_by_role("button", name="下移")).to_be_disabled()
    shot("50-attachments-uploaded")
    assert len(to_s3) == 3 and not any(url.startswith(base_url) for url in to_s3), (base_url, to_s3)

    # 改名 (the label 附件： and the final 。 are dropped), 下移, 删除 with its confirm, and add it back.
    retitled = item(page, "检查要点清单").locator(".attachment-title")
    retitled.fill("附件：安全检查要点清单。")
    retitled.press("Tab")
    wait_titles(page, ["2026年安全检查方案", "安全检查要点清单", "经费测算表（2026年）"])
    item(page, "2026年安全检查方案").get_by_role("button", name="下移").click()
    wait_titles(page, ["安全检查要点清单", "2026年安全检查方案", "经费测算表（2026年）"])
    asked: list[str] = []

    def confirm(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", confirm)
    item(page, "经费测算表（2026年）").get_by_role("button", name="删除").click()
    wait_titles(page, ["安全检查要点清单", "2026年安全检查方案"])
    assert asked == ["确定删除附件“经费测算表（2026年）”吗？"], asked
    page.locator("#attachment-files").set_input_files(files(SHEET))  # type: ignore[arg-type]
    expect(progress).to_have_count(1)  # a new choice of files starts a new progress list
    expect(progress).to_have_text(f"{SHEET}：已添加")
    wait_titles(page, ["安全检查要点清单", "2026年安全检查方案", "经费测算表（2026年）"])
    expect(page.locator("#attachment_note")).to_have_value(
        "1. 安全检查要点清单\n2. 2026年安全检查方案\n3. 经费测算表（2026年）"
    )
    shot("51-attachments-edited")

    page.locator("#submit").click()
    expect(page.locator("#notice")).to_have_text("已送核稿")
    expect(page.locator("#attachment-list li")).to_have_count(3)
    shot("52-document-with-attachments")

    # 核稿 on a phone, from the emailed link: the list, the PDF shown, the .xlsx downloaded by its name.
    phone = new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True)
    phone.goto(emailed_link(base_url, Org(base_url).email(REVIEWER), title))
    expect(phone.locator("h1")).to_have_text(title)
    listed = phone.locator("#attachment-list li")
    expect(listed).to_have_count(3)
    expect(listed.nth(0)).to_contain_text("安全检查要点清单")
    expect(listed.nth(0)).to_contain_text("在浏览器中打开")
    expect(listed.nth(2)).to_contain_text("下载")
    expect(phone.locator("#sheet-attachments")).to_have_text(
        "附件：1. 安全检查要点清单\n2. 2026年安全检查方案\n3. 经费测算表（2026年）"
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    shot("53-approval-attachments-phone", phone)

    pdf_link = urljoin(phone.url, str(listed.nth(0).locator("a").get_attribute("href")))
    opened = phone.request.get(pdf_link)
    assert opened.status == 200, opened.status
    assert opened.headers["content-type"] == "application/pdf"
    assert opened.headers["content-disposition"].startswith("inline"), opened.headers
    assert opened.body().startswith(b"%PDF-")
    with phone.expect_popup() as shown:
        listed.nth(0).locator("a").tap()
    assert re.search(r"/_local/s3/", shown.value.url), shown.value.url
    shown.value.close()
    with phone.expect_download() as downloaded:
        listed.nth(2).locator("a").tap()
    assert downloaded.value.suggested_filename == SHEET
    assert Path(downloaded.value.path()).read_bytes().startswith(b"PK")
    expect(phone.locator("h1")).to_have_text(title)

    # 核稿 同意 on the phone, then the signer signs from their emailed link on a phone: the issued PDF
    # carries the two PDF 附件 as pages after the 正文 (numbered on), and its seal verifies.
    phone.locator("#opinion").fill("同意。")
    phone.get_by_role("button", name="同意", exact=True).tap()
    expect(phone.locator(".ok")).to_contain_text("作出决定：同意")
    phone.context.close()
    signer = new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    signer.goto(emailed_link(base_url, Org(base_url).email(SIGNER), title))
    expect(signer.locator("#attachment-list li")).to_have_count(3)
    signer.locator("#opinion").fill("同意印发。")
    signer.get_by_role("button", name="同意", exact=True).tap()
    expect(signer.locator("body")).to_contain_text("编号、分发并归档")
    signer.context.close()
    expect(page.locator("#doc-status")).to_have_text("已归档", timeout=timeout_ms(FLOW_SECONDS))
    issued = page.request.get(urljoin(page.url, str(page.locator("#pdf-link").get_attribute("href"))))
    assert issued.status == 200 and issued.body().startswith(b"%PDF-"), issued.status
    pages = ["".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(issued.body())).pages]
    first = next(n for n, text in enumerate(pages) if "附件1" in text)
    assert "checklist" in pages[first].lower().replace(" ", ""), "附件1 is the first in the note: 安全检查要点清单"
    assert "附件2" in pages[first + 1] and "inspectionplan" in pages[first + 1].lower()
    assert all(f"—{n}—" in pages[n - 1] for n in range(1, first + 3)), "page numbers continue onto the 附件"
    assert not any("经费测算表" in text for text in pages[first:]), "the workbook is listed in the note, not appended"
    sealed = screenshots / "issued-with-attachments.pdf"
    sealed.write_bytes(issued.body())
    assert verify_cli.main([str(sealed)]) == 0, "the seal covers the whole file, 附件 pages included"
    shot("54-issued-with-attachments")
