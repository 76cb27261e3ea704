"""邮件: HTML + plain-text notifications, sent with SES SendRawEmail; parsing for the local outbox."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parsedate_to_datetime
from functools import cache
from typing import Any

from oa_core.platform import clock
from oa_core.platform.config import client, settings
from oa_core.platform.fields import REFUSED_CATEGORIES
from oa_core.platform.rendering import render

LINK_RE = re.compile(r"https?://[^\s<>\"']+")

Attachment = tuple[str, str, bytes]
"""(filename, MIME type, data); a text/calendar type may carry its method: "text/calendar; method=REQUEST"."""


@cache
def _ses() -> Any:
    return client("ses")


def header_text(text: str) -> str:
    """Text for a header: every line break or control character a space (defence behind the edge's
    one-line fields, for text saved before they refused them), so no header can be broken or split."""
    import unicodedata

    cleaned = "".join(" " if unicodedata.category(c) in REFUSED_CATEGORIES else c for c in text)
    return " ".join(cleaned.split())


def subject_line(title: str, urgency: str, action: str) -> str:
    """Subject: 【特急】请签发：关于…的通知 — urgency first so a leader sees it in the list."""
    prefix = f"【{urgency}】" if urgency else ""
    return header_text(f"{prefix}{action}：{title}")


def build_message(
    to: list[str],
    subject: str,
    template: str,
    context: dict[str, Any],
    attachments: list[Attachment] | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = Address(display_name=header_text(settings().org_name), addr_spec=settings().mail_sender)
    message["To"] = ", ".join(to)
    message["Subject"] = header_text(subject)
    message["Date"] = format_datetime(clock.now())
    context = {"org_name": settings().org_name, **context}
    message.set_content(render(f"email/{template}.txt", **context))
    message.add_alternative(render(f"email/{template}.html", **context), subtype="html")
    for filename, mime_type, data in attachments or []:
        _attach(message, filename, mime_type, data)
    return message


def _attach(message: EmailMessage, filename: str, mime_type: str, data: bytes) -> None:
    """One attachment; text/calendar keeps its method parameter and UTF-8 so mail clients offer 接受/拒绝."""
    content_type, _, parameters = mime_type.partition(";")
    maintype, _, subtype = content_type.strip().lower().partition("/")
    params: dict[str, str] = {}
    for item in parameters.split(";"):
        key, _, value = item.partition("=")
        if key.strip():
            params[key.strip().lower()] = value.strip().strip('"')
    if (maintype, subtype) == ("text", "calendar"):
        params = {**params, "method": params.get("method", "REQUEST").upper(), "charset": "UTF-8"}
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename, params=params)


def send(
    to: list[str],
    subject: str,
    template: str,
    context: dict[str, Any],
    attachments: list[Attachment] | None = None,
) -> str:
    """Send; the message id (SES's, or the Message-ID header given to the SMTP relay), "" if no one to send to."""
    recipients = [address for address in dict.fromkeys(to) if address]
    if not recipients:
        return ""
    message = build_message(recipients, subject, template, context, attachments)
    if settings().mail_transport == "smtp":
        from email.utils import make_msgid

        message["Message-ID"] = make_msgid(domain=settings().mail_sender.rpartition("@")[2] or None)
        _send_smtp(message, recipients)
        return str(message["Message-ID"])
    answer = _ses().send_raw_email(
        Source=settings().mail_sender,
        Destinations=recipients,
        RawMessage={"Data": message.as_bytes(policy=policy.SMTP)},
    )
    return str(answer.get("MessageId", ""))


def _smtp_password() -> str:
    """The SMTP password from Secrets Manager (Powertools parameters, cached for five minutes)."""
    from aws_lambda_powertools.utilities.parameters import get_secret

    return str(get_secret(settings().smtp_password_secret, max_age=300))


def _send_smtp(message: EmailMessage, recipients: list[str]) -> None:
    """Send through the configured SMTP relay; TLS unless the relay is declared trusted (none)."""
    import smtplib
    import ssl

    config = settings()
    if not config.smtp_host:
        raise ValueError("MAIL_TRANSPORT is smtp but SMTP_HOST is empty (template parameter SmtpHost)")
    context = ssl.create_default_context()
    server: smtplib.SMTP
    if config.smtp_security == "ssl":
        server = smtplib.SMTP_SSL(config.smtp_host, config.smtp_port, context=context, timeout=15)
    else:
        server = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=15)
    with server:
        if config.smtp_security == "starttls":
            server.starttls(context=context)
        if config.smtp_username:
            server.login(config.smtp_username, _smtp_password())
        server.send_message(message, from_addr=config.mail_sender, to_addrs=recipients)


def parse_raw_message(raw: str | bytes) -> dict[str, Any]:
    """One sent email as the local outbox shows it: to, subject, text, html, sent_at, links, attachments."""
    # Parsed from bytes: an 8bit UTF-8 body parsed from a str comes back as raw-unicode-escape
    # (「\\u60a8\\u597d」); moto keeps the message as the UTF-8 decoding of what was sent.
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    message = message_from_bytes(data, policy=policy.default)
    text = html = ""
    attachments: list[dict[str, str]] = []
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            continue
        if part.get_content_disposition() == "attachment":
            attachments.append({"filename": part.get_filename() or "", "content_type": str(part["Content-Type"])})
            continue
        content = part.get_content()
        if part.get_content_type() == "text/plain" and not text:
            text = str(content)
        elif part.get_content_type() == "text/html" and not html:
            html = str(content)
    date = message.get("Date")
    sent_at = clock.iso(parsedate_to_datetime(str(date))) if date else ""
    to = [address.strip() for address in str(message.get("To", "")).split(",") if address.strip()]
    return {
        "to": to,
        "subject": str(message.get("Subject", "")),
        "text": text,
        "html": html,
        "sent_at": sent_at,
        "links": list(dict.fromkeys(LINK_RE.findall(text))),
        "attachments": attachments,
    }
