"""附件 from the 拟稿 form, as its script calls the staff pages: JSON POSTs with the session's CSRF token in
X-CSRF-Token (a wrong or missing one is 403 and changes nothing), a bad or unknown ``{n}`` 404 with a
Chinese message, and 删除 clicked twice, one after the other or at once, removes exactly one file."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from infra.local.stack import LocalStack
from tests.integration.kit import at_once, users_with
from tests.integration.outgoing.attachment_kit import post_to_s3
from tests.integration.web.webkit import Browser
from tests.support import sample_files as files

pytestmark = pytest.mark.integration


class Form:
    """The 拟稿 page as its script uses it: the reserved document id, the CSRF token, the JSON calls."""

    def __init__(self, stack: LocalStack, user_id: str) -> None:
        self.browser = Browser(stack)
        self.browser.sign_in(user_id)
        page = self.browser.get("/documents/new")
        assert page.status == 200, page.text
        found = re.search(r'name="document_id" id="document_id" value="([^"]+)"', page.text)
        assert found, "the form reserves a document id for its attachments"
        self.document_id = found.group(1)
        self.csrf = self.browser.csrf(page)
        self.stack = stack

    def call(self, path: str, body: Any = None, csrf: str | None = None) -> tuple[int, Any]:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.browser.cookies.items()),
            "Content-Type": "application/json",
        }
        token = self.csrf if csrf is None else csrf
        if token:
            headers["X-CSRF-Token"] = token
        response = self.stack.invoke_http(
            "POST",
            f"/documents/{self.document_id}/attachments{path}",
            body=json.dumps(body or {}, ensure_ascii=False),
            headers=headers,
        )
        try:
            return response.status, json.loads(response.text)
        except json.JSONDecodeError:
            return response.status, response.text

    def upload(self, filename: str, data: bytes) -> tuple[int, Any]:
        status, ticket = self.call("/uploads", {"filename": filename, "size": len(data)})
        assert status == 201, ticket
        assert post_to_s3(self.stack, ticket, filename, data) == 204
        return self.call("", {"upload": ticket["upload"]})


def drafter() -> str:
    return users_with("drafter")[0]


def test_the_forms_calls_upload_retitle_reorder_and_remove_with_the_sessions_csrf_token(stack: LocalStack) -> None:
    form = Form(stack, drafter())
    status, first = form.upload("实施方案.pdf", files.pdf("plan"))
    assert status == 201, first
    status, view = form.upload("经费测算表.xlsx", files.xlsx())
    assert status == 201 and [a["title"] for a in view["items"]] == ["实施方案", "经费测算表"], view
    status, view = form.call("/1/change", {"title": "附件：2026年实施方案。", "rev": view["rev"]})
    assert status == 200 and view["items"][0]["title"] == "2026年实施方案", view
    status, view = form.call("/order", {"order": [2, 1], "rev": view["rev"]})
    assert status == 200 and view["attachment_note"] == "1. 经费测算表\n2. 2026年实施方案", view
    status, view = form.call("/2/delete", {"rev": view["rev"]})
    assert status == 200 and [a["no"] for a in view["items"]] == [1], view
    assert view["attachment_note"] == "2026年实施方案"


@pytest.mark.parametrize("csrf", ["", "forged-token-0123456789"], ids=["missing", "wrong"])
def test_a_form_call_without_the_sessions_csrf_token_is_403_and_changes_nothing(stack: LocalStack, csrf: str) -> None:
    form = Form(stack, drafter())
    status, view = form.upload("实施方案.pdf", files.pdf(f"csrf {csrf}"))
    assert status == 201, view
    for path, body in (
        ("/uploads", {"filename": "另一个.pdf", "size": 10}),
        ("/1/change", {"title": "改过的名称"}),
        ("/order", {"order": [1]}),
        ("/1/delete", {"rev": view["rev"]}),
    ):
        status, page = form.call(path, body, csrf=csrf)
        assert status == 403 and "请求已失效" in page, (path, status, page)
    status, after = form.call("/order", {"order": [1], "rev": view["rev"]})
    assert status == 200 and after["rev"] == view["rev"], "nothing changed"
    assert [a["title"] for a in after["items"]] == ["实施方案"]


def test_a_bad_or_unknown_attachment_number_is_404_with_a_chinese_message(stack: LocalStack) -> None:
    form = Form(stack, drafter())
    assert form.upload("实施方案.pdf", files.pdf("numbers"))[0] == 201
    for no in ("9", "abc", "-1", "1" * 30, "%C2%B2"):
        for path in (f"/{no}/change", f"/{no}/delete"):
            status, body = form.call(path, {"title": "新名称"})
            assert status == 404, (path, status, body)
            if isinstance(body, dict):
                assert body["error"]["message"] == "没有这个附件，或它已被删除。", body
            else:  # a path no id could have (the gate's own check): the page says so
                assert "地址中的编号无效" in body, body
        opened = form.browser.get(f"/documents/{form.document_id}/attachments/{no}")
        assert opened.status == 404 and ("没有这个附件" in opened.text or "地址中的编号无效" in opened.text), no


def test_delete_clicked_twice_removes_one_file_and_the_second_click_says_it_is_gone(stack: LocalStack) -> None:
    form = Form(stack, drafter())
    for name in ("甲.pdf", "乙.pdf", "丙.pdf"):
        assert form.upload(name, files.pdf(name.encode().hex()))[0] == 201
    status, view = form.call("/order", {"order": [1, 2, 3]})
    rev = view["rev"]
    status, view = form.call("/2/delete", {"rev": rev})
    assert status == 200 and [a["title"] for a in view["items"]] == ["甲", "丙"], view
    status, again = form.call("/2/delete", {"rev": rev})  # the same click, sent again from the old page
    assert status == 404 and again["error"]["code"] == "attachment_removed", again
    assert "已被删除" in again["error"]["message"]
    status, view = form.call("/order", {"order": [1, 3]})
    assert [a["title"] for a in view["items"]] == ["甲", "丙"], "nothing else removed"


def test_delete_clicked_twice_at_once_removes_exactly_one_file(stack: LocalStack) -> None:
    form = Form(stack, drafter())
    for name in ("甲.pdf", "乙.pdf", "丙.pdf"):
        assert form.upload(name, files.pdf("at once " + name.encode().hex()))[0] == 201
    status, view = form.call("/order", {"order": [1, 2, 3]})
    rev = view["rev"]
    results = at_once([lambda: form.call("/2/delete", {"rev": rev}) for _ in range(2)])
    statuses = sorted(status for status, _body in results)
    assert statuses == [200, 404], results
    refused = next(body for status, body in results if status == 404)
    assert refused["error"]["code"] == "attachment_removed" and "已被删除" in refused["error"]["message"], refused
    status, view = form.call("/order", {"order": [1, 3]})
    assert status == 200 and [a["title"] for a in view["items"]] == ["甲", "丙"], view
    assert view["rev"] == rev + 1, "one removal, one change of the list"
