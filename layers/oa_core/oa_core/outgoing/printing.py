"""印制: the signed, numbered and sealed document typeset to GB/T 9704-2012 as a PDF and an OFD.

The document is laid out once (the flow's Typeset step, after 编号 and 签章) and drawn twice: a PDF, sealed
(seal.seal_pdf: the PDF's SHA-256 signed by the KMS seal key), and an OFD (GB/T 33190-2016) from the same layout,
signed the same way (ofdseal.seal_ofd). Both are kept in the archive bucket under ``issued/`` (the OFD beside the
PDF, ``issued/{id}.ofd``), where Object Lock keeps them unchanged. Distribution, external delivery, the archive
package and ``GET /api/documents/{id}/pdf`` (``/ofd``) all use those files.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from oa_core.identity import directory
from oa_core.outgoing import direction
from oa_core.outgoing.storage import DocumentItem, load_document
from oa_core.platform import audit, clock
from oa_core.platform.config import client, settings
from oa_core.platform.errors import Conflict
from oa_core.platform.storage import strs
from oa_core.workflow.tasks import history_item

if TYPE_CHECKING:
    from oa_core.publishing.typesetting import OfficialDocument

OFD_CONTENT_TYPE = "application/ofd"


@cache
def _s3() -> Any:
    return client("s3")


def pdf_key(document_id: str) -> str:
    return f"issued/{document_id}.pdf"


def ofd_key(document_id: str) -> str:
    """The OFD beside the PDF: the same key, its own extension."""
    return f"issued/{document_id}.ofd"


def signer_name(doc: DocumentItem) -> str:
    """签发人 by name, as a seal block and make verify show them (their id when the directory has no name)."""
    who = doc.signed_by or doc.signer or ""
    return str((directory.get_user(who) or {}).get("name") or who)


def upward(doc: DocumentItem) -> bool:
    """上行文 by 文种 or by the relation of its 主送机关 (outgoing.direction)."""
    if doc.doc_type in direction.UPWARD_TYPES:
        return True
    return direction.is_upward(doc.doc_type, strs(doc.main_recipients), directory.unit_relations())


def official_document(doc: DocumentItem) -> OfficialDocument:
    """The document's elements (公文要素) as the typesetter takes them."""
    from oa_core.publishing.typesetting import OfficialDocument

    signer = directory.get_user(doc.signed_by or doc.signer) or {}
    sign_date = clock.parse(doc.sign_date).date() if doc.sign_date else clock.now().date()
    # 印发日期 (§7.4.3): the day the document was printed (印制), which may come after the 成文日期.
    printed = clock.parse(doc.printed_at).astimezone(clock.local_zone()) if doc.printed_at else clock.now()
    org = settings().org_name
    return OfficialDocument(
        issuer_name=org,
        doc_type=doc.doc_type,
        number=order_number(doc.number or "") if doc.doc_type == "命令" else doc.number or "",
        title=doc.title,
        main_recipients=strs(doc.main_recipients),
        body=doc.body,
        sign_date=sign_date,
        signature=org,
        # 上行文 (a 请示 or 报告, or to a 上级机关): the 发文字号 goes left with 签发人 on its line; a 命令 names
        # its signer with 职务 and 签名章.
        signer_name=str(signer.get("name", "")) if upward(doc) or doc.doc_type == "命令" else "",
        attachment_note=doc.attachment_note or "",
        cc=strs(doc.cc),
        printer=org,
        print_date=printed.date(),
        urgency=doc.urgency or "",
        seal_text=org,
        seal_code=(doc.seal_digest or "")[:16].upper(),
        format=_format(doc),
        co_issuers=tuple(strs(doc.co_issuers)),
        sealed=doc.sealed is not False,
        remarks=doc.remarks or "",
        signer_title=doc.signer_title or "",
        attendees=tuple(strs(doc.attendees)),
        on_leave=tuple(strs(doc.on_leave)),
        observers=tuple(strs(doc.observers)),
    )


def order_number(number: str) -> str:
    """令号 (§10.2): 「第N号」 from the 发文字号's sequence number (as numbered, 示例府令〔2026〕12号 -> 第12号)."""
    match = re.search(r"(\d+)\s*号\s*$", number)
    return f"第{int(match.group(1))}号" if match else number


def _format(doc: DocumentItem) -> str:
    """版式: 命令 and 纪要 their own; otherwise 信函 or 文件 as drafted, unset following the 文种 (函 信函)."""
    if doc.doc_type in ("命令", "纪要") or doc.letter_format is None:
        return ""
    return "信函" if doc.letter_format else "文件"


def appended_files(doc: DocumentItem) -> list[tuple[str, bytes]]:
    """The document's PDF 附件 as the issued PDF appends them: (label, bytes), each checked against its SHA-256.
    The others (OFD, Word, workbooks, images…) are listed in the 附件说明 only."""
    from oa_core.outgoing.attachments import appendix_label
    from oa_core.outgoing.uploads import stored_bytes

    entries = list(doc.attachments or [])
    return [
        (appendix_label(position, len(entries)), stored_bytes(entry))
        for position, entry in enumerate(entries, start=1)
        if entry.kind == "pdf"
    ]


