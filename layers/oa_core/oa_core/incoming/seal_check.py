"""The received PDF's 电子签章, checked as ``make verify`` checks an issued PDF (publishing.seal), and
the signer's key compared with the one pinned for the 外部单位 in the organisation file.

A bad or missing seal does not refuse the 收文: the 文书 sees the result and decides. The key's
fingerprint is SHA-256 over its DER SubjectPublicKeyInfo; shown, as make verify prints it, as its
first 16 hex digits. A pin (``seal_key_fingerprint`` of an external unit) of 16 or 64 hex digits
(colons and spaces ignored) matches when the fingerprint starts with it.
"""

from __future__ import annotations

import base64
import hashlib
import re

from oa_core.incoming.models import SealCheck

SHOWN_DIGITS = 16


def normalised_pin(pin: str) -> str:
    return re.sub(r"[\s:]", "", pin or "").lower()


def check(pdf: bytes, pinned: str = "") -> SealCheck:
    """The seal of ``pdf``; ``pinned``: the sender's pinned key fingerprint (empty: none)."""
    from oa_core.publishing.seal import verify_pdf_offline

    problem, block = verify_pdf_offline(pdf)
    full = ""
    try:
        if block.get("public_key"):
            full = hashlib.sha256(base64.b64decode(str(block["public_key"]), validate=True)).hexdigest()
    except ValueError:
        full = ""
    pin = normalised_pin(pinned)
    if not pin:
        state = "unpinned"
    else:
        state = "match" if full and len(pin) >= SHOWN_DIGITS and full.startswith(pin) else "mismatch"
    return SealCheck(
        valid=problem is None,
        reason=_chinese(problem or ""),
        signer=str(block.get("signer_name") or block.get("signed_by") or "")[:100],
        signed_number=str(block.get("number") or "")[:60],
        fingerprint=full[:SHOWN_DIGITS],
        algorithm=str(block.get("alg") or "")[:20],
        pinned=state,  # type: ignore[arg-type]
    )


def _chinese(problem: str) -> str:
    """The verifier's reason without its English gloss (people read it)."""
    return re.sub(r"\s*\([^()]*[A-Za-z][^()]*\)\s*$", "", problem).strip()
