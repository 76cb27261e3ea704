"""印制: the issued document as a sealed GB/T 9704 PDF and the OFD beside it, through the API, the archive and
`make verify`."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from pypdf import PdfReader

from infra.local.stack import LocalStack
from infra.ops import verify as verify_cli
from oa_core.identity import directory
from oa_core.outgoing.storage import DocumentItem
from oa_core.platform.audit import AuditItem
from oa_core.platform.storage import doc_pk
from oa_core.publishing import ofdseal
from tests.integration.kit import Api, approve, submit, users_with, wait_status
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration

ARTIFACTS = Path("test-artifacts") / "pdf"


def issued(api: Api, **overrides: object) -> dict[str, object]:
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter, **overrides)
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    return wait_status(api, doc_id, "archived", drafter)


def pdf_of(stack: LocalStack, doc_id: str, user: str) -> tuple[int, bytes, dict[str, str]]:
    response = stack.invoke_http("GET", f"/api/documents/{doc_id}/pdf", user_id=user)
    return response.status, response.body, dict(response.headers)


def test_the_signed_document_comes_out_as_a_sealed_pdf_that_verifies_naming_its_signer(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api = Api(stack)
    doc = issued(api, attachment_note="1．2026年度安全生产责任清单", cc=["市应急管理局", "市消防救援支队"])
    doc_id, drafter = str(doc["document_id"]), users_with("drafter")[0]
    status, data, headers = pdf_of(stack, doc_id, drafter)
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in headers["Content-Disposition"]
    assert DocumentItem.get(doc_pk(doc_id), "META").pdf_version, "readers get the object version recorded at 印制"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "issued-through-the-flow.pdf").write_bytes(data)

    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (595.3, 841.9), "A4"
    first = "".join(reader.pages[0].extract_text().split())
    assert str(doc["number"]) in first and str(doc["title"]) in first
    last = "".join(reader.pages[-1].extract_text().split())
    assert "抄送：市应急管理局，市消防救援支队。" in last and "印发" in last, "版记 on the last page"
    assert len(reader.pages) % 2 == 0, "版记 on an even page"

    status, verdict = api.call("GET", f"/api/documents/{doc_id}/verify", drafter)
    assert status == 200 and verdict["valid"] is True and verdict["pdf"]["valid"] is True

    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(data)
    flipped = bytearray(data)
    flipped[len(data) // 3] ^= 0x01
    bad.write_bytes(bytes(flipped))
    assert verify_cli.main([str(good)]) == 0
    assert verify_cli.main([str(bad)]) == 1

    # The archive package carries the same PDF, and the 四性检测 opened it and found the number.
    package = stack.invoke_http("GET", f"/api/archive/{doc_id}/package", user_id=drafter).body
    (tmp_path / "package.zip").write_bytes(package)
    capsys.readouterr()
    assert verify_cli.main([str(good)]) == 0 and verify_cli.main([str(tmp_path / "package.zip")]) == 0
    said, signer = capsys.readouterr().out, str(doc["signer"])
    name = (directory.get_user(signer) or {})["name"]
    assert said.count(f"签章 (sealed by): {name}，") == 2 and signer not in said, said
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert archive.read("document.pdf") == data
    status, report = api.call("GET", f"/api/archive/{doc_id}/report", drafter)
    assert status == 200 and report["passed"] is True
    assert "PDF 可打开" in report["usability"]["detail"] and "PDF 签章有效" in report["authenticity"]["detail"]


def test_the_pdf_is_for_readers_of_the_document_only_and_every_download_is_audited(stack: LocalStack) -> None:
    api = Api(stack)
    doc = issued(api, distribute_to=["zcfgk"])
    doc_id = str(doc["document_id"])
    assert pdf_of(stack, doc_id, "liuyang")[0] == 200, "a member of a receiving department reads it"
    status, body, _ = pdf_of(stack, doc_id, "yangfan")  # 综合科, not involved
    assert status == 403 and "error" in json.loads(body)

    downloads = [i.actor for i in AuditItem.by_subject.query(f"SUBJECT#{doc_id}") if i.action == "download_pdf"]
    assert downloads == ["liuyang"]


def test_the_ofd_is_stored_beside_the_pdf_downloaded_audited_archived_and_verified(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api = Api(stack)
    doc = issued(api)
    doc_id, drafter = str(doc["document_id"]), users_with("drafter")[0]
    item = DocumentItem.get(doc_pk(doc_id), "META")
    assert item.ofd_key == f"issued/{doc_id}.ofd" and item.ofd_version and item.ofd_sha256
    response = stack.invoke_http("GET", f"/api/documents/{doc_id}/ofd", user_id=drafter)
    assert response.status == 200 and response.headers["Content-Type"] == "application/ofd"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.body
    with zipfile.ZipFile(io.BytesIO(data)) as ofd:
        assert ofd.namelist()[0] == "OFD.xml"
        assert str(doc["title"]) in ofd.read("OFD.xml").decode()
    downloads = [i.actor for i in AuditItem.by_subject.query(f"SUBJECT#{doc_id}") if i.action == "download_ofd"]
    assert downloads == [drafter]
    assert stack.invoke_http("GET", f"/api/documents/{doc_id}/ofd", user_id="yangfan").status == 403

    good, bad = tmp_path / "good.ofd", tmp_path / "bad.ofd"
    good.write_bytes(data)
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    bad.write_bytes(bytes(flipped))
    capsys.readouterr()
    assert verify_cli.main([str(good)]) == 0
    name = (directory.get_user(str(doc["signer"])) or {})["name"]
    assert f"签章 (sealed by): {name}，" in capsys.readouterr().out
    assert verify_cli.main([str(bad)]) == 1

    package = stack.invoke_http("GET", f"/api/archive/{doc_id}/package", user_id=drafter).body
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert archive.read("document.ofd") == data
        listed = {entry["path"]: entry for entry in json.loads(archive.read("manifest.json"))["files"]}
    assert listed["document.ofd"]["sha256"] == item.ofd_sha256
    (tmp_path / "package.zip").write_bytes(package)
    assert verify_cli.main([str(tmp_path / "package.zip")]) == 0


def test_the_document_page_offers_the_ofd_and_serves_it_to_a_signed_in_reader_only(stack: LocalStack) -> None:
    doc = issued(Api(stack))
    doc_id = str(doc["document_id"])
    browser = Browser(stack)
    browser.sign_in(users_with("drafter")[0])
    page = browser.get(f"/documents/{doc_id}")
    assert 'id="ofd-link"' in page.text and "下载 OFD 版（已加盖电子签章）" in page.text
    response = browser.get(f"/documents/{doc_id}/ofd")
    assert response.status == 200 and response.headers["Content-Type"] == "application/ofd"
    assert unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''", 1)[1]) == f"{doc['number']}.ofd"
    assert ofdseal.verify_ofd_offline(response.body)[0] is None
    outsider = Browser(stack)
    outsider.sign_in("yangfan")
    assert outsider.get(f"/documents/{doc_id}/ofd").status == 403


def test_the_openapi_document_describes_the_ofd_route(stack: LocalStack) -> None:
    status, document = Api(stack).call("GET", "/openapi.json", users_with("drafter")[0])
    assert status == 200
    responses = document["paths"]["/api/documents/{document_id}/ofd"]["get"]["responses"]
    assert list(responses["200"]["content"]) == ["application/ofd"]
    assert {"403", "404", "409"} <= set(responses)


def test_a_document_not_yet_signed_has_no_pdf(stack: LocalStack) -> None:
    api = Api(stack)
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter)
    status, body, _ = pdf_of(stack, doc_id, drafter)
    assert status == 409 and "尚未印制" in json.loads(body)["error"]["message"]
    response = stack.invoke_http("GET", f"/api/documents/{doc_id}/ofd", user_id=drafter)
    assert response.status == 409 and "OFD" in json.loads(response.body)["error"]["message"]
