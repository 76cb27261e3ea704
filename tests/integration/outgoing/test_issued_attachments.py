"""附件 through the flow into the issued PDF: a drafter attaches two PDFs and a workbook, the signer signs, and
the sealed PDF has the 附件 pages (「附件1」, 「附件2」, page numbers on, the 版记 last), read with pypdf and
poppler; the seal covers the appended pages; an attachment the step cannot read fails 印制 and keeps everything."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from infra.local.stack import LocalStack
from infra.ops import verify as verify_cli
from oa_core.outgoing.storage import DocumentItem
from oa_core.platform.config import client, settings
from oa_core.platform.storage import doc_pk
from tests.integration.kit import Api, approve, draft, users_with, wait_status
from tests.integration.outgoing.attachment_kit import reserve_id, upload
from tests.support import sample_files as files

pytestmark = pytest.mark.integration
WORKBOOK = files.xlsx()


def pages_pdf(*words: str) -> bytes:
    """A PDF of one A4 page per word."""
    from fpdf import FPDF

    document = FPDF()
    for word in words:
        document.add_page()
        document.set_font("Helvetica", size=16)
        document.text(20, 30, word)
    return bytes(document.output())


@dataclass
class Issued:
    document_id: str
    drafter: str
    pdf: bytes


def issue_with_attachments(api: Api, stack: LocalStack) -> Issued:
    doc, me = reserve_id(), users_with("drafter")[0]
    assert upload(api, stack, doc, me, "检查方案.pdf", pages_pdf("PLANONE", "PLANTWO"))[0] == 201
    assert upload(api, stack, doc, me, "责任清单.pdf", pages_pdf("DUTYLIST"))[0] == 201
    assert upload(api, stack, doc, me, "测算表.xlsx", WORKBOOK)[0] == 201
    status, body = api.call("POST", "/api/documents", me, draft(document_id=doc))
    assert status == 201, body
    approve(api, users_with("reviewer")[0], doc, "review")
    approve(api, users_with("signer")[0], doc, "sign")
    wait_status(api, doc, "archived", me)
    response = stack.invoke_http("GET", f"/api/documents/{doc}/pdf", user_id=me)
    assert response.status == 200
    return Issued(doc, me, response.body)


@pytest.fixture(scope="module")
def issued(stack: LocalStack) -> Issued:
    return issue_with_attachments(Api(stack), stack)


def poppler_pages(path: Path) -> list[str]:
    """Each page's text as poppler's pdftotext reads it, white space removed."""
    count = int(re.search(r"^Pages:\s+(\d+)$", _run("pdfinfo", str(path)), re.MULTILINE).group(1))  # type: ignore[union-attr]
    return ["".join(_run("pdftotext", "-f", str(n), "-l", str(n), str(path), "-").split()) for n in range(1, count + 1)]


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed (make pdf-deps)")
def test_the_issued_pdf_appends_the_pdf_attachments_numbered_on_with_the_record_last(
    issued: Issued, tmp_path: Path
) -> None:
    path = tmp_path / "issued.pdf"
    path.write_bytes(issued.pdf)
    text = poppler_pages(path)
    reader = PdfReader(io.BytesIO(issued.pdf))
    assert len(reader.pages) == len(text)
    body_pages = next(n for n, page in enumerate(text, start=1) if "附件1" in page and "PLANONE" in page) - 1
    assert "附件：1.检查方案" in "".join(text[:body_pages]) and "3.测算表" in "".join(text[:body_pages])
    assert "PLANTWO" in text[body_pages + 1] and "附件" not in text[body_pages + 1]
    assert "附件2" in text[body_pages + 2] and "DUTYLIST" in text[body_pages + 2]
    assert not any("测算表" in page for page in text[body_pages:]), "a workbook is listed, not appended"
    record_pages = 1 if (body_pages + 3) % 2 else 2
    assert len(text) == body_pages + 3 + record_pages, "正文 + 3 attachment pages + the 版记 on an even page"
    assert len(text) % 2 == 0 and "抄送：市应急管理局。" in text[-1] and "印发" in text[-1]
    for number in range(1, body_pages + 4):
        assert f"—{number}—" in text[number - 1], f"page {number} numbered"
    assert "附件1" in "".join(reader.pages[body_pages].extract_text().split()), "pypdf reads the label too"


def test_the_seal_covers_the_appended_pages(issued: Issued, api: Api, tmp_path: Path) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(issued.pdf)
    assert verify_cli.main([str(good)]) == 0
    reader = PdfReader(io.BytesIO(issued.pdf))
    appended = next(page for page in reader.pages if "PLANTWO" in page.extract_text())
    contents = appended.raw_get("/Contents")
    at = issued.pdf.index(b"\n%d 0 obj" % contents.idnum)
    stream = issued.pdf.index(b"stream", at) + 20
    changed = bytearray(issued.pdf)
    changed[stream] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(changed))
    assert verify_cli.main([str(bad)]) == 1, "a byte changed in an appended page breaks the seal"
    status, verdict = api.call("GET", f"/api/documents/{issued.document_id}/verify", issued.drafter)
    assert status == 200 and verdict["pdf"]["valid"] is True


def test_an_attachment_the_step_cannot_read_fails_the_typeset_step_and_keeps_the_document(
    api: Api, stack: LocalStack
) -> None:
    doc, me = reserve_id(), users_with("drafter")[0]
    assert upload(api, stack, doc, me, "方案.pdf", pages_pdf("GONE"))[0] == 201
    status, body = api.call("POST", "/api/documents", me, draft(document_id=doc))
    assert status == 201, body
    entry = DocumentItem.get(doc_pk(doc), "META").attachments[0]
    client("s3").delete_object(Bucket=settings().attachment_bucket, Key=entry.key, VersionId=entry.s3_version)
    approve(api, users_with("reviewer")[0], doc, "review")
    approve(api, users_with("signer")[0], doc, "sign")
    failed = wait_status(api, doc, "failed", me)
    assert failed["current_step"] in ("typeset", "印制"), failed
    item = DocumentItem.get(doc_pk(doc), "META")
    assert item.number and item.seal_signature and not item.pdf_key, "numbered and sealed, nothing issued"
    assert [a.title for a in item.attachments] == ["方案"]


def test_the_archive_package_carries_every_attachment_with_its_digest_and_the_four_checks_pass(
    issued: Issued, api: Api, stack: LocalStack, tmp_path: Path
) -> None:
    package = stack.invoke_http("GET", f"/api/archive/{issued.document_id}/package", user_id=issued.drafter).body
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        rows = manifest["attachments"]
        assert [(r["no"], r["path"], r["filename"], r["kind"]) for r in rows] == [
            (1, "attachments/01.pdf", "检查方案.pdf", "pdf"),
            (2, "attachments/02.pdf", "责任清单.pdf", "pdf"),
            (3, "attachments/03.xlsx", "测算表.xlsx", "xlsx"),
        ]
        entries = DocumentItem.get(doc_pk(issued.document_id), "META").attachments
        for row, entry in zip(rows, entries, strict=True):
            data = archive.read(row["path"])
            assert hashlib.sha256(data).hexdigest() == row["sha256"] == entry.sha256, "the original bytes"
            assert {"path": row["path"], "size": len(data), "sha256": row["sha256"]} in manifest["files"]
        assert archive.read("attachments/03.xlsx") == WORKBOOK
    good = tmp_path / "package.zip"
    good.write_bytes(package)
    assert verify_cli.main([str(good)]) == 0
    status, report = api.call("GET", f"/api/archive/{issued.document_id}/report", issued.drafter)
    assert status == 200 and report["passed"] is True, report
    assert "含附件 3 个" in report["integrity"]["detail"]

    # an attachment swapped for another file, the manifest left as it was: make verify says which
    swapped = tmp_path / "swapped.zip"
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(swapped, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, pages_pdf("OTHER") if info.filename == "attachments/02.pdf" else data)
    assert verify_cli.main([str(swapped)]) == 1
    from oa_core.records.package import verify_package

    problems = verify_package(swapped.read_bytes())
    assert "附件2（责任清单.pdf）与登记的摘要不一致" in problems and "digest mismatch: attachments/02.pdf" in problems
