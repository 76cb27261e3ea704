"""对外发送: the issued PDF delivered to other units, through a 政务协同平台 webhook or by email.

Distribution (分发) starts one DeliveryFlow execution per external recipient (named after the
document and recipient, so a retried 分发 step starts none twice). The flow calls ``attempt``;
a failed attempt says how long to wait, and the flow's Wait state waits (exponential backoff:
DeliveryRetrySeconds × 2ⁿ, at most ``MAX_WAIT_SECONDS``) before the next one. After
DeliveryMaxAttempts the flow puts the case on the dead-letter queue and calls ``give_up``. Every
attempt is recorded on the recipient's DeliveryItem (attempts, last error, next attempt, receipt)
and audited, so the document page shows where each delivery stands.

Webhook: ``POST`` JSON with the PDF (base64) and its SHA-256, signed with HMAC-SHA256 over
``<timestamp>.<body>`` with the key in Secrets Manager (header ``X-OA-Signature: sha256=<hex>``,
``X-OA-Timestamp``, ``X-OA-Delivery`` = an id the receiver can use to drop duplicates). A 2xx
answer is the 送达回执: its JSON ``receipt_id`` is kept. Plain http is refused except to the
loopback interface. The document's 附件 go with it (outgoing.enclosing: inline or as a signed link in
the payload's ``attachments``; attached to the email or listed in it).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field

from oa_core.identity import directory
from oa_core.outgoing.storage import DeliveryItem, DocumentItem, load_document
from oa_core.platform import audit, clock, mail, signing
from oa_core.platform.config import client, settings
from oa_core.platform.storage import doc_pk

TIMEOUT_SECONDS = 10
MAX_WAIT_SECONDS = 24 * 3600
"""The longest wait between two attempts: doubling stops at one day, so that with the template's
bounds (DeliveryMaxAttempts ≤ 20, DeliveryRetrySeconds ≤ 3600) the last attempt comes within about
two and a half weeks, far inside Step Functions' one-year execution limit."""
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_ERROR_CHARS = 300


