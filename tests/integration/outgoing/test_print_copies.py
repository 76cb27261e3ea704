"""打印份数 through the local stack: after 印制 the office's 文书 records a print run; each run takes the next
份号 range (two runs at once get disjoint ranges), downloads as one sealed PDF of its numbered copies, and is
audited; anyone else gets 403, and before 印制 409, in Chinese."""

from __future__ import annotations

import io
import json
import re

import pytest
from pypdf import PdfReader

from infra.local.stack import LocalStack
from oa_core.platform.audit import AuditItem
from oa_core.publishing import seal
from tests.integration.kit import Api, approve, at_once, office_clerk, submit, users_with, wait_status
from tests.integration.web.webkit import Browser, location_path

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def issued(stack: LocalStack) -> dict[str, object]:
    api = Api(stack)
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter, title="关于打印份数测试的通知")
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    return wait_status(api, doc_id, "archived", drafter)


def numbers_on_pages(data: bytes) -> list[str]:
    """Every 6-digit 份号 printed on the first line of a page, in page order."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        first = page.extract_text().strip().splitlines()[0] if page.extract_text().strip() else ""
        if re.fullmatch(r"\d{6}", first.strip()):
            found.append(first.strip())
    return found


def test_a_print_run_takes_the_next_copy_numbers_and_downloads_as_one_sealed_pdf_of_numbered_copies(
    stack: LocalStack, issued: dict[str, object]
) -> None:
    api, clerk, doc_id = Api(stack), office_clerk(), str(issued["document_id"])
    status, first = api.call("POST", f"/api/documents/{doc_id}/copies", clerk, {"count": 3})
    assert status == 201, first
    status, second = api.call("POST", f"/api/documents/{doc_id}/copies", clerk, {"count": 2})
    assert status == 201, second
    ranges = [(first["first"], first["last"]), (second["first"], second["last"])]
    start = int(first["first"])
    assert int(first["last"]) == start + 2 and int(second["first"]) == start + 3 and int(second["last"]) == start + 4
    assert all(re.fullmatch(r"\d{6}", value) for pair in ranges for value in pair), "6 位阿拉伯数字"

    response = stack.invoke_http("GET", second["download"], user_id=clerk)
    assert response.status == 200 and response.headers["Content-Type"] == "application/pdf"
    _unsealed, block = seal.split_sealed_pdf(response.body)
    assert block is not None and block["copies"] == f"{second['first']}-{second['last']}", "sealed once"
    assert numbers_on_pages(response.body) == [second["first"], second["last"]], "each copy its 份号"

    original = stack.invoke_http("GET", f"/api/documents/{doc_id}/pdf", user_id=clerk).body
    assert numbers_on_pages(original) == [], "the sealed original stays unnumbered"

    audited = [
        (item.actor, item.detail)
        for item in AuditItem.by_subject.query(f"SUBJECT#{doc_id}")
        if item.action == "print_copies"
    ]
    assert (clerk, f"2份，份号{second['first']}至{second['last']}") in audited, audited


def test_two_print_runs_at_once_get_disjoint_copy_numbers(stack: LocalStack, issued: dict[str, object]) -> None:
    api, clerk, doc_id = Api(stack), office_clerk(), str(issued["document_id"])
    results = at_once(
        [lambda: api.call("POST", f"/api/documents/{doc_id}/copies", clerk, {"count": 2}) for _ in range(2)],
        seconds_each=30.0,
    )
    assert [status for status, _ in results] == [201, 201], results
    numbers = [set(range(int(run["first"]), int(run["last"]) + 1)) for _, run in results]
    assert all(len(n) == 2 for n in numbers) and not numbers[0] & numbers[1], f"disjoint ranges: {numbers}"


def test_only_the_office_clerk_prints_copies_and_only_after_printing_with_chinese_refusals(
    stack: LocalStack, issued: dict[str, object]
) -> None:
    api, doc_id = Api(stack), str(issued["document_id"])
    for other in (users_with("drafter")[0], users_with("signer")[0]):
        status, body = api.call("POST", f"/api/documents/{doc_id}/copies", other, {"count": 1})
        assert status == 403 and "办公室文书" in body["error"]["message"], (other, body)
    for bad in ({"count": 0}, {"count": 501}, {"count": "三"}, {}):
        status, body = api.call("POST", f"/api/documents/{doc_id}/copies", office_clerk(), bad)
        assert status == 422, (bad, body)
    status, body = api.call("GET", f"/api/documents/{doc_id}/copies/999999", office_clerk())
    assert status == 404 and body["error"]["message"] == "没有这次打印"

    draft = submit(api, users_with("drafter")[0], title="关于尚未印制的份数测试的通知")
    status, body = api.call("POST", f"/api/documents/{draft}/copies", office_clerk(), {"count": 1})
    assert status == 409 and "尚未印制" in body["error"]["message"], body
    assert json.dumps(body, ensure_ascii=False)


def test_the_document_page_offers_the_office_clerk_the_copies_form_and_lists_each_run_to_download(
    stack: LocalStack, issued: dict[str, object]
) -> None:
    doc_id, clerk = str(issued["document_id"]), office_clerk()
    drafter = Browser(stack)
    drafter.sign_in(users_with("drafter")[0])
    assert 'id="copies-form"' not in drafter.get(f"/documents/{doc_id}").text, "only the office's 文书 sees it"

    browser = Browser(stack)
    browser.sign_in(clerk)
    page = browser.get(f"/documents/{doc_id}")
    assert 'id="copies-form"' in page.text and "打印份数" in page.text
    posted = browser.post(f"/documents/{doc_id}/copies", {"csrf": browser.csrf(page), "count": "2"})
    assert posted.status == 303, posted.text
    shown = browser.get(location_path(posted))
    done = re.search(r"已分配份号 (\d{6}) 至 (\d{6})（共 2 份）", shown.text)
    assert done, shown.text[:2000]
    link = f"/documents/{doc_id}/copies/{done.group(1)}"
    assert link in shown.text, "the run is listed with its download"
    download = browser.get(link)
    assert download.status == 200 and download.headers["Content-Type"] == "application/pdf"
    assert numbers_on_pages(download.body) == [done.group(1), done.group(2)]

    refused = browser.post(f"/documents/{doc_id}/copies", {"csrf": browser.csrf(shown), "count": "0"})
    assert refused.status == 422 and "份数应为 1 至 500 之间的整数" in refused.text
