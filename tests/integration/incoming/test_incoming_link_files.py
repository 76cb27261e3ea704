"""查看来文 from a 收文's emailed link (批办, 传阅): the received file and the 办理结果附件 open through presigned
GETs that never outlive the link, audited; a used or expired link opens nothing (409 / 410, in Chinese)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from infra.local.stack import LocalStack
from oa_core.platform import clock
from oa_core.platform.audit import AuditItem
from oa_core.workflow.storage import LinkItem
from tests.integration.incoming.flow_kit import (
    OFFICE_HEAD,
    PDF,
    decide,
    instructed,
    leader,
    link_path,
    plan,
    post_form,
    registered,
    stack,
)
from tests.integration.incoming.test_incoming_results import report
from tests.integration.kit import Api, users_with
from tests.support import sample_files as files

pytestmark = pytest.mark.integration
__all__ = ["stack"]


def opened(stack: LocalStack, path: str, no: str) -> tuple[int, str, int]:
    """GET one file of the link: (status, the page or the Location, the presigned GET's lifetime)."""
    response = stack.invoke_http("GET", f"{path}/attachments/{no}")
    if response.status != 302:
        return response.status, response.text, 0
    location = response.headers["Location"]
    return 302, location, int(parse_qs(urlsplit(location).query)["X-Amz-Expires"][0])


def fetched(stack: LocalStack, location: str) -> bytes:
    got = stack.invoke_http("GET", f"{urlsplit(location).path}?{urlsplit(location).query}")
    assert got.status == 200, got.text
    return bytes(got.body)


def link_downloads(incoming_id: str) -> list[str]:
    return [
        str(a.detail)
        for a in AuditItem.by_subject.query(f"SUBJECT#{incoming_id}")
        if str(a.action) == "download_incoming:link"
    ]


def link_record(path: str) -> LinkItem:
    from oa_core.workflow.links import resolve

    return resolve(path.rsplit("/", 1)[1])


def test_the_instruction_link_opens_the_received_file_for_no_longer_than_the_link_lives(stack: LocalStack) -> None:
    api, title = Api(stack), "关于链接查看来文测试的通知"
    incoming_id = registered(api, stack, title)
    decide(api, OFFICE_HEAD, incoming_id, "propose", opinion="拟请政策法规科主办。", plan=plan())
    path = link_path(stack, leader(), title, "请批示来文")
    page = stack.invoke_http("GET", path).text
    href = re.search(r'<a class="button primary" id="file-0" href="([^"]+)"[^>]*>查看来文</a>', page)
    assert href and href.group(1).endswith("/attachments/0"), page

    status, location, lifetime = opened(stack, path, "0")
    assert status == 302 and 0 < lifetime <= 300, (status, location)
    assert fetched(stack, location) == PDF
    assert link_downloads(incoming_id) == ["来文"]

    link = link_record(path)
    link.update(actions=[LinkItem.expires_at.set(clock.iso(clock.now() + timedelta(seconds=90)))])
    status, _location, lifetime = opened(stack, path, "0")
    assert status == 302 and 0 < lifetime <= 90, lifetime

    link.update(actions=[LinkItem.expires_at.set(clock.iso(clock.after_hours(-1)))])
    status, refused, _ = opened(stack, path, "0")
    assert status == 410 and "过期" in refused, (status, refused)
    assert len(link_downloads(incoming_id)) == 2, "the refused opening is no download"


def test_the_reading_link_opens_the_lead_result_file_and_once_read_opens_nothing(stack: LocalStack) -> None:
    api, reader, table = Api(stack), users_with("signer")[1], files.pdf("统计表")
    incoming_id = instructed(api, stack)
    status, body = report(api, stack, incoming_id, "liuyang", "已报送统计数据。", ("统计表.pdf", table))
    assert status == 200, body
    path = link_path(stack, reader, "关于报送2026年度教育统计数据的通知", "请阅来文")
    page = stack.invoke_http("GET", path).text
    assert "查看来文" in page and "主办政策法规科办理结果附件：统计表.pdf" in page, page
    assert 'href="' in page and "/attachments/0-1" in page
    status, location, _ = opened(stack, path, "0-1")
    assert status == 302 and fetched(stack, location) == table
    for bad in ("1-1", "0-9", "abc", "7"):
        status, refused, _ = opened(stack, path, bad)
        assert status == 404 and "没有这个" in refused, (bad, status, refused)
    status, _done = post_form(stack, path, task_id=link_record(path).task_id, decision="approve", opinion="已阅")
    assert status == 200
    for no in ("0", "0-1"):
        status, refused, _ = opened(stack, path, no)
        assert status == 409 and "使用过" in refused, (no, status, refused)
    assert link_downloads(incoming_id) == ["办理结果附件：统计表.pdf"]
