"""Email parsing for the local outbox: text, HTML and links."""

from __future__ import annotations

from email import policy
from typing import Any

import pytest

from oa_core.platform.mail import build_message, parse_raw_message


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


def _through_ses(message: Any) -> str:
    """The raw message as moto's SES keeps it (the bytes decoded as UTF-8), which the local outbox reads."""
    import boto3
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    with mock_aws():
        ses = boto3.client("ses", region_name="us-east-1")
        ses.verify_email_identity(EmailAddress="oa@example.gov.cn")
        ses.send_raw_email(
            Source="oa@example.gov.cn",
            Destinations=["a@example.gov.cn"],
            RawMessage={"Data": message.as_bytes(policy=policy.SMTP)},
        )
        (sent,) = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
        return str(sent.raw_data)


@pytest.mark.parametrize(
    ("template", "context", "expected"),
    [
        (
            "dispatch_request",
            {
                "dispatch": {"purpose": "赴省厅汇报", "passengers": 3, "origin": "本单位", "destination": "省财政厅"},
                "requester": "王芳",
                "when": "2026年12月3日 09:00–11:00",
                "link": "http://127.0.0.1:3000/dispatch",
            },
            ["您好：", "王芳申请用车", "本单位 → 省财政厅"],
        ),
        (
            "distributed",
            {
                "department_name": "办公室",
                "doc_type": "通知",
                "urgency": "",
                "number": "示政发〔2026〕1号",
                "title": "关于年度预算的通知",
                "summary": "请各处室按时报送。",
                "link": "http://127.0.0.1:3000/documents/x",
            },
            ["办公室：", "标题：关于年度预算的通知"],
        ),
    ],
)
def test_outbox_reads_eight_bit_chinese_bodies_as_chinese_not_unicode_escapes(
    template: str, context: dict[str, Any], expected: list[str]
) -> None:
    """用车申请 and 收文 mails are short Chinese lines that the email package sends 8bit, not base64."""
    message = build_message(["a@example.gov.cn"], "用车申请：赴省厅汇报", template, context)
    assert "8bit" in {part["Content-Transfer-Encoding"] for part in message.iter_parts()}
    parsed = parse_raw_message(_through_ses(message))
    for fragment in expected:
        assert fragment in parsed["text"]
    assert "\\u" not in parsed["text"] and "\\u" not in parsed["html"]
    assert expected[-1].split("：")[-1] in parsed["html"]
