"""The inbound exchange's own checks, without a stack: the signature and the time window (platform.webhooks,
shared by every /exchange/* route), the payload."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest

from oa_core.incoming.exchange import parse
from oa_core.outgoing.delivery import signature
from oa_core.platform.webhooks import MAX_AGE_SECONDS
from oa_core.platform.webhooks import untrusted as authentic

NOW = 1_800_000_000
KEY = "k" * 48
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


def headers(body: bytes, at: int = NOW, key: str = KEY) -> dict[str, str]:
    return {"x-oa-timestamp": str(at), "X-OA-Signature": "sha256=" + signature(key, str(at), body)}


def body(**changes: Any) -> bytes:
    payload: dict[str, Any] = {
        "delivery_id": "d-1",
        "sender": {"name": "示例市教育局", "fonds_code": "JYJ"},
        "recipient": {"name": "示例市人民政府办公室", "platform_code": ""},
        "document": {"document_id": "x", "number": "示教发〔2026〕3号", "doc_type": "通知", "title": "关于…的通知"},
        "pdf": {
            "filename": "a.pdf",
            "sha256": hashlib.sha256(PDF).hexdigest(),
            "base64": base64.b64encode(PDF).decode(),
        },
    }
    payload.update(changes)
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def test_the_senders_own_signature_within_the_window_is_authentic() -> None:
    assert authentic(headers(body()), body(), KEY, NOW + MAX_AGE_SECONDS) is None


@pytest.mark.parametrize(
    ("why", "got"),
    [
        ("timestamp too old", lambda b: authentic(headers(b), b, KEY, NOW + MAX_AGE_SECONDS + 1)),
        ("timestamp in the future", lambda b: authentic(headers(b, at=NOW + 61), b, KEY, NOW)),
        ("bad signature", lambda b: authentic(headers(b, key="other"), b, KEY, NOW)),
        ("bad signature", lambda b: authentic(headers(b), b + b" ", KEY, NOW)),
        ("bad signature", lambda b: authentic({**headers(b), "X-OA-Signature": "md5=00"}, b, KEY, NOW)),
        ("timestamp missing or not unix seconds", lambda b: authentic({}, b, KEY, NOW)),
    ],
)
def test_anything_else_is_not_authentic_and_says_why(why: str, got: Any) -> None:
    assert got(body()) == why


def test_the_payload_our_delivery_sends_parses_to_its_pdf() -> None:
    payload, pdf = parse(body(), "d-1")
    assert pdf == PDF and payload.document.number == "示教发〔2026〕3号"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"[1, 2", "JSON"),
        (body(document={"number": "1"}), "来文内容不完整"),
        (body(pdf={"sha256": "0" * 64, "base64": base64.b64encode(PDF).decode()}), "SHA-256"),
        (
            body(pdf={"sha256": hashlib.sha256(b"GIF8").hexdigest(), "base64": base64.b64encode(b"GIF8").decode()}),
            "不是 PDF",
        ),
        (body(pdf={"sha256": "0" * 64, "base64": "not base64!"}), "base64"),
        (body(delivery_id="d-2"), "X-OA-Delivery"),
    ],
)
def test_a_payload_that_is_not_what_we_accept_is_refused_in_chinese(raw: bytes, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse(raw, "d-1")
