"""附件 in 对外发送 by webhook: the payload keeps every field it had and adds ``attachments``, small files inline
(base64 + SHA-256), a file beyond the budget as a short-lived presigned link the receiver fetches and checks."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from tests.integration.kit import Api, approve, draft, users_with, wait_status
from tests.integration.outgoing.attachment_kit import reserve_id, upload
from tests.support import sample_files as files

pytestmark = pytest.mark.integration
LARGE = files.png() + bytes(5 * 1024 * 1024)
"""A picture of 5 MB: beyond the 4 MiB inline budget with the PDF."""


class Receiver:
    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.payloads.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                text = b'{"receipt_id": "R-1"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/inbox"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture(scope="module")
def stack(receiver: Receiver) -> Iterator[LocalStack]:
    with LocalStack(parameter_overrides={"DeliveryChannel": "webhook", "DeliveryWebhookUrl": receiver.url}) as running:
        yield running


def test_the_webhook_payload_carries_the_attachments_inline_or_as_a_link_beyond_the_budget(
    stack: LocalStack, receiver: Receiver
) -> None:
    api, doc, me = Api(stack), reserve_id(), users_with("drafter")[0]
    small = files.pdf("plan")
    assert upload(api, stack, doc, me, "实施方案.pdf", small)[0] == 201
    assert upload(api, stack, doc, me, "现场照片.png", LARGE)[0] == 201
    status, body = api.call("POST", "/api/documents", me, draft(document_id=doc, distribute_to=["示例市财政局"]))
    assert status == 201, body
    approve(api, users_with("reviewer")[0], doc, "review")
    approve(api, users_with("signer")[0], doc, "sign")
    wait_status(api, doc, "archived", me)
    payload = wait_for(
        lambda: next((p for p in receiver.payloads if p["document"]["document_id"] == doc), None),
        f"the delivery of {doc} at the receiver",
        FLOW_SECONDS,
    )
    assert {"delivery_id", "sender", "recipient", "document", "pdf"} <= set(payload), "the fields it always had"
    assert set(payload["pdf"]) == {"filename", "sha256", "base64"}
    inline, linked = payload["attachments"]
    assert (inline["no"], inline["title"], inline["filename"], inline["content_type"]) == (
        1,
        "实施方案",
        "实施方案.pdf",
        "application/pdf",
    )
    assert base64.b64decode(inline["base64"]) == small and inline["sha256"] == hashlib.sha256(small).hexdigest()
    assert "base64" not in linked and linked["size"] == len(LARGE) and linked["url_expires_at"]
    url = urlsplit(linked["url"])
    fetched = stack.invoke_http("GET", f"{url.path}?{url.query}")
    assert fetched.status == 200 and hashlib.sha256(fetched.body).hexdigest() == linked["sha256"]
    assert "X-Amz-Expires=3600" in url.query, "a short-lived link"
