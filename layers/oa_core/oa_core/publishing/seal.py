"""电子签章 primitives: a digest signed by the stack's KMS key, the sealed PDF, offline verification.

KMS signs a 32-byte SHA-256 digest as the message, with the algorithm configured for the stack (SEAL_ALGORITHM:
ECDSA_SHA_256 with an ECC_NIST_P256 key in the global regions, SM2DSA with an SM2 key in the AWS China regions;
template.yaml chooses both by partition). MessageType is RAW for both, so KMS hashes the message itself (SHA-256,
or SM3 over Z_A and the message) and the same bytes verify with KMS and offline (`signatures`). Every signature
is stored with its algorithm (the document's seal, seal.json, manifest.sig, the PDF's seal block), and a
verifier checks the one recorded, never the stack's current setting. What is signed is the caller's:
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
from oa_core.publishing.signatures import ALGORITHMS, check, der_from_pem


def digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@cache
def _kms() -> Any:
    return client("kms")


def algorithm() -> str:
    """The stack's seal algorithm (SEAL_ALGORITHM), one KMS offers for its key spec."""
    configured = settings().seal_algorithm
    if configured not in ALGORITHMS:
        raise ValueError(f"不支持的签章算法 (SEAL_ALGORITHM={configured!r}; one of {', '.join(ALGORITHMS)})")
    return configured


def sign_digest(value: bytes) -> str:
    """The base64 signature of the stack's seal key over `value`, by `algorithm()` (record it beside)."""
    response = _kms().sign(KeyId=settings().seal_key_id, Message=value, MessageType="RAW", SigningAlgorithm=algorithm())
    return base64.b64encode(response["Signature"]).decode("ascii")


def public_key_der() -> bytes:
    """The seal key's public half as DER SubjectPublicKeyInfo (what a sealed PDF or OFD carries)."""
    return bytes(_kms().get_public_key(KeyId=settings().seal_key_id)["PublicKey"])


def public_key_pem() -> str:
    """The seal key's public half (PEM), for offline verification of archive packages.

    Asked of KMS each time (once per archived document): the key behind the alias may be replaced.
    """
    der = _kms().get_public_key(KeyId=settings().seal_key_id)["PublicKey"]
    body = base64.encodebytes(der).decode("ascii").replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


def verify_offline(canonical_bytes: bytes, seal: dict[str, Any]) -> str | None:
    """Check a packaged seal (seal.json: digest, signature, algorithm, PEM public key) offline; None when valid,
    else why not."""
    value = digest(canonical_bytes)
    if value.hex() != seal.get("digest"):
        return "canonical.json 与签章摘要不一致 (content changed)"
    try:
        key = der_from_pem(str(seal["public_key"]))
        signature = base64.b64decode(str(seal["signature"]), validate=True)
    except (KeyError, ValueError):
        return "签章公钥或签名无法读取 (unreadable public key or signature)"
    return check(key, signature, value, _recorded(seal.get("algorithm")))


def _recorded(value: Any) -> str | None:
    """The algorithm a seal recorded (None for seals made before it was recorded: the key's type says it)."""
    return None if value in (None, "") else str(value)


# ---------------------------------------------------------------- the sealed PDF
PDF_SEAL_MARKER = b"\n%OA-SEAL "
"""The PDF's seal block: one PDF comment line after the file's %%EOF. PDF readers ignore it; the
signature in it covers every byte before it (the KMS seal key's signature over the PDF's SHA-256, by the
algorithm the block names in "alg"), so a single changed byte anywhere in the PDF fails verification.
The block is JSON, so a signature of any length fits (DER ECDSA and SM2 signatures are 70 to 72 bytes)."""


def seal_pdf(pdf: bytes, info: dict[str, str]) -> bytes:
    """Append the seal block to a rendered PDF: the digest of the PDF, its signature, the public key."""
    value = digest(pdf)
    block = {
        **info,
        "alg": algorithm(),
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
    problem, block, value = _pdf_digest(data)
    if problem:
        return problem, block
    try:
        key = base64.b64decode(str(block["public_key"]), validate=True)
        signature = base64.b64decode(str(block.get("signature", "")), validate=True)
    except (KeyError, ValueError):
        return "签章公钥或签名无法读取 (unreadable public key or signature)", block
    return check(key, signature, value, _recorded(block.get("alg"))), block


def verify_digest(value: bytes, signature: str, key_id: str, signed_with: str | None = None) -> bool:
    """Does KMS say the base64 signature is the key's over this digest, by the algorithm it was made with
    (`signed_with`, else the stack's)? An invalid one is False, not an error."""
    try:
        answer = _kms().verify(
            KeyId=key_id,
            Message=value,
            MessageType="RAW",
            Signature=base64.b64decode(signature),
            SigningAlgorithm=signed_with or algorithm(),
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
    if not verify_digest(value, str(block.get("signature", "")), key_id, _recorded(block.get("alg"))):
        return "签章签名无效 (signature does not verify)", block
    return None, block
