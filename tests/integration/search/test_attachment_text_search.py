"""检索 by an uploaded attachment: a phrase only in a PDF (or .docx) the drafter attached finds the document, a
replaced or removed attachment's words stop finding it, and a file whose text cannot be read is attached all
the same."""

from __future__ import annotations

import datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from infra.local.polling import wait_for
from infra.local.provision import build_makefile_layer
from infra.local.stack import LocalStack
from infra.local.template import Template
from oa_core.publishing.document import OfficialDocument
from oa_core.publishing.typesetting import render_pdf
from tests.integration.kit import Api, draft, pending_task, users_with
from tests.integration.outgoing.attachment_kit import reserve_id, upload
from tests.support import sample_files as files

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
DRAFTER = "lina"


def chinese_pdf(text: str) -> bytes:
    """A PDF whose text is Chinese, as a reader extracts it (the typesetter's own, with its embedded faces)."""
    fonts = build_makefile_layer(Template.from_file(ROOT / "template.yaml"), "FontsLayer") / "fonts"
    annex = OfficialDocument(
        issuer_name="示例市应急管理局",
        doc_type="通知",
        number="示例应急〔2026〕3号",
        title="附表",
        main_recipients=[],
        body=text,
        sign_date=datetime.date(2026, 11, 2),
        signature="示例市应急管理局",
    )
    return render_pdf(annex, fonts)


def found(api: Api, q: str) -> list[str]:
    status, reply = api.call("GET", f"/api/search?q={quote(q)}&scope=outgoing", DRAFTER)
    assert status == 200, reply
    return [hit["document_id"] for hit in reply["items"]]


def returned(api: Api, doc: str) -> None:
    reviewer = users_with("reviewer")[0]
    task = pending_task(api, reviewer, doc, "review")
    status, reply = api.decide(task["task_id"], reviewer, "return", "请补充附件")
    assert status == 200, reply
    pending_task(api, DRAFTER, doc, "revise")


def test_a_phrase_only_in_an_uploaded_pdf_finds_the_document_until_the_attachment_is_removed(
    api: Api, stack: LocalStack
) -> None:
    doc = reserve_id()
    pdf = chinese_pdf("湿地候鸟迁徙监测点位共十二处。")
    assert upload(api, stack, doc, DRAFTER, "监测点位表.pdf", pdf)[0] == 201
    assert upload(api, stack, doc, DRAFTER, "说明.docx", files.docx("红树林保护区巡护路线"))[0] == 201
    status, body = api.call("POST", "/api/documents", DRAFTER, draft(document_id=doc, distribute_to=[]))
    assert status == 201, body
    wait_for(lambda: doc in found(api, "候鸟迁徙"), "the document found by its PDF attachment's words")
    assert doc in found(api, "红树林 巡护"), "and by its Word attachment's"

    returned(api, doc)
    status, view = api.call("DELETE", f"/api/documents/{doc}/attachments/1", DRAFTER)
    assert status == 200, view
    assert doc not in found(api, "候鸟迁徙"), "a removed attachment's words no longer find it"
    assert doc in found(api, "红树林"), "the other attachment's still do"


def test_a_pdf_whose_text_cannot_be_read_is_attached_all_the_same(api: Api, stack: LocalStack) -> None:
    doc = reserve_id()
    broken = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    status, view = upload(api, stack, doc, DRAFTER, "扫描件.pdf", broken)
    assert status == 201, view
    assert [item["title"] for item in view["items"]] == ["扫描件"] and view["attachment_note"] == "扫描件"