def render(doc: DocumentItem) -> tuple[bytes, bytes]:
    """The document typeset once and drawn as PDF (its PDF 附件 appended) and as OFD, each sealed: the PDF's seal
    block covers the whole file, the OFD's signature every file of its package (not stored).

    A PDF 附件 that cannot be appended fails the step (`AppendixUnreadable`, a Conflict here): the flow's Catch
    marks the document failed at 印制 and keeps everything, rather than issuing it without that 附件."""
    from oa_core.publishing import ofdseal, seal
    from oa_core.publishing.appending import AppendixUnreadable
    from oa_core.publishing.typesetting import render as render_both

    try:
        drawn = render_both(official_document(doc), settings().font_dir, appended_files(doc))
    except AppendixUnreadable as exc:
        raise Conflict(f"{exc}，印制未完成 (an attached PDF cannot be appended)") from exc
    info = {
        "document_id": doc.document_id,
        "number": doc.number or "",
        "signed_by": doc.signed_by or "",
        "signer_name": signer_name(doc),
        "sign_date": doc.sign_date or "",
        "sealed_at": clock.now_iso(),
    }
    return seal.seal_pdf(drawn.pdf, info), ofdseal.seal_ofd(drawn.ofd, info)


def _put(key: str, data: bytes, content_type: str, document_id: str) -> tuple[str, str]:
    """Store one issued file; (its SHA-256, the object version)."""
    sha = hashlib.sha256(data).hexdigest()
    stored = _s3().put_object(
        Bucket=settings().archive_bucket,
        Key=key,
        Body=data,
        ContentType=content_type,
        Metadata={"document-id": document_id, "sha256": sha},
    )
    return sha, str(stored.get("VersionId") or "")


def typeset(document_id: str) -> dict[str, Any]:
    """印制 step: render, seal and store the PDF and the OFD beside it, and record which object versions they are.

    A retry after the PDF was recorded returns it; a retry before renders again (new versions).
    """
    doc = load_document(document_id)
    if doc.pdf_key and doc.pdf_sha256:
        return {"pdf_key": doc.pdf_key, "sha256": doc.pdf_sha256, "ofd_key": doc.ofd_key or ""}
    if not doc.number or not doc.seal_signature:
        raise Conflict("尚未编号或签章，不能印制 (number and seal come first)")
    pdf, ofd = render(doc)
    key, ofd_file = pdf_key(document_id), ofd_key(document_id)
    ofd_sha, ofd_version = _put(ofd_file, ofd, OFD_CONTENT_TYPE, document_id)
    sha, version = _put(key, pdf, "application/pdf", document_id)
    now = clock.now_iso()
    doc.update(
        actions=[
            DocumentItem.pdf_key.set(key),
            DocumentItem.pdf_version.set(version),
            DocumentItem.pdf_sha256.set(sha),
            DocumentItem.ofd_key.set(ofd_file),
            DocumentItem.ofd_version.set(ofd_version),
            DocumentItem.ofd_sha256.set(ofd_sha),
            DocumentItem.printed_at.set(now),
            DocumentItem.updated_at.set(now),
        ]
    )
    history_item(document_id, "typeset", "system", "typeset", "正式文件（PDF、OFD）已加盖电子签章").save()
    audit.record("system", "typeset", document_id, "ok", sha, document_id=document_id)
    return {"pdf_key": key, "sha256": sha, "bytes": len(pdf), "ofd_key": ofd_file, "ofd_bytes": len(ofd)}


def _stored(key: str, version_id: str | None) -> bytes:
    """An issued file from the archive bucket: the object version recorded at 印制 when there is one."""
    version = {"VersionId": version_id} if version_id else {}
    return bytes(_s3().get_object(Bucket=settings().archive_bucket, Key=key, **version)["Body"].read())


def stored_ofd(doc: DocumentItem) -> bytes:
    """The issued OFD, the object version recorded at 印制; Conflict when there is none (印制 before OFD)."""
    if not doc.ofd_key:
        raise Conflict("该文件没有 OFD 版（OFD 随印制生成）")
    return _stored(doc.ofd_key, doc.ofd_version)


def ofd_filename(doc: DocumentItem) -> str:
    return f"{doc.number or doc.document_id}.ofd"


def download_ofd(document_id: str, user: dict[str, Any]) -> tuple[bytes, str]:
    """The issued OFD and its file name for a reader of the document (the same access rule); audited."""
    from oa_core.outgoing import documents

    doc = documents.readable(document_id, user)
    data = stored_ofd(doc)
    audit.record(user["user_id"], "download_ofd", document_id, "ok", doc.number or "", document_id=document_id)
    return data, ofd_filename(doc)


def stored_pdf(doc: DocumentItem) -> bytes:
    """The issued PDF, the very object version recorded at 印制; Conflict before the Typeset step ran."""
    if not doc.pdf_key:
        raise Conflict("该文件尚未印制成 PDF（签发、编号之后生成）")
    return _stored(doc.pdf_key, doc.pdf_version)


def pdf_filename(doc: DocumentItem) -> str:
    return f"{doc.number or doc.document_id}.pdf"


def download(document_id: str, user: dict[str, Any]) -> tuple[bytes, str]:
    """The issued PDF and its file name for a reader of the document (the same access rule); audited."""
    from oa_core.outgoing import documents

    doc = documents.readable(document_id, user)
    data = stored_pdf(doc)
    audit.record(user["user_id"], "download_pdf", document_id, "ok", doc.number or "", document_id=document_id)
    return data, pdf_filename(doc)


def download_docx(document_id: str, user: dict[str, Any]) -> tuple[bytes, str]:
    """The issued document as a Word file, for a reader of the document, once it is signed and numbered; audited.

    Written from the same elements as the PDF (`official_document`), each time: it carries no seal, the sealed
    original stays the PDF."""
    from oa_core.outgoing import documents
    from oa_core.publishing.wordfile import render_docx

    doc = documents.readable(document_id, user)
    if not doc.number or not doc.seal_signature:
        raise Conflict("该文件尚未签发、编号，不能下载 Word 版 (not issued yet)")
    data = render_docx(official_document(doc))
    audit.record(user["user_id"], "download_docx", document_id, "ok", doc.number, document_id=document_id)
    return data, f"{doc.number}.docx"
