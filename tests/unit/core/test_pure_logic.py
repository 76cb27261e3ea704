"""Pure pieces of the core: 发文字号, version diffs, archive manifests, email parsing."""

from __future__ import annotations

import io
import zipfile

from oa_core import diffing
from oa_core.archive import verify_package
from oa_core.mail import parse_raw_message
from oa_core.steps import format_number


def test_document_number_has_full_year_brackets_and_no_leading_zeros() -> None:
    assert format_number("国办发", 2012, 14) == "国办发〔2012〕14号"
    assert format_number("示例办发", 2026, 7) == "示例办发〔2026〕7号"


def test_diff_marks_inserted_and_deleted_lines() -> None:
    before = {
        "title": "关于A的通知",
        "body": "第一段。\n第二段。",
        "main_recipients": ["各处室"],
        "cc": [],
        "urgency": "",
    }
    after = {**before, "body": "第一段。\n第二段（修改）。"}
    text = diffing.diff(before, after, 1, 2)
    assert "-第二段。" in text and "+第二段（修改）。" in text
    assert "第1稿" in text and "第2稿" in text


def _package(files: dict[str, bytes], manifest: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in files.items():
            package.writestr(name, data)
        package.writestr("manifest.json", manifest)
    return buffer.getvalue()


def test_package_verification_finds_a_changed_file() -> None:
    import hashlib
    import json

    data = b"final text"
    manifest = json.dumps({"files": [{"path": "final.txt", "sha256": hashlib.sha256(data).hexdigest()}]}).encode()
    assert verify_package(_package({"final.txt": data}, manifest)) == []
    assert verify_package(_package({"final.txt": b"final texT"}, manifest)) == ["digest mismatch: final.txt"]
    assert verify_package(_package({"final.txt": data, "extra.txt": b"x"}, manifest)) == ["unlisted: extra.txt"]


def test_outbox_parsing_reads_text_html_and_links() -> None:
    from email.message import EmailMessage

    message = EmailMessage()
    message["To"] = "a@example.gov.cn, b@example.gov.cn"
    message["Subject"] = "【特急】请签发：关于A的通知"
    message["Date"] = "Wed, 25 Nov 2026 10:00:00 +0800"
    message.set_content("请处理：\nhttp://127.0.0.1:3000/approvals/abc_DEF-123\n")
    message.add_alternative("<p><a href='http://127.0.0.1:3000/approvals/abc_DEF-123'>打开</a></p>", subtype="html")
    parsed = parse_raw_message(message.as_string())
    assert parsed["to"] == ["a@example.gov.cn", "b@example.gov.cn"]
    assert parsed["subject"] == "【特急】请签发：关于A的通知"
    assert parsed["links"] == ["http://127.0.0.1:3000/approvals/abc_DEF-123"]
    assert "<a href" in parsed["html"]
    assert parsed["sent_at"].startswith("2026-11-25T10:00:00")
