"""The issued document as a Word file, through the local stack: 核稿, 签发 and 编号 by the flow, then the .docx
from the API and from the document page, read back by python-docx; refused before 签发 and to non-readers as the
PDF is; every download audited."""

from __future__ import annotations

import io
import json
from urllib.parse import unquote

import docx
import pytest
from pypdf import PdfReader

from infra.local.stack import LocalStack
from oa_core.platform.audit import AuditItem
from oa_core.platform.config import settings
from tests.integration.kit import Api, approve, submit, users_with, wait_status
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE = "关于开展冬季安全检查的通知"
BODY = (
    "为做好冬季安全生产工作，现将有关事项通知如下。\n一、检查范围\n各单位办公场所和车辆。\n"
    "二、检查内容\n（一）消防安全\n重点检查消防通道和灭火器。\n（二）用电安全\n特此通知。"
)
NOTE = "附件：冬季安全检查表\n隐患整改台账"
"""Written as the old hint of the form suggested, with its own 「附件：」: the Word file and the PDF print it once."""
OUTSIDER = "yangfan"
"""综合科, neither involved nor among the receiving departments."""


@pytest.fixture(scope="module")
def issued(stack: LocalStack) -> dict[str, object]:
    api = Api(stack)
    drafter = users_with("drafter")[0]
    doc_id = submit(
        api, drafter, title=TITLE, body=BODY, main_recipients=["各处室", "各直属单位"], attachment_note=NOTE,
        distribute_to=["zcfgk"],
    )  # fmt: skip
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    return wait_status(api, doc_id, "archived", drafter)


def chinese_date(iso: str) -> str:
    return f"{int(iso[:4])}年{int(iso[5:7])}月{int(iso[8:10])}日"


def paragraphs(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def docx_of(stack: LocalStack, doc_id: str, user: str, kind: str = "docx") -> tuple[int, bytes, dict[str, str]]:
    response = stack.invoke_http("GET", f"/api/documents/{doc_id}/{kind}", user_id=user)
    return response.status, response.body, dict(response.headers)


def test_the_issued_document_downloads_as_a_docx_that_python_docx_reads_back_element_by_element(
    stack: LocalStack, issued: dict[str, object]
) -> None:
    doc_id, drafter, number = str(issued["document_id"]), users_with("drafter")[0], str(issued["number"])
    status, data, headers = docx_of(stack, doc_id, drafter)
    assert status == 200, data[:300]
    assert headers["Content-Type"] == DOCX
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment;"), "a download, not shown in the browser"
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == f"{number}.docx" and encoded.isascii(), "RFC 5987: the 发文字号, percent-encoded"

    texts = paragraphs(data)
    org = settings().org_name
    assert f"{org}文件" in texts and number in texts and TITLE in texts
    assert "各处室、各直属单位：" in texts, "主送机关 with its full-width colon"
    for heading in ("一、检查范围", "二、检查内容", "（一）消防安全", "（二）用电安全"):
        assert heading in texts, heading
    assert "附件：1．冬季安全检查表" in texts and "2．隐患整改台账" in texts
    assert not any("附件：附件" in text for text in texts), "「附件：」 once"
    closing = texts.index(chinese_date(str(issued["sign_date"])))
    assert texts[closing - 1] == org, "发文机关署名 over 成文日期"
    assert texts.index(TITLE) < texts.index("一、检查范围") < texts.index("附件：1．冬季安全检查表") < closing


def test_the_pdf_of_the_same_document_prints_the_attachment_label_once(
    stack: LocalStack, issued: dict[str, object]
) -> None:
    status, data, _ = docx_of(stack, str(issued["document_id"]), users_with("drafter")[0], "pdf")
    assert status == 200
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)
    assert "附件：1．冬季安全检查表" in text and "附件：附件" not in text


def test_the_document_page_offers_the_word_file_and_serves_it_to_a_signed_in_reader(
    stack: LocalStack, issued: dict[str, object]
) -> None:
    doc_id, number = str(issued["document_id"]), str(issued["number"])
    browser = Browser(stack)
    browser.sign_in(users_with("drafter")[0])
    page = browser.get(f"/documents/{doc_id}")
    assert 'id="docx-link"' in page.text and "下载 Word 版（不含电子签章）" in page.text
    response = browser.get(f"/documents/{doc_id}/docx")
    assert response.status == 200 and response.headers["Content-Type"] == DOCX
    assert unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''", 1)[1]) == f"{number}.docx"
    assert TITLE in paragraphs(response.body) and number in paragraphs(response.body)


def test_before_signing_the_word_file_is_refused_with_409_in_chinese(stack: LocalStack) -> None:
    api, drafter = Api(stack), users_with("drafter")[0]
    doc_id = submit(api, drafter, title="关于尚未签发的Word版测试的通知")
    status, body, _ = docx_of(stack, doc_id, drafter)
    assert status == 409
    assert "尚未签发、编号" in json.loads(body)["error"]["message"]
    browser = Browser(stack)
    browser.sign_in(drafter)
    page = browser.get(f"/documents/{doc_id}/docx")
    assert page.status == 409 and "尚未签发、编号" in page.text and DOCX not in page.headers["Content-Type"]


def test_who_may_not_read_the_document_gets_the_same_answer_as_for_the_pdf_and_every_download_is_audited(
    stack: LocalStack, issued: dict[str, object]
) -> None:
    doc_id = str(issued["document_id"])
    for kind in ("pdf", "docx"):
        status, body, _ = docx_of(stack, doc_id, OUTSIDER, kind)
        assert status == 403 and "无权查看" in json.loads(body)["error"]["message"], kind
        status, body, _ = docx_of(stack, "no-such-document", users_with("drafter")[0], kind)
        assert status == 404 and json.loads(body)["error"]["message"], kind
    outsider = Browser(stack)
    outsider.sign_in(OUTSIDER)
    assert outsider.get(f"/documents/{doc_id}/docx").status == 403

    assert docx_of(stack, doc_id, "liuyang")[0] == 200, "a member of a receiving department reads it"
    downloads = [
        (item.actor, item.outcome, item.detail)
        for item in AuditItem.by_subject.query(f"SUBJECT#{doc_id}")
        if item.action == "download_docx"
    ]
    assert ("liuyang", "ok", issued["number"]) in downloads, downloads
    assert {actor for actor, _, _ in downloads} <= {users_with("drafter")[0], "liuyang"}, "no refusal counts as one"


def test_the_openapi_document_describes_the_word_file_route_for_schemathesis(api: Api) -> None:
    status, document = api.call("GET", "/openapi.json", users_with("drafter")[0])
    assert status == 200
    responses = document["paths"]["/api/documents/{document_id}/docx"]["get"]["responses"]
    assert responses["200"]["content"] == {DOCX: {"schema": {"type": "string", "format": "binary"}}}
    assert "尚未签发" in responses["409"]["description"]
    for code in ("403", "404", "409"):
        assert responses[code]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    pdf = document["paths"]["/api/documents/{document_id}/pdf"]["get"]["responses"]["200"]
    assert list(pdf["content"]) == ["application/pdf"]