class DeliveryEvent(BaseModel):
    """What DeliveryFlow passes to the deliver function."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)
    action: str = Field(pattern="^(attempt|give_up)$")
    document_id: str = Field(min_length=1, max_length=64)
    recipient: str = Field(min_length=1, max_length=100)
    attempt: int = Field(default=0, ge=0, le=100)


class DeliveryFailed(Exception):
    """One attempt failed; ``final`` when another attempt cannot help (e.g. no address, a 4xx)."""

    def __init__(self, message: str, *, final: bool = False) -> None:
        super().__init__(message)
        self.final = final


def execution_name(document_id: str, recipient: str) -> str:
    return f"{document_id}-{hashlib.sha256(recipient.encode('utf-8')).hexdigest()[:16]}"


def delivery_key(document_id: str, recipient: str) -> tuple[str, str]:
    return doc_pk(document_id), f"DELIVERY#{recipient}"


@cache
def _sfn() -> Any:
    return client("stepfunctions")


def start(document_id: str, recipient: str) -> None:
    """Start the recipient's DeliveryFlow; a second start of the same one is a no-op."""
    try:
        _sfn().start_execution(
            stateMachineArn=settings().delivery_flow_arn,
            name=execution_name(document_id, recipient),
            input=json.dumps({"document_id": document_id, "recipient": recipient, "attempt": 0}, ensure_ascii=False),
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ExecutionAlreadyExists":
            raise


def external_unit(recipient: str) -> dict[str, str]:
    """The 外部单位 by id or name; an unregistered name is still a unit (the platform routes by name)."""
    for unit in directory.list_external_units():
        if recipient in (unit["unit_id"], unit["name"]):
            return unit
    return {"unit_id": "", "name": recipient, "email": "", "platform_code": ""}


def backoff_seconds(attempt_number: int, first_wait: int) -> int:
    """The wait after failed attempt ``attempt_number`` (1, 2, …): first_wait × 2ⁿ⁻¹, capped at a day."""
    return min(first_wait * (1 << (attempt_number - 1)), MAX_WAIT_SECONDS)


def attempt(event: DeliveryEvent) -> dict[str, Any]:
    """One delivery attempt: {"delivered": bool, "attempt": n, "wait_seconds": s, "final": bool}."""
    item = DeliveryItem.get(*delivery_key(event.document_id, event.recipient), consistent_read=True)
    number = event.attempt + 1
    if item.status == "sent":
        return {"delivered": True, "attempt": number, "wait_seconds": 0, "final": True}
    config = settings()
    doc = load_document(event.document_id)
    unit = external_unit(event.recipient)
    try:
        receipt = _send(doc, unit, event.recipient, number)
    except DeliveryFailed as exc:
        final = exc.final or number >= config.delivery_max_attempts
        wait = 0 if final else backoff_seconds(number, config.delivery_retry_seconds)
        error = str(exc)[:MAX_ERROR_CHARS]
        item.update(
            actions=[
                DeliveryItem.status.set("failed" if exc.final else "retrying"),
                DeliveryItem.attempts.set(number),
                DeliveryItem.last_error.set(error),
                DeliveryItem.via.set(config.delivery_channel),
                DeliveryItem.next_attempt_at.set("" if final else clock.iso(clock.now() + timedelta(seconds=wait))),
                DeliveryItem.at.set(clock.now_iso()),
            ],
            condition=DeliveryItem.status != "sent",
        )
        audit.record(
            "system",
            "deliver_external",
            event.document_id,
            "error",
            f"{event.recipient} attempt {number}: {error}",
            document_id=event.document_id,
        )
        return {"delivered": False, "attempt": number, "wait_seconds": wait, "final": final, "error": error}
    item.update(
        actions=[
            DeliveryItem.status.set("sent"),
            DeliveryItem.attempts.set(number),
            DeliveryItem.receipt.set(receipt[:200]),
            DeliveryItem.last_error.set(""),
            DeliveryItem.next_attempt_at.set(""),
            DeliveryItem.via.set(config.delivery_channel),
            DeliveryItem.at.set(clock.now_iso()),
        ]
    )
    audit.record(
        "system",
        "deliver_external",
        event.document_id,
        "ok",
        f"{event.recipient} attempt {number} via {config.delivery_channel}, receipt {receipt[:80]}",
        document_id=event.document_id,
    )
    return {"delivered": True, "attempt": number, "wait_seconds": 0, "final": True}


def give_up(event: DeliveryEvent) -> dict[str, Any]:
    """After the last failed attempt (the case is already on the dead-letter queue): mark it failed."""
    key = delivery_key(event.document_id, event.recipient)
    item = DeliveryItem.get(*key, consistent_read=True)
    if item.status != "sent":
        reason = item.last_error or "发送失败（系统错误，见 DeliveryFlow 的执行记录）"
        item.update(
            actions=[
                DeliveryItem.status.set("failed"),
                DeliveryItem.last_error.set(reason),
                DeliveryItem.next_attempt_at.set(""),
            ],
            condition=DeliveryItem.status != "sent",
        )
        audit.record(
            "system",
            "deliver_external",
            event.document_id,
            "failed",
            f"{event.recipient} after {int(item.attempts or 0)} attempts: {reason}",
            document_id=event.document_id,
        )
    return {"status": "failed" if item.status != "sent" else "sent"}


# ---------------------------------------------------------------- channels
def _send(doc: DocumentItem, unit: dict[str, str], recipient: str, number: int) -> str:
    from oa_core.outgoing import printing

    pdf = printing.stored_pdf(doc)
    ofd = printing.stored_ofd(doc) if doc.ofd_key else b""
    if settings().delivery_channel == "webhook":
        return _post_webhook(doc, unit, pdf, execution_name(doc.document_id, recipient), number, ofd)
    if settings().delivery_channel == "email":
        return _send_email(doc, unit, pdf, ofd)
    raise DeliveryFailed(f"未知的对外发送方式 {settings().delivery_channel}（webhook 或 email）", final=True)


def payload(doc: DocumentItem, unit: dict[str, str], pdf: bytes, delivery_id: str, ofd: bytes = b"") -> dict[str, Any]:
    """The JSON the 政务协同平台 receives; ``attachments`` is added (a list, empty without 附件), and ``ofd`` when
    the document has one (enclosing.ofd_for_webhook), the rest as before."""
    from oa_core.outgoing import enclosing, printing

    inlined = len(pdf)
    extra: dict[str, Any] = {}
    if ofd:
        extra["ofd"] = enclosing.ofd_for_webhook(ofd, printing.ofd_filename(doc), len(pdf))
        inlined += len(ofd) if extra["ofd"]["inline"] else 0
    return {
        "delivery_id": delivery_id,
        "sender": {"name": settings().org_name, "fonds_code": settings().fonds_code},
        "recipient": {"name": unit["name"], "platform_code": unit.get("platform_code", "")},
        "document": {
            "document_id": doc.document_id,
            "number": doc.number or "",
            "doc_type": doc.doc_type,
            "title": doc.title,
            "urgency": doc.urgency or "",
            "sign_date": doc.sign_date or "",
            "seal_digest": doc.seal_digest or "",
        },
        "pdf": {
            "filename": f"{doc.number or doc.document_id}.pdf",
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "base64": base64.b64encode(pdf).decode("ascii"),
        },
        **extra,
        "attachments": enclosing.for_webhook(list(doc.attachments or []), inlined),
    }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``<timestamp>.<body>``, hex (platform.signing: the receiving side checks the same)."""
    return signing.signature(secret, timestamp, body)


def _webhook_secret() -> str:
    """The webhook's HMAC key from Secrets Manager (Powertools parameters, cached for five minutes)."""
    from aws_lambda_powertools.utilities.parameters import get_secret

    return str(get_secret(settings().delivery_secret_name, max_age=300))


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if not url or not parts.hostname:
        raise DeliveryFailed("未配置政务协同平台地址（模板参数 DeliveryWebhookUrl）", final=True)
    loopback = parts.hostname in ("127.0.0.1", "::1", "localhost")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise DeliveryFailed("政务协同平台地址必须是 https（明文 http 只允许本机回环地址）", final=True)


def _post_webhook(
    doc: DocumentItem, unit: dict[str, str], pdf: bytes, delivery_id: str, number: int, ofd: bytes = b""
) -> str:
    import urllib3

    url = settings().delivery_webhook_url
    check_url(url)
    sent = payload(doc, unit, pdf, delivery_id, ofd)
    body = json.dumps(sent, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-OA-Delivery": delivery_id,
        "X-OA-Attempt": str(number),
        "X-OA-Timestamp": timestamp,
        "X-OA-Signature": "sha256=" + signature(_webhook_secret(), timestamp, body),
        "User-Agent": "oa-system-delivery/1",
    }
    try:
        response = _http().request(
            "POST", url, body=body, headers=headers, timeout=TIMEOUT_SECONDS, retries=False, redirect=False
        )
    except urllib3.exceptions.HTTPError as exc:
        raise DeliveryFailed(f"无法连接政务协同平台：{type(exc).__name__}") from exc
    if not 200 <= response.status < 300:
        text = response.data[:200].decode("utf-8", errors="replace")
        # Redirects are not followed and client errors do not change by retrying; 5xx, 408, 425, 429 may.
        final = response.status < 500 and response.status not in RETRYABLE_STATUSES
        raise DeliveryFailed(f"政务协同平台返回 HTTP {response.status}：{text}", final=final)
    try:
        answer = json.loads(response.data or b"{}")
    except ValueError:
        answer = {}
    receipt = answer.get("receipt_id") if isinstance(answer, dict) else None
    return str(receipt or f"HTTP {response.status}")


@cache
def _http() -> Any:
    import urllib3

    return urllib3.PoolManager(cert_reqs="CERT_REQUIRED")


def key_fingerprint(pdf: bytes) -> str:
    """签章公钥指纹 of a sealed PDF: the first 16 hex digits of SHA-256 over the DER public key its seal
    block carries, as make verify prints it, so a receiving unit compares it with the one we publish."""
    from oa_core.publishing.seal import split_sealed_pdf

    block = split_sealed_pdf(pdf)[1] or {}
    try:
        return hashlib.sha256(base64.b64decode(str(block.get("public_key", "")), validate=True)).hexdigest()[:16]
    except ValueError:
        return "（PDF 未带签章）"


def _send_email(doc: DocumentItem, unit: dict[str, str], pdf: bytes, ofd: bytes = b"") -> str:
    if not unit.get("email"):
        raise DeliveryFailed(f"外部单位「{unit['name']}」未登记收文邮箱，无法邮件发送", final=True)
    from oa_core.outgoing import enclosing, printing

    issued = [(printing.pdf_filename(doc), "application/pdf", pdf)]
    if ofd and len(pdf) + len(ofd) <= enclosing.EMAIL_BUDGET_BYTES:
        issued.append((printing.ofd_filename(doc), printing.OFD_CONTENT_TYPE, ofd))
    attached, listed = enclosing.for_email(list(doc.attachments or []), sum(len(data) for _n, _t, data in issued))
    try:
        message_id = mail.send(
            [unit["email"]],
            mail.subject_line(doc.title, doc.urgency or "", f"来文（{doc.number}）"),
            "external_delivery",
            {
                "unit_name": unit["name"],
                "doc_type": doc.doc_type,
                "number": doc.number or "",
                "title": doc.title,
                "urgency": doc.urgency or "",
                "sha256": hashlib.sha256(pdf).hexdigest(),
                "key_fingerprint": key_fingerprint(pdf),
                "attachments": listed,
            },
            [*issued, *attached],
        )
    except Exception as exc:  # SES/SMTP refusals and connection errors: try again later
        raise DeliveryFailed(f"邮件发送失败：{type(exc).__name__}: {exc}") from exc
    return message_id or "accepted"
