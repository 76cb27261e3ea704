"""Email parsing for the local outbox: text, HTML and links."""

from __future__ import annotations

from oa_core.platform.mail import parse_raw_message


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
