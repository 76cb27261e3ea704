"""收文 from another unit's system: ``POST /exchange/inbound``, exactly what our own 对外发送 sends.

A call is trusted by its signature alone (no user signs in): ``X-OA-Signature: sha256=<hex
HMAC-SHA256(key, "<X-OA-Timestamp>.<body>")>`` with the key in the template secret
ExchangeInboundSecret, compared in constant time (platform.webhooks). A timestamp more than
``webhooks.MAX_AGE_SECONDS`` old, or more than ``MAX_AHEAD_SECONDS`` ahead of our clock, is refused like a bad
signature (401): a captured call cannot be replayed later. A signed body that is not the payload
(schema, a PDF whose SHA-256 is not the one named, not a PDF, too large) is 422 and stores nothing.

Otherwise the PDF goes to the archive bucket (``incoming/<id>/<sha256>.pdf``) and, in one
transaction, the 送达回执 (keyed by X-OA-Delivery, put only if absent), the 收文 and its audit record
are written; IncomingFlow starts, named after the 收文. The 收文's id comes from the delivery id, so
two calls of one delivery, even at once, name one 收文 and one file, and the one that loses the
transaction answers the winner's receipt. Neither the signature nor the body is ever logged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import time
from collections.abc import Mapping

from pydantic import ValidationError
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.identity import directory
from oa_core.incoming import flow, seal_check
from oa_core.incoming.models import ExchangePayload, SealCheck
from oa_core.incoming.storage import (
    ExchangeReceiptItem,
    IncomingItem,
    incoming_key,
    receipt_key,
    status_index,
)
from oa_core.platform import audit, clock, webhooks
from oa_core.platform.config import client, settings
from oa_core.platform.http import humanize
from oa_core.platform.storage import connection, lost_on_condition
from oa_core.platform.webhooks import Answer
from oa_core.workflow.tasks import history_item

MAX_PDF_BYTES = 3 * 1024 * 1024
"""The largest PDF accepted: its base64 in JSON, base64 again in API Gateway's event, stays inside
Lambda's 6 MB synchronous payload."""
MAX_BODY_BYTES = 4_500_000
DELIVERY_ID = re.compile(r"^[\x21-\x7e]{1,200}$")
ACTOR = "exchange"
"""Who the audit trail names for an inbound call (the sender unit is in the record's detail)."""


def _refused(status: int, code: str, message: str, delivery: str, reason: str) -> Answer:
    audit.refused(ACTOR, "exchange_inbound", delivery[:200] or "-", reason)
    return Answer(status, {"error": {"code": code, "message": message}})


def _key() -> str:
    """The HMAC key from Secrets Manager (Powertools parameters, cached for five minutes)."""
    from aws_lambda_powertools.utilities.parameters import get_secret

    return str(get_secret(settings().exchange_secret_name, max_age=300))


