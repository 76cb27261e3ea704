"""Offline checks of a seal key's signature, by algorithm: ECDSA P-256 (cryptography) or SM2 (gmssl).

The stack's seal key is a KMS key: ECC_NIST_P256 signing with ECDSA_SHA_256 in the global regions, SM2 signing with
SM2DSA in the AWS China regions (template.yaml, condition IsChina; SEAL_ALGORITHM). KMS is always asked with
MessageType RAW, so it hashes the message itself: with ECDSA_SHA_256 it signs SHA-256(M); with SM2DSA it signs
SM3(Z_A ‖ M), where Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) with the default distinguishing ID
``1234567812345678`` of GM/T 0009-2012 (KMS takes no other with RAW; AWS KMS developer guide, "Offline verification
with SM2 key pairs"). GetPublicKey gives the public key as DER SubjectPublicKeyInfo (id-ecPublicKey, the curve named
by its OID), Sign a DER SEQUENCE {r, s}, for both algorithms.

Which check applies is read from the key: its curve says the algorithm, and an algorithm recorded with the
signature must agree with it, so a verifier never guesses and a seal never passes under another algorithm.
cryptography does not know the SM2 curve, so the key is parsed here (pycryptodomex's DER codec, which gmssl uses
itself) and the SM2 signature checked with gmssl's SM3 and SM2. The libraries are imported when a check runs: they
are in the PDF layer (Typeset and Archive functions) and on the ops machine, not in every function.
"""

from __future__ import annotations

import base64
from typing import Any

ECDSA_SHA_256 = "ECDSA_SHA_256"
SM2DSA = "SM2DSA"
ALGORITHMS = (ECDSA_SHA_256, SM2DSA)
"""The seal algorithms: KMS's names for them (SigningAlgorithm), as recorded beside every signature."""

ID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
CURVES = {"1.2.840.10045.3.1.7": ECDSA_SHA_256, "1.2.156.10197.1.301": SM2DSA}
"""Named curve (prime256v1, sm2p256v1) -> the algorithm its keys sign with."""
SM2_ORDER = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
"""n of the SM2 curve (GB/T 32918.5): r and s of a signature lie in [1, n-1]."""


def der_from_pem(pem: str) -> bytes:
    """The DER bytes of a PEM public key (what seal.json carries)."""
    body = "".join(line.strip() for line in pem.strip().splitlines() if not line.startswith("-----"))
    return base64.b64decode(body, validate=True)


def public_point(spki: bytes) -> tuple[str, bytes]:
    """(algorithm, uncompressed point) of a DER SubjectPublicKeyInfo; ValueError when it is neither key."""
    from Cryptodome.Util.asn1 import DerBitString, DerObjectId, DerSequence

    try:
        outer: Any = DerSequence().decode(spki, strict=True)
        algorithm: Any = DerSequence().decode(outer[0], strict=True)
        kind = DerObjectId().decode(algorithm[0], strict=True).value
        curve = DerObjectId().decode(algorithm[1], strict=True).value
        point = bytes(DerBitString().decode(outer[1], strict=True).value)
    except (ValueError, IndexError, TypeError, EOFError) as exc:
        raise ValueError(f"not a DER SubjectPublicKeyInfo: {exc}") from exc
    if kind != ID_EC_PUBLIC_KEY or curve not in CURVES:
        raise ValueError(f"not a P-256 or SM2 key (algorithm {kind}, curve {curve})")
    if len(point) != 65 or point[0] != 4:
        raise ValueError("the public key is not an uncompressed curve point")
    return CURVES[curve], point


def check(spki: bytes, signature: bytes, message: bytes, algorithm: str | None = None) -> str | None:
    """Does `signature` (DER) by the key `spki` (DER) hold over `message`, as KMS signs with MessageType RAW?

    None when it holds, else why not (in the words 四性检测 and make verify report). `algorithm`, when the seal
    recorded one, must be the key's own.
    """
    try:
        kind, point = public_point(spki)
    except ValueError:
        return "签章公钥无法读取 (unreadable public key)"
    if algorithm is not None and algorithm != kind:
        return f"签章算法与公钥不符 (seal says {algorithm}, the key signs with {kind})"
    if kind == SM2DSA:
        return _check_sm2(point, signature, message)
    return _check_ecdsa_p256(spki, signature, message)


def _check_ecdsa_p256(spki: bytes, signature: bytes, message: bytes) -> str | None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    key = load_der_public_key(spki)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return "签章公钥类型不对 (not an EC key)"
    try:
        key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return "签章签名无效 (signature does not verify)"
    return None


def _check_sm2(point: bytes, signature: bytes, message: bytes) -> str | None:
    """SM2DSA over SM3(Z_A ‖ message) with the default distinguishing ID (gmssl's verify_with_sm3)."""
    from Cryptodome.Util.asn1 import DerSequence
    from gmssl import sm2

    try:
        pair: Any = DerSequence().decode(signature, strict=True, nr_elements=2, only_ints_expected=True)
        r, s = int(pair[0]), int(pair[1])
    except (ValueError, IndexError, TypeError, EOFError):
        return "签章签名无效 (signature is not DER r, s)"
    if not (0 < r < SM2_ORDER and 0 < s < SM2_ORDER):
        return "签章签名无效 (signature does not verify)"
    verifier = sm2.CryptSM2(private_key="", public_key=point[1:].hex())
    # gmssl strips a leading "04" with str.lstrip, which also eats an x coordinate's own leading 0s and 4s:
    # set the 64-byte x ‖ y itself.
    verifier.public_key = point[1:].hex()
    try:
        valid = verifier.verify_with_sm3(f"{r:064x}{s:064x}", message)
    except (TypeError, ValueError):  # gmssl's point arithmetic meets a point at infinity: not a signature
        valid = False
    return None if valid else "签章签名无效 (signature does not verify)"
