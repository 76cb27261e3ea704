"""电子签章 of a 发文: the signed document's canonical content, hashed and signed with the stack's KMS key.

The canonical content is the document as issued: 文种, 发文字号, title, 主送, body, 附件说明, 抄送,
紧急程度, 成文日期, 签发人 and issuing organisation, as JSON with sorted keys and no spaces (UTF-8).
Its SHA-256 is the seal's digest, signed by publishing.seal. The seal is applied right after 编号,
so the 发文字号 is part of what is signed; any later change of the text, the number or the date
breaks verification."""

from __future__ import annotations

import json
from typing import Any

from oa_core.outgoing.storage import DocumentItem
from oa_core.platform import audit, clock
from oa_core.platform.config import settings
from oa_core.platform.storage import strs
from oa_core.publishing.seal import algorithm, digest, sign_digest, verify_digest


def canonical(doc: DocumentItem) -> bytes:
    content = {
        "organisation": settings().org_name,
        "document_id": doc.document_id,
        "doc_type": doc.doc_type,
        "number": doc.number or "",
        "title": doc.title,
        "main_recipients": strs(doc.main_recipients),
        "body": doc.body,
        "attachment_note": doc.attachment_note or "",
        "cc": strs(doc.cc),
        "urgency": doc.urgency or "",
        "sign_date": doc.sign_date or "",
        "signed_by": doc.signed_by or "",
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def apply(doc: DocumentItem) -> dict[str, str]:
    """签章: sign the document as numbered; idempotent (a retried step keeps a seal of the same content)."""
    value = digest(canonical(doc))
    if doc.seal_digest == value.hex() and doc.seal_signature:
        return {"digest": doc.seal_digest}
    signed_with, signature = algorithm(), sign_digest(value)
    now = clock.now_iso()
    doc.update(
        actions=[
            DocumentItem.seal_digest.set(value.hex()),
            DocumentItem.seal_signature.set(signature),
            DocumentItem.seal_key.set(settings().seal_key_id),
            DocumentItem.seal_algorithm.set(signed_with),
            DocumentItem.sealed_at.set(now),
        ]
    )
    audit.record("system", "seal", doc.document_id, "ok", value.hex(), document_id=doc.document_id)
    return {"digest": value.hex()}


def verify(doc: DocumentItem) -> dict[str, Any]:
    """Is the document as it is now the document that was sealed? (KMS verifies the signature.)"""
    result: dict[str, Any] = {"valid": False, "signed_by": doc.signed_by or "", "signed_at": doc.sign_date or ""}
    if not doc.seal_signature:
        return {**result, "reason": "该文件尚未签章（签发、编号后签章）"}
    value = digest(canonical(doc))
    if value.hex() != doc.seal_digest:
        return {**result, "reason": "文件内容与签章时不一致，可能已被改动"}
    if not verify_digest(value, doc.seal_signature, doc.seal_key or settings().seal_key_id, doc.seal_algorithm):
        return {**result, "reason": "签章签名无效"}
    return {**result, "valid": True, "sealed_at": doc.sealed_at or ""}
