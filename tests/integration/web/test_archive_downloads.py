"""The 档案员 downloads an archived document's 档案包 and 四性检测 report from the pages, under the API's rules."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from infra.local.stack import LocalStack
from tests.integration.kit import Api, approve, submit, users_with, wait_status
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration


def test_the_archivist_downloads_the_package_and_the_report_from_the_archive_and_document_pages(
    stack: LocalStack,
) -> None:
    api = Api(stack)
    drafter_id = users_with("drafter")[0]
    doc_id = submit(api, drafter_id, title="关于档案包下载测试的通知", distribute_to=[])
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    archived = wait_status(api, doc_id, "archived", drafter_id)
    archivist = Browser(stack)
    archivist.sign_in(users_with("archivist")[0])
    listing = archivist.get(f"/archive?number={archived['number'][-8:]}")
    assert f'href="/archive/{doc_id}/package"' in listing.text and f'href="/archive/{doc_id}/report"' in listing.text
    page = archivist.get(f"/documents/{doc_id}")
    assert 'id="archive-downloads"' in page.text and "下载四性检测报告" in page.text

    package = archivist.get(f"/archive/{doc_id}/package")
    assert package.status == 200 and package.headers["Content-Type"] == "application/zip"
    assert "attachment;" in package.headers["Content-Disposition"] and "X001-WS" in package.headers[
        "Content-Disposition"
    ].replace("%C2%B7", "·")
    names = zipfile.ZipFile(io.BytesIO(package.body)).namelist()
    assert "manifest.json" in names and "document.pdf" in names
    report = archivist.get(f"/archive/{doc_id}/report")
    assert report.status == 200 and report.headers["Content-Type"].startswith("application/json")
    assert json.loads(report.body)["passed"] is True

    api_package = api.stack.invoke_http("GET", f"/api/archive/{doc_id}/package", user_id=users_with("archivist")[0])
    assert api_package.body == package.body, "the page gives the API's package, byte for byte"


def test_archive_downloads_follow_the_api_rules_for_other_departments_and_strangers(stack: LocalStack) -> None:
    api = Api(stack)
    drafter_id = users_with("drafter")[0]
    doc_id = submit(api, drafter_id, title="关于档案包权限测试的通知", distribute_to=[])
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    wait_status(api, doc_id, "archived", drafter_id)
    outsider = Browser(stack)
    outsider.sign_in("yangfan")
    for what in ("package", "report"):
        refused = outsider.get(f"/archive/{doc_id}/{what}")
        assert refused.status == 403 and "application/zip" not in refused.headers["Content-Type"]
        assert outsider.get(f"/archive/unknown-doc/{what}").status == 403, "an unknown id answers as another's"
    assert 'id="archive-downloads"' not in outsider.get(f"/documents/{doc_id}").text
    assert outsider.get(f"/archive/{doc_id}/other").status == 404
    drafter = Browser(stack)
    drafter.sign_in(drafter_id)
    assert drafter.get(f"/archive/{doc_id}/package").status == 200, "the drafting department may"
    stranger = Browser(stack).get(f"/archive/{doc_id}/package")
    assert stranger.status == 303 and "/login?next=" in stranger.headers["Location"]
    running = submit(api, drafter_id, title="关于尚未归档的通知", distribute_to=[])
    archivist = Browser(stack)
    archivist.sign_in(users_with("archivist")[0])
    not_yet = archivist.get(f"/archive/{running}/package")
    assert not_yet.status == 404 and "尚未归档" in not_yet.text
