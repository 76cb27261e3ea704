"""附件 for the decider behind an emailed approval link: listed on the link's page and opened while the link
is usable, by a presigned GET that never outlives the link, refused once it is used or expired; changes
on a returned document are versions of their own, shown in the 痕迹; every opening is audited."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from infra.local.stack import LocalStack
from oa_core.platform import clock
from oa_core.platform.audit import AuditItem
from oa_core.workflow.storage import LinkItem
from tests.integration.kit import Api, pending_task, submit, users_with, wait_status
from tests.integration.outgoing.attachment_kit import reserve_id, upload
from tests.integration.web.webkit import Browser
from tests.integration.workflow.test_approval_links import email, get_page, link_for, post_form, task_id_in
from tests.support import sample_files as files

pytestmark = pytest.mark.integration


def drafter() -> str:
    return users_with("drafter")[0]


def reviewer() -> str:
    return users_with("reviewer")[0]


def with_attachments(api: Api, stack: LocalStack, title: str) -> str:
    """A document submitted with a PDF and a workbook, waiting for its 核稿."""
    doc = reserve_id()
    assert upload(api, stack, doc, drafter(), "检查方案.pdf", files.pdf(title.encode().hex()[:40]))[0] == 201
    assert upload(api, stack, doc, drafter(), "经费测算表.xlsx", files.xlsx(title))[0] == 201
    submit(api, document_id=doc, title=title)
    pending_task(api, reviewer(), doc, "review")
    return doc


def link_of(stack: LocalStack, document_id: str, title: str) -> tuple[str, LinkItem]:
    """The reviewer's emailed link (its path) and its record."""
    path = link_for(stack, email(reviewer()), title)
    task = pending_task(Api(stack), reviewer(), document_id, "review")
    found = [link for link in LinkItem.scan() if isinstance(link, LinkItem) and link.task_id == task["task_id"]]
    assert len(found) == 1, found
    return path, found[0]


def opened(stack: LocalStack, path: str, no: int) -> tuple[int, str, int]:
    """GET the link's attachment: (status, the page or the Location, the presigned GET's lifetime)."""
    response = stack.invoke_http("GET", f"{path}/attachments/{no}")
    if response.status != 302:
        return response.status, response.text, 0
    location = response.headers["Location"]
    return 302, location, int(parse_qs(urlsplit(location).query)["X-Amz-Expires"][0])


def downloads(document_id: str) -> list[tuple[str, str, str]]:
    return sorted(
        (str(a.at), str(a.action), str(a.actor))
        for a in AuditItem.by_subject.query(f"SUBJECT#{document_id}")
        if str(a.action).startswith("download_attachment")
    )


def test_the_link_lists_the_attachments_and_opens_them_for_no_longer_than_the_link_lives(stack: LocalStack) -> None:
    api = Api(stack)
    title = "关于链接附件有效期测试的通知"
    doc = with_attachments(api, stack, title)
    path, link = link_of(stack, doc, title)
    status, page = get_page(stack, path)
    assert status == 200
    hrefs = re.findall(r'<a href="([^"]+)"[^>]*>(检查方案|经费测算表)</a>', page)
    assert [text for _href, text in hrefs] == ["检查方案", "经费测算表"], page
    assert all(href.endswith(f"/attachments/{n}") for (href, _t), n in zip(hrefs, (1, 2), strict=True))

    status, location, lifetime = opened(stack, path, 1)
    assert status == 302 and 0 < lifetime <= 300, (status, location)
    got = stack.invoke_http("GET", f"{urlsplit(location).path}?{urlsplit(location).query}")
    assert got.status == 200 and got.body.startswith(b"%PDF-")

    # 90 seconds of the link left: the file's link lives no longer
    link.update(actions=[LinkItem.expires_at.set(clock.iso(clock.now() + timedelta(seconds=90)))])
    status, _location, lifetime = opened(stack, path, 2)
    assert status == 302 and 0 < lifetime <= 90, lifetime

    # expired: refused, and says why
    link.update(actions=[LinkItem.expires_at.set(clock.iso(clock.after_hours(-1)))])
    status, page, _ = opened(stack, path, 1)
    assert status == 410 and "过期" in page, (status, page)
    assert [action for _at, action, _who in downloads(doc)] == ["download_attachment:link"] * 2


