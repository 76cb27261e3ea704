"""电子签章 primitives: a digest signed by the stack's KMS key, the sealed PDF, offline verification.

KMS signs a 32-byte SHA-256 digest as the message (ECDSA P-256 with SHA-256; MessageType RAW, so the
same bytes verify with KMS, with the public key offline, and in moto). In the AWS China regions the
same code works with an SM2 key (KeySpec SM2, algorithm SM2DSA). What is signed is the caller's:
outgoing.sealing signs a 发文's canonical content; the sealed PDF (seal_pdf) carries its own block.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from oa_core.platform.config import client, settings

ALGORITHM = "ECDSA_SHA_256"


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


def verify_digest(value: bytes, signature: str, key_id: str) -> bool:
    """Does KMS say the base64 signature is the key's over this digest? (An invalid one is False, not an error.)"""
    try:
        answer = _kms().verify(
            KeyId=key_id,
            Message=value,
            MessageType="RAW",
            Signature=base64.b64decode(signature),
            SigningAlgorithm=ALGORITHM,
        )
    except ClientError as exc:  # KMS answers an invalid signature with an error, not always False
        if exc.response["Error"]["Code"] in ("KMSInvalidSignatureException", "ValidationException"):
            return False
        raise
    return bool(answer.get("SignatureValid"))


def verify_pdf(data: bytes, key_id: str) -> tuple[str | None, dict[str, Any]]:
    """Check a sealed PDF with KMS (the stack's seal key, not the key the file carries)."""
    problem, block, value = _pdf_digest(data)
    if problem:
        return problem, block
    if not verify_digest(value, str(block.get("signature", "")), key_id):
        return "签章签名无效 (signature does not verify)", block
    return None, block