def parse(body: bytes, delivery: str) -> tuple[ExchangePayload, bytes]:
    """The payload and its PDF; ValueError with a Chinese message when it is not what we accept."""
    if len(body) > MAX_BODY_BYTES:
        raise ValueError(f"请求过大：文件不得超过 {MAX_PDF_BYTES // (1024 * 1024)} MB")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValueError("请求内容不是 UTF-8 编码的 JSON") from None
    try:
        payload = ExchangePayload.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"来文内容不完整或格式不对：{humanize(exc.errors())}") from None
    if payload.delivery_id != delivery:
        raise ValueError("请求头 X-OA-Delivery 与正文中的 delivery_id 不一致")
    try:
        pdf = base64.b64decode(payload.pdf.base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("来文文件不是有效的 base64 编码") from None
    if len(pdf) > MAX_PDF_BYTES:
        raise ValueError(f"来文文件过大：不得超过 {MAX_PDF_BYTES // (1024 * 1024)} MB")
    if hashlib.sha256(pdf).hexdigest() != payload.pdf.sha256.lower():
        raise ValueError("来文文件的 SHA-256 与所附摘要不一致，文件可能在传输中损坏")
    if not pdf.startswith(b"%PDF-"):
        raise ValueError("来文文件不是 PDF")
    return payload, pdf


def incoming_id_for(delivery: str) -> str:
    """The 收文's id, from the delivery's: every call of one delivery names the same 收文."""
    return "I" + hashlib.sha256(delivery.encode("utf-8")).hexdigest()[:20]


def receipt_id_for(incoming_id: str, at: str) -> str:
    """送达回执: our fonds code, the day it arrived and the 收文's id."""
    return f"{settings().fonds_code}-{at[:10].replace('-', '')}-{incoming_id[1:11].upper()}"


def receive(headers: Mapping[str, str], body: bytes) -> Answer:
    """Take one inbound call: 401, 422, or 200/201 with the 送达回执."""
    delivery = webhooks.header(headers, "X-OA-Delivery")
    why = webhooks.untrusted(headers, body, _key(), time.time())
    if why is not None:
        return _refused(401, "unauthorized", "签名或时间戳无效，来文未被接收", delivery, why)
    if not DELIVERY_ID.fullmatch(delivery):
        return _refused(422, "invalid_delivery", "缺少或无效的 X-OA-Delivery 请求头", delivery, "bad delivery id")
    existing = _receipt(delivery)
    if existing is not None:
        flow.start(existing.incoming_id)  # a first call that stored but did not start: started now
        return Answer(200, {"receipt_id": existing.receipt_id})
    try:
        payload, pdf = parse(body, delivery)
    except ValueError as exc:
        return _refused(422, "invalid_payload", str(exc), delivery, str(exc)[:200])
    incoming_id, receipt = _store(payload, pdf, delivery)
    flow.start(incoming_id)
    return Answer(201 if receipt[1] else 200, {"receipt_id": receipt[0]})


def _receipt(delivery: str) -> ExchangeReceiptItem | None:
    try:
        return ExchangeReceiptItem.get(*receipt_key(delivery), consistent_read=True)
    except ExchangeReceiptItem.DoesNotExist:
        return None


def _sender_unit(name: str) -> dict[str, str]:
    for unit in directory.list_external_units():
        if name in (unit["name"], unit["unit_id"]):
            return unit
    return {}


def _store(payload: ExchangePayload, pdf: bytes, delivery: str) -> tuple[str, tuple[str, bool]]:
    """Store the file and the 收文 once: (id, (receipt, new?))."""
    incoming_id = incoming_id_for(delivery)
    now = clock.now_iso()
    unit = _sender_unit(payload.sender.name)
    seal = seal_check.check(pdf, unit.get("seal_key_fingerprint", ""))
    digest = hashlib.sha256(pdf).hexdigest()
    key = f"incoming/{incoming_id}/{digest}.pdf"
    client("s3").put_object(
        Bucket=settings().archive_bucket,
        Key=key,
        Body=pdf,
        ContentType="application/pdf",
        Metadata={"incoming-id": incoming_id, "sha256": digest},
    )
    receipt_id = receipt_id_for(incoming_id, now)
    item = _item(incoming_id, payload, unit, seal, key, digest, len(pdf), delivery, receipt_id, now)
    sender = payload.sender.name
    number = payload.document.number or "（无字号）"
    detail = f"{sender} {number} 送达回执 {receipt_id}; 签章{'有效' if seal.valid else '无效'}"
    if seal.pinned == "mismatch":
        detail += "; 签章公钥与登记的不一致"
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(
                ExchangeReceiptItem(
                    *receipt_key(delivery),
                    delivery_id=delivery,
                    incoming_id=incoming_id,
                    receipt_id=receipt_id,
                    sender=sender,
                    at=now,
                ),
                condition=ExchangeReceiptItem.PK.does_not_exist(),
            )
            tx.save(item, condition=IncomingItem.PK.does_not_exist())
            tx.save(history_item(incoming_id, "arrive", f"{ACTOR}:{sender}", "received", detail))
            tx.save(audit.audit_item(f"{ACTOR}:{sender}", "exchange_inbound", incoming_id, "ok", detail[:300]))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        first = _receipt(delivery)
        if first is None:  # the 收文 exists without its receipt: cannot be, but never answer without one
            raise
        return first.incoming_id, (first.receipt_id, False)
    return incoming_id, (receipt_id, True)


def _item(
    incoming_id: str,
    payload: ExchangePayload,
    unit: Mapping[str, str],
    seal: SealCheck,
    key: str,
    digest: str,
    size: int,
    delivery: str,
    receipt_id: str,
    now: str,
) -> IncomingItem:
    gsi_pk, gsi_sk = status_index("receiving", now, incoming_id)
    document = payload.document
    return IncomingItem(
        *incoming_key(incoming_id),
        incoming_id=incoming_id,
        status="receiving",
        current_step="receive",
        source="exchange",
        sender=payload.sender.name,
        sender_unit_id=unit.get("unit_id", ""),
        sender_number=document.number,
        title=document.title,
        doc_type=document.doc_type,
        urgency=document.urgency,
        received_at=now,
        sign_date=document.sign_date,
        file_key=key,
        file_name=(payload.pdf.filename or f"{document.number or incoming_id}.pdf")[:200],
        file_sha256=digest,
        file_size=size,
        seal_valid=seal.valid,
        seal_problem=seal.reason,
        seal_signer=seal.signer,
        seal_number=seal.signed_number,
        seal_fingerprint=seal.fingerprint,
        seal_algorithm=seal.algorithm,
        seal_pinned=seal.pinned,
        delivery_id=delivery,
        receipt_id=receipt_id,
        created_at=now,
        updated_at=now,
        GSI2PK=gsi_pk,
        GSI2SK=gsi_sk,
    )
