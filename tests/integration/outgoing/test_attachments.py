"""附件: uploaded from the browser to S3 with a presigned POST, checked, ordered and titled, carried into the
document and its versions, opened by its readers; every bad input a clear 4xx with nothing half-attached."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from infra.local.stack import LocalStack
from tests.integration.kit import Api, draft, users_with
from tests.integration.outgoing.attachment_kit import post_to_s3, reserve_id, sign, upload
from tests.support import sample_files as files


def drafter() -> str:
    return users_with("drafter")[0]


def other_drafter() -> str:
    return users_with("drafter")[1]


def listed(api: Api, document_id: str, user: str) -> dict[str, Any]:
    status, body = api.call("GET", f"/api/documents/{document_id}/attachments", user)
    assert status == 200, body
    return dict(body)


def test_two_pdfs_and_a_workbook_become_the_drafts_numbered_attachments_and_its_note(
    api: Api, stack: LocalStack
) -> None:
    doc = reserve_id()
    me = drafter()
    assert upload(api, stack, doc, me, "测算依据.pdf", files.pdf("a"))[0] == 201
    assert upload(api, stack, doc, me, "实施方案.pdf", files.pdf("b"), title="实施方案。")[0] == 201
    status, body = upload(api, stack, doc, me, "2026年测算表.xlsx", files.xlsx())
    assert status == 201, body
    assert [a["title"] for a in body["items"]] == ["测算依据", "实施方案", "2026年测算表"]
    assert body["attachment_note"] == "1. 测算依据\n2. 实施方案\n3. 2026年测算表"
    assert [a["kind"] for a in body["items"]] == ["pdf", "pdf", "xlsx"]
    assert all(len(a["sha256"]) == 64 for a in body["items"])

    status, created = api.call("POST", "/api/documents", me, draft(document_id=doc, attachment_note="附件：手写的说明"))
    assert status == 201, created
    assert created["document_id"] == doc
    seen = api.document(doc, me)
    assert seen["attachment_note"] == "1. 测算依据\n2. 实施方案\n3. 2026年测算表"
    assert [a["title"] for a in seen["versions"][0]["attachments"]] == ["测算依据", "实施方案", "2026年测算表"]
    assert [a["title"] for a in seen["attachments"]["items"]] == ["测算依据", "实施方案", "2026年测算表"]

    # its reviewer opens the first one: a short-lived link to the PDF, shown inline with its Chinese name
    reviewer = draft()["reviewer"]
    response = stack.invoke_http("GET", f"/api/documents/{doc}/attachments/1", user_id=reviewer)
    assert response.status == 302
    link = urlsplit(response.headers["Location"])
    got = stack.invoke_http("GET", f"{link.path}?{link.query}")
    assert got.status == 200 and got.body.startswith(b"%PDF-")
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("inline;")
    assert "filename*=UTF-8''%E6%B5%8B%E7%AE%97%E4%BE%9D%E6%8D%AE.pdf" in got.headers["Content-Disposition"]
    sheet = stack.invoke_http("GET", f"/api/documents/{doc}/attachments/3", user_id=reviewer)
    xlsx = stack.invoke_http(
        "GET", f"{urlsplit(sheet.headers['Location']).path}?{urlsplit(sheet.headers['Location']).query}"
    )
    assert xlsx.headers["Content-Disposition"].startswith("attachment;")

    # somebody with no part in it may not
    outsider = next(u for u in users_with("drafter") if u not in (me,) and u != reviewer)
    assert stack.invoke_http("GET", f"/api/documents/{doc}/attachments/1", user_id=outsider).status == 403


def test_a_drafts_attachments_reorder_retitle_and_remove_once_per_click(api: Api, stack: LocalStack) -> None:
    doc = reserve_id()
    me = drafter()
    upload(api, stack, doc, me, "甲.pdf", files.pdf("甲"))
    upload(api, stack, doc, me, "乙.png", files.png())
    status, body = upload(api, stack, doc, me, "丙.docx", files.docx())
    assert status == 201, body
    rev = body["rev"]
    status, body = api.call("PUT", f"/api/documents/{doc}/attachments", me, {"order": [3, 1, 2], "rev": rev})
    assert status == 200, body
    assert [a["title"] for a in body["items"]] == ["丙", "甲", "乙"]
    # the same click again, with the list it was made from: refused, nothing moves twice
    again = api.call("PUT", f"/api/documents/{doc}/attachments", me, {"order": [2, 3, 1], "rev": rev})
    assert again[0] == 409 and "刚刚已被修改" in again[1]["error"]["message"]
    status, body = api.call("PUT", f"/api/documents/{doc}/attachments/1", me, {"title": "附件：甲方案"})
    assert status == 200 and body["items"][1]["title"] == "甲方案", body
    status, body = api.call("DELETE", f"/api/documents/{doc}/attachments/2?rev={body['rev']}", me)
    assert status == 200 and [a["no"] for a in body["items"]] == [3, 1], body
    twice = api.call("DELETE", f"/api/documents/{doc}/attachments/2", me)
    assert twice[0] == 404 and "已被删除" in twice[1]["error"]["message"]
    assert listed(api, doc, me)["attachment_note"] == "1. 丙\n2. 甲方案"


def test_bad_files_are_refused_with_a_message_and_nothing_is_attached(api: Api, stack: LocalStack) -> None:
    doc = reserve_id()
    me = drafter()
    # a program renamed .pdf, a text renamed .docx, bytes of another kind than the name says
    for name, data, code in (
        ("方案.pdf", files.exe(), "attachment_type_refused"),
        ("说明.docx", files.text(), "attachment_type_refused"),
        ("测算表.xlsx", files.pdf(), "attachment_name_mismatch"),
    ):
        status, body = upload(api, stack, doc, me, name, data)
        assert status == 422 and body["error"]["code"] == code, (name, body)
        assert "“" in body["error"]["message"]
    # a name we never accept is refused before any upload
    status, body = sign(api, doc, me, "程序.exe")
    assert status == 422 and "只接受" in body["error"]["message"]
    # over the size limit: refused when announced
    status, body = sign(api, doc, me, "大文件.pdf", 51 * 1024 * 1024)
    assert status == 422 and body["error"]["code"] == "attachment_too_large" and "50.0 MB" in body["error"]["message"]
    # an upload never completed
    status, ticket = sign(api, doc, me, "未完成.pdf")
    status, body = api.call("POST", f"/api/documents/{doc}/attachments", me, {"upload": ticket["upload"]})
    assert status == 422 and body["error"]["code"] == "upload_incomplete", body
    # an unknown upload token
    status, body = api.call("POST", f"/api/documents/{doc}/attachments", me, {"upload": "0" * 32})
    assert status == 404, body
    assert listed(api, doc, me)["items"] == []


def test_the_local_s3_refuses_what_the_signed_post_policy_does_not_allow(stack: LocalStack) -> None:
    from oa_core.outgoing import uploads
    from oa_core.platform.config import settings

    post = uploads.signer().generate_presigned_post(
        Bucket=settings().attachment_bucket,
        Key="pending/x/y",
        Fields={"Content-Type": "application/pdf"},
        Conditions=[["content-length-range", 1, 100], {"Content-Type": "application/pdf"}],
        ExpiresIn=60,
    )
    ticket = {"url": post["url"], "fields": post["fields"]}
    assert post_to_s3(stack, ticket, "方案.pdf", files.pdf()) == 400  # over the signed size
    forged = {**ticket, "fields": {**post["fields"], "Content-Type": "text/html"}}
    assert post_to_s3(stack, forged, "方案.pdf", b"%PDF-1.4") == 403  # another Content-Type than signed
    assert post_to_s3(stack, ticket, "方案.pdf", b"%PDF-1.4") == 204


def test_the_local_s3_answers_the_browsers_preflight_from_the_templates_cors_rules(stack: LocalStack) -> None:
    from oa_core.platform.config import settings

    path = f"/_local/s3/{settings().attachment_bucket}"

    def preflight(origin: str, method: str = "POST") -> Any:
        headers = {"Origin": origin, "Access-Control-Request-Method": method}
        return stack.invoke_http("OPTIONS", path, headers={**headers, "Access-Control-Request-Headers": "x-a"})

    allowed = preflight(stack.public_base_url)  # the template's rule: PublicBaseUrl, POST and GET
    assert allowed.status == 200, allowed.text
    assert allowed.headers["Access-Control-Allow-Origin"] == stack.public_base_url
    assert allowed.headers["Access-Control-Max-Age"] == "3000"
    assert preflight("https://evil.example").status == 403
    assert preflight(stack.public_base_url, "DELETE").status == 403


def test_the_same_file_twice_is_refused(api: Api, stack: LocalStack) -> None:
    doc = reserve_id()
    me = drafter()
    data = files.pdf("同一份")
    assert upload(api, stack, doc, me, "一.pdf", data)[0] == 201
    status, body = upload(api, stack, doc, me, "二.pdf", data)
    assert status == 409 and body["error"]["code"] == "attachment_duplicate" and "“一”" in body["error"]["message"]
    assert len(listed(api, doc, me)["items"]) == 1


def test_another_persons_draft_or_document_cannot_be_given_attachments(api: Api, stack: LocalStack) -> None:
    doc = reserve_id()
    assert upload(api, stack, doc, drafter(), "甲.pdf", files.pdf())[0] == 201
    status, body = sign(api, doc, other_drafter(), "乙.pdf")
    assert status == 403 and "不是您的草稿" in body["error"]["message"]
    status, ticket = sign(api, doc, drafter(), "乙.pdf")
    status, body = api.call("POST", f"/api/documents/{doc}/attachments", other_drafter(), {"upload": ticket["upload"]})
    assert status == 403, body
    # a submitted document in review is not editable, even by its drafter
    status, created = api.call("POST", "/api/documents", drafter(), draft(document_id=doc))
    assert status == 201, created
    status, body = sign(api, doc, drafter(), "丙.pdf")
    assert status == 409 and body["error"]["code"] == "not_editable"
    # nor can another drafter submit a draft whose attachments are someone else's
    doc2 = reserve_id()
    upload(api, stack, doc2, drafter(), "丁.pdf", files.pdf("丁"))
    status, body = api.call("POST", "/api/documents", other_drafter(), draft(document_id=doc2))
    assert status == 403, body