def test_a_used_link_no_longer_opens_attachments_and_a_bad_number_is_404(stack: LocalStack) -> None:
    api = Api(stack)
    title = "关于链接使用后附件测试的通知"
    doc = with_attachments(api, stack, title)
    path, _link = link_of(stack, doc, title)
    for no in ("9", "abc", "0"):
        status, page = get_page(stack, f"{path}/attachments/{no}")
        assert status == 404 and "没有这个附件" in page, (no, status, page)
    _, page = get_page(stack, path)
    status, _done = post_form(stack, path, task_id=task_id_in(page), decision="approve", opinion="同意")
    assert status == 200
    status, page, _ = opened(stack, path, 1)
    assert status == 409 and "使用过" in page, (status, page)
    assert downloads(doc) == [], "nothing opened, nothing audited as opened"


def test_a_task_decided_elsewhere_closes_its_links_attachments(stack: LocalStack) -> None:
    api = Api(stack)
    title = "关于待办中处理后链接附件测试的通知"
    doc = with_attachments(api, stack, title)
    path, _link = link_of(stack, doc, title)
    task = pending_task(api, reviewer(), doc, "review")
    assert api.decide(task["task_id"], reviewer(), "approve", "同意")[0] == 200
    status, page, _ = opened(stack, path, 1)
    assert status == 409, (status, page)


def test_changes_on_a_returned_document_are_versions_in_the_trace_and_every_opening_is_audited(
    stack: LocalStack,
) -> None:
    api = Api(stack)
    title = "关于退回后修改附件测试的通知"
    doc = with_attachments(api, stack, title)
    task = pending_task(api, reviewer(), doc, "review")
    assert api.decide(task["task_id"], reviewer(), "return", "请补充检查要点")[0] == 200
    wait_status(api, doc, "returned", drafter())
    me = drafter()
    before = len(api.document(doc, me)["versions"])

    status, view = upload(api, stack, doc, me, "检查要点.pdf", files.pdf("points"))
    assert status == 201, view
    status, view = api.call("PUT", f"/api/documents/{doc}/attachments/1", me, {"title": "冬季安全检查方案"})
    assert status == 200, view
    status, view = api.call("PUT", f"/api/documents/{doc}/attachments", me, {"order": [3, 1, 2], "rev": view["rev"]})
    assert status == 200, view
    status, view = api.call("DELETE", f"/api/documents/{doc}/attachments/2?rev={view['rev']}", me)
    assert status == 200 and [a["title"] for a in view["items"]] == ["检查要点", "冬季安全检查方案"], view

    seen = api.document(doc, me)
    added = seen["versions"][before:]
    assert [v["reason"] for v in added] == ["附件变更"] * 4, [v["reason"] for v in seen["versions"]]
    assert [a["title"] for a in added[-1]["attachments"]] == ["检查要点", "冬季安全检查方案"]
    assert seen["attachment_note"] == "1. 检查要点\n2. 冬季安全检查方案"

    page = Browser(stack)
    page.sign_in(me)
    first_added = added[0]["version"]
    shown = page.get(f"/documents/{doc}?v={first_added}")
    assert shown.status == 200
    assert "<ins>附件3：检查要点（检查要点.pdf，1 KB）</ins>" in shown.text.replace("\n", ""), shown.text
    last = page.get(f"/documents/{doc}?v={added[-1]['version']}")
    assert "<del>" in last.text and "经费测算表（经费测算表.xlsx" in last.text

    # every opening, by the drafter's page and by the API, is in the audit trail
    assert page.get(f"/documents/{doc}/attachments/1").status == 302
    assert stack.invoke_http("GET", f"/api/documents/{doc}/attachments/3", user_id=me).status == 302
    assert [(action, who) for _at, action, who in downloads(doc)] == [("download_attachment", me)] * 2
