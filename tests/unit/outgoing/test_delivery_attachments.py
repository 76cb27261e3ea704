"""附件 in 对外发送 within a size budget: inline in the webhook payload while they fit, else a signed short-lived
link; attached to the email while it stays small enough, else listed."""

from __future__ import annotations

import base64
import hashlib
from email import message_from_bytes
from email.policy import default

from oa_core.outgoing import enclosing
from oa_core.outgoing.storage import AttachmentEntry


def entry(no: int, size: int, filename: str = "附件.pdf") -> AttachmentEntry:
    return AttachmentEntry(
        no=no,
        title=f"附件标题{no}",
        filename=filename,
        kind="pdf",
        content_type="application/pdf",
        size=size,
        sha256=hashlib.sha256(bytes(size)).hexdigest(),
        key=f"attachments/doc/{no}",
        s3_version="v1",
        uploaded_by="u",
        uploaded_at="2026-12-02T10:00:00+08:00",
    )


def read(item: AttachmentEntry) -> bytes:
    return bytes(int(item.size))


def link(item: AttachmentEntry, seconds: int) -> str:
    return f"https://s3.example/{item.key}?versionId={item.s3_version}&X-Amz-Expires={seconds}"


def test_attachments_go_inline_while_they_fit_the_budget_and_as_signed_links_beyond_it() -> None:
    budget = enclosing.INLINE_BUDGET_BYTES
    pdf_size = budget // 2
    entries = [entry(1, 1000), entry(2, budget // 2), entry(3, 2000)]
    rows = enclosing.for_webhook(entries, pdf_size, read, link)
    assert [r["no"] for r in rows] == [1, 2, 3] and [r["title"] for r in rows] == [
        "附件标题1",
        "附件标题2",
        "附件标题3",
    ]
    assert base64.b64decode(rows[0]["base64"]) == bytes(1000) and "url" not in rows[0]
    assert "base64" not in rows[1] and rows[1]["url"].endswith(f"X-Amz-Expires={enclosing.LINK_SECONDS}")
    assert rows[1]["url_expires_at"] and rows[1]["sha256"] == entries[1].sha256, "the receiver checks what it fetched"
    assert "base64" in rows[2], "a later small one still fits"
    assert all(set(r) >= {"filename", "content_type", "kind", "size", "sha256"} for r in rows)


def test_a_document_without_attachments_sends_an_empty_list() -> None:
    assert enclosing.for_webhook([], 1000, read, link) == []


def test_the_email_attaches_what_fits_and_lists_the_rest_with_its_digest() -> None:
    big = entry(2, enclosing.EMAIL_BUDGET_BYTES)
    files, listed = enclosing.for_email([entry(1, 500, "测算依据（2026）.pdf"), big], 1000, read)
    assert [(name, kind) for name, kind, _ in files] == [("测算依据（2026）.pdf", "application/pdf")]
    assert [row["attached"] for row in listed] == [True, False]
    assert listed[1]["sha256"] == big.sha256 and listed[1]["size_text"] == "10.0 MB"


def test_a_chinese_attachment_name_is_rfc_2231_encoded_in_the_mail() -> None:
    from oa_core.platform import mail

    message = mail.build_message(
        ["x@example.org"],
        "来文",
        "external_delivery",
        {
            "unit_name": "示例市财政局",
            "doc_type": "通知",
            "number": "示例办发〔2026〕1号",
            "title": "通知",
            "urgency": "",
            "sha256": "0" * 64,
            "key_fingerprint": "f" * 16,
            "attachments": [],
        },
        [("测算依据.pdf", "application/pdf", b"%PDF-1.7\n")],
    )
    raw = message.as_bytes()
    assert b"filename*=utf-8''%E6%B5%8B%E7%AE%97%E4%BE%9D%E6%8D%AE.pdf" in raw
    parsed = message_from_bytes(raw, policy=default)
    assert [part.get_filename() for part in parsed.iter_attachments()] == ["测算依据.pdf"]


def test_the_ofd_goes_inline_with_its_digest_while_it_fits_after_the_pdf_and_is_described_beyond() -> None:
    ofd = b"PK\x03\x04" + bytes(3000)
    row = enclosing.ofd_for_webhook(ofd, "示例办发〔2026〕7号.ofd", 1000)
    assert row["inline"] is True and base64.b64decode(row["base64"]) == ofd
    assert row["sha256"] == hashlib.sha256(ofd).hexdigest() and row["content_type"] == "application/ofd"
    too_big = enclosing.ofd_for_webhook(ofd, "示例办发〔2026〕7号.ofd", enclosing.INLINE_BUDGET_BYTES - 100)
    assert too_big["inline"] is False and "base64" not in too_big and too_big["size"] == len(ofd)
