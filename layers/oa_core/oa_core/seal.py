"""电子签章: the signed document's canonical content, hashed and signed with the stack's KMS key.

The canonical content is the document as issued: 文种, 发文字号, title, 主送, body, 附件说明, 抄送,
紧急程度, 成文日期, 签发人 and issuing organisation, as JSON with sorted keys and no spaces (UTF-8).
Its SHA-256 is the seal's digest. KMS signs that 32-byte digest as the message (ECDSA P-256 with
SHA-256; MessageType RAW, so the same bytes verify with KMS, with the public key offline, and in
moto). In the AWS China regions the same code works with an SM2 key (KeySpec SM2, algorithm SM2DSA).

The seal is applied right after 编号, so the 发文字号 is part of what is signed; any later change of
the text, the number or the date breaks verification.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from oa_core import audit, clock
from oa_core.config import client, settings
from oa_core.storage import DocumentItem, strs

ALGORITHM = "ECDSA_SHA_256"


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


def digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@cache
def _kms() -> Any:
    return client("kms")


def sign_digest(value: bytes) -> str:
    response = _kms().sign(KeyId=settings().seal_key_id, Message=value, MessageType="RAW", SigningAlgorithm=ALGORITHM)
    return base64.b64encode(response["Signature"]).decode("ascii")


def public_key_pem() -> str:
    """The seal key's public half (PEM), for offline verification of archive packages.

    Asked of KMS each time (once per archived document): the key behind the alias may be replaced.
    """
    der = _kms().get_public_key(KeyId=settings().seal_key_id)["PublicKey"]
    body = base64.encodebytes(der).decode("ascii").replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


def apply(doc: DocumentItem) -> dict[str, str]:
    """签章: sign the document as numbered; idempotent (a retried step keeps a seal of the same content)."""
    value = digest(canonical(doc))
    if doc.seal_digest == value.hex() and doc.seal_signature:
        return {"digest": doc.seal_digest}
    signature = sign_digest(value)
    now = clock.now_iso()
    doc.update(
        actions=[
            DocumentItem.seal_digest.set(value.hex()),
            DocumentItem.seal_signature.set(signature),
            DocumentItem.seal_key.set(settings().seal_key_id),
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
    answer = _kms().verify(
        KeyId=doc.seal_key or settings().seal_key_id,
        Message=value,
        MessageType="RAW",
        Signature=base64.b64decode(doc.seal_signature),
        SigningAlgorithm=ALGORITHM,
    )
    if not answer.get("SignatureValid"):
        return {**result, "reason": "签章签名无效"}
    return {**result, "valid": True, "sealed_at": doc.sealed_at or ""}


def verify_offline(canonical_bytes: bytes, seal: dict[str, Any]) -> str | None:
    """Check a packaged seal with its public key, no AWS needed; None when valid, else why not."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    value = digest(canonical_bytes)
    if value.hex() != seal.get("digest"):
        return "canonical.json 与签章摘要不一致 (content changed)"
    return _check_signature(load_pem_public_key(str(seal["public_key"]).encode("ascii")), seal["signature"], value)


def _check_signature(key: Any, signature: str, value: bytes) -> str | None:
    """ECDSA P-256 over SHA-256 with a public key, offline; None when the signature holds, else why not."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    if not isinstance(key, ec.EllipticCurvePublicKey):
        return "签章公钥类型不对 (not an EC key)"
    try:
        key.verify(base64.b64decode(signature), value, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return "签章签名无效 (signature does not verify)"
    return None


# ---------------------------------------------------------------- the sealed PDF
PDF_SEAL_MARKER = b"\n%OA-SEAL "
"""The PDF's seal block: one PDF comment line after the file's %%EOF. PDF readers ignore it; the
signature in it covers every byte before it (ECDSA P-256 over SHA-256, by the KMS seal key), so a
single changed byte anywhere in the PDF fails verification."""


def seal_pdf(pdf: bytes, info: dict[str, str]) -> bytes:
    """Append the seal block to a rendered PDF: the digest of the PDF, its signature, the public key."""
    value = digest(pdf)
    block = {
        **info,
        "alg": ALGORITHM,
        "sha256": value.hex(),
        "signature": sign_digest(value),
        "public_key": base64.b64encode(_kms().get_public_key(KeyId=settings().seal_key_id)["PublicKey"]).decode(),
    }
    return pdf + PDF_SEAL_MARKER + json.dumps(block, sort_keys=True, separators=(",", ":")).encode("ascii") + b"\n"


def split_sealed_pdf(data: bytes) -> tuple[bytes, dict[str, Any] | None]:
    """The PDF as signed and its seal block (None when there is none or it is unreadable)."""
    at = data.rfind(PDF_SEAL_MARKER)
    if at < 0:
        return data, None
    try:
        block = json.loads(data[at + len(PDF_SEAL_MARKER) :].decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return data[:at], None
    return data[:at], block if isinstance(block, dict) else None


def _pdf_digest(data: bytes) -> tuple[str | None, dict[str, Any], bytes]:
    """(why not, seal block, digest): the PDF before its seal block against the digest the block names."""
    pdf, block = split_sealed_pdf(data)
    if block is None:
        return "PDF 没有电子签章，或签章块已损坏 (no readable seal block)", {}, b""
    value = digest(pdf)
    if value.hex() != block.get("sha256"):
        return "PDF 内容与签章摘要不一致，可能已被改动 (content changed)", block, value
    return None, block, value


def verify_pdf_offline(data: bytes) -> tuple[str | None, dict[str, Any]]:
    """Check a sealed PDF with the public key it carries; (None, block) when intact, else (why not, block)."""
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    problem, block, value = _pdf_digest(data)
    if problem:
        return problem, block
    try:
        key = load_der_public_key(base64.b64decode(str(block["public_key"])))
    except (KeyError, ValueError):
        return "签章公钥无法读取 (unreadable public key)", block
    return _check_signature(key, str(block.get("signature", "")), value), block


def verify_pdf(data: bytes, key_id: str) -> tuple[str | None, dict[str, Any]]:
    """Check a sealed PDF with KMS (the stack's seal key, not the key the file carries)."""
    problem, block, value = _pdf_digest(data)
    if problem:
        return problem, block
    try:
        signature = base64.b64decode(str(block.get("signature", "")))
        answer = _kms().verify(
            KeyId=key_id, Message=value, MessageType="RAW", Signature=signature, SigningAlgorithm=ALGORITHM
        )
    except ClientError as exc:  # KMS answers an invalid signature with an error, not always False
        if exc.response["Error"]["Code"] in ("KMSInvalidSignatureException", "ValidationException"):
            return "签章签名无效 (signature does not verify)", block
        raise
    if not answer.get("SignatureValid"):
        return "签章签名无效 (signature does not verify)", block
    return None, block
