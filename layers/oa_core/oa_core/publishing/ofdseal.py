"""The OFD's 电子签章: GB/T 33190-2016 §18 signatures with the PDF seal's digest scheme (`seal`).

``Doc_0/Signs/Signatures.xml`` lists one signature of Type Seal; its ``Sign_0/Signature.xml`` names the provider,
the signature method (the OID of the KMS algorithm: ecdsa-with-SHA256 or SM2-with-SM3), the check method
(SHA-256) with the SHA-256 of every other file of the package (References, base64 CheckValues), and the Stamp
annotation the seal appears as (StampAnnot: page, annotation id, boundary). The KMS seal key then signs the
SHA-256 of Signature.xml exactly as it signs a PDF's (MessageType RAW), and ``SignedValue.dat`` holds that
signature as the PDF's seal block does: JSON with "alg", "sha256", "signature", "public_key" and who sealed.
So the signature covers every file, and a single changed byte in any of them fails verification: a changed
file no longer matches its CheckValue, a changed Signature.xml no longer matches the signed digest, and a
changed compressed byte fails the ZIP's CRC. (GB/T 38540's SES_Signature structure is not used: the seal key is
a KMS key without a certificate; the decision log says so.)
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from oa_core.publishing.ofd import SIGNATURES, package, stamp_annots, unpack
from oa_core.publishing.signatures import ECDSA_SHA_256, SM2DSA, check

SIGN_DIR = "Doc_0/Signs/Sign_0"
SIGNATURE = f"{SIGN_DIR}/Signature.xml"
SIGNED_VALUE = f"{SIGN_DIR}/SignedValue.dat"
SIGNATURE_METHODS = {ECDSA_SHA_256: "1.2.840.10045.4.3.2", SM2DSA: "1.2.156.10197.1.501"}
"""The KMS algorithm -> the OID Signature.xml names it by (ecdsa-with-SHA256; SM2 签名 with SM3)."""
SHA256_OID = "2.16.840.1.101.3.4.2.1"
NS = "http://www.ofdspec.org/2016"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def signature_xml(files: Mapping[str, bytes], alg: str, sealed_at: str) -> bytes:
    """Signature.xml over the package's files (all but the signature's own two)."""
    refs = "".join(
        f'<ofd:Reference FileRef="/{name}"><ofd:CheckValue>{_b64(hashlib.sha256(data).digest())}</ofd:CheckValue>'
        "</ofd:Reference>"
        for name, data in sorted(files.items())
        if name not in (SIGNATURE, SIGNED_VALUE)
    )
    stamps = "".join(
        f'<ofd:StampAnnot ID="{index}" PageRef="{page}" Boundary="{boundary}"/>'
        for index, (page, _annot, boundary) in enumerate(stamp_annots(files), start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Signature xmlns:ofd="{NS}"><ofd:SignedInfo>'
        '<ofd:Provider ProviderName="oa-system" Version="1.0" Company="oa-system"/>'
        f"<ofd:SignatureMethod>{SIGNATURE_METHODS[alg]}</ofd:SignatureMethod>"
        f"<ofd:SignatureDateTime>{sealed_at}</ofd:SignatureDateTime>"
        f'<ofd:References CheckMethod="{SHA256_OID}">{refs}</ofd:References>{stamps}'
        "</ofd:SignedInfo><ofd:SignedValue>/Doc_0/Signs/Sign_0/SignedValue.dat</ofd:SignedValue></ofd:Signature>"
    ).encode()


def seal_ofd(files: Mapping[str, bytes], info: Mapping[str, str]) -> bytes:
    """The OFD package, signed by the stack's seal key (KMS): `info` says who sealed, as the PDF's block."""
    from oa_core.publishing import seal

    alg = seal.algorithm()
    signed = dict(files)
    signed[SIGNATURES] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Signatures xmlns:ofd="{NS}"><ofd:MaxSignId>1</ofd:MaxSignId>'
        '<ofd:Signature ID="1" Type="Seal" BaseLoc="Sign_0/Signature.xml"/></ofd:Signatures>'
    ).encode()
    signed[SIGNATURE] = signature_xml(signed, alg, str(info.get("sealed_at", "")))
    value = seal.digest(signed[SIGNATURE])
    block = {
        **info,
        "alg": alg,
        "sha256": value.hex(),
        "signature": seal.sign_digest(value),
        "public_key": _b64(seal.public_key_der()),
    }
    signed[SIGNED_VALUE] = json.dumps(block, sort_keys=True, separators=(",", ":")).encode("ascii")
    return package(signed)


def verify_ofd_offline(data: bytes) -> tuple[str | None, dict[str, Any]]:
    """Check a sealed OFD with the public key it carries: (None, block) when intact, else (why not, block)."""
    try:
        files = unpack(data)
    except ValueError:
        return "OFD 文件无法读取，可能已被改动 (not a readable OFD package)", {}
    try:
        block = json.loads(files[SIGNED_VALUE].decode("ascii"))
        signature_file = files[SIGNATURE]
    except (KeyError, UnicodeDecodeError, ValueError):
        return "OFD 没有电子签章，或签章已损坏 (no readable signature)", {}
    if not isinstance(block, dict):
        return "OFD 没有电子签章，或签章已损坏 (no readable signature)", {}
    value = hashlib.sha256(signature_file).digest()
    if value.hex() != block.get("sha256"):
        return "OFD 签名文件与签章摘要不一致，可能已被改动 (Signature.xml changed)", block
    problem = _check_references(files, signature_file.decode("utf-8", "replace"))
    if problem:
        return problem, block
    try:
        key = base64.b64decode(str(block["public_key"]), validate=True)
        signature = base64.b64decode(str(block.get("signature", "")), validate=True)
    except (KeyError, ValueError):
        return "签章公钥或签名无法读取 (unreadable public key or signature)", block
    alg = block.get("alg")
    return check(key, signature, value, None if alg in (None, "") else str(alg)), block


def _check_references(files: Mapping[str, bytes], signature_file: str) -> str | None:
    refs = dict(re.findall(r'FileRef="/([^"]+)"><ofd:CheckValue>([^<]+)</ofd:CheckValue>', signature_file))
    covered = {name for name in files if name not in (SIGNATURE, SIGNED_VALUE)}
    if set(refs) != covered:
        return "OFD 的文件与签名所列不一致，可能已被增删 (files added or removed)"
    for name in sorted(covered):
        if _b64(hashlib.sha256(files[name]).digest()) != refs[name]:
            return f"OFD 内容与签章摘要不一致，可能已被改动 (content changed: {name})"
    return None
