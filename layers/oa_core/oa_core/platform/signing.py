"""The exchange signature between two units' systems: HMAC-SHA256 over ``<timestamp>.<body>``.

One definition of the wire format for both sides: 对外发送 signs its webhook call with it
(outgoing.delivery) and 收文 from another unit's system checks it (incoming.exchange), in constant
time. The header carries it as ``X-OA-Signature: sha256=<hex>``.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_PREFIX = "sha256="


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``<timestamp>.<body>``, hex: what the receiver recomputes to trust the call."""
    return hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """Is ``header`` (``sha256=<hex>``) the signature of this timestamp and body? Constant-time."""
    if not secret or not header.startswith(SIGNATURE_PREFIX):
        return False
    try:
        expected = signature(secret, timestamp, body)
    except UnicodeEncodeError:  # a timestamp that is not ASCII is no timestamp we signed
        return False
    return hmac.compare_digest(expected.encode("ascii"), header[len(SIGNATURE_PREFIX) :].encode("utf-8", "replace"))
