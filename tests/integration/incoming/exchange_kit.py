"""Exchange test kit: a local stack that delivers its own 对外发送 to its own /exchange/inbound.

The stack's DeliveryFlow posts to a relay on 127.0.0.1 (DeliveryWebhookUrl), which keeps each call and
hands it, bytes and headers as sent, to the same stack's ``POST /exchange/inbound``; its answer goes
back to the sender. Both secrets are one key (OA_LOCAL_SECRET_<LogicalId>), as two units agree on one.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.platform.signing import signature
from tests.integration.kit import Api, approve, submit, users_with, wait_status

KEY = "shared-exchange-key-for-tests"
DOWN = json.dumps({"error": {"code": "unavailable", "message": "维护中"}}, ensure_ascii=False).encode("utf-8")
RELAYED = ("Content-Type", "X-OA-Delivery", "X-OA-Attempt", "X-OA-Timestamp", "X-OA-Signature")


class Relay:
    """The webhook receiver: records each call and passes it to the stack's endpoint of the same path
    (``/exchange/inbound``, ``/exchange/receipts``); ``failing`` makes it answer that status instead."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.stack: LocalStack | None = None
        self.failing: dict[str, int] = {}
        """path → the status the relay answers itself, as a remote that is down would."""
        self.lock = threading.Lock()
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name: self.headers[name] for name in RELAYED if self.headers[name] is not None}
                assert relay.stack is not None
                path = self.path if self.path.startswith("/exchange/") else "/exchange/inbound"
                if path in relay.failing:
                    status, data = relay.failing[path], DOWN
                else:
                    answer = relay.stack.invoke_http("POST", path, body=body, headers=headers)
                    status, data = answer.status, answer.body
                with relay.lock:
                    relay.calls.append({"path": path, "headers": headers, "body": body, "status": status})
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/exchange/inbound"
        self.receipts_url = f"http://127.0.0.1:{self.server.server_address[1]}/exchange/receipts"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def relay() -> Iterator[Relay]:
    running = Relay()
    yield running
    running.close()


@pytest.fixture(scope="module")
def stack(relay: Relay) -> Iterator[LocalStack]:
    overrides = {"DeliveryChannel": "webhook", "DeliveryWebhookUrl": relay.url, "DeliveryRetrySeconds": "1"}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OA_LOCAL_SECRET_DeliveryWebhookSecret", KEY)
        env.setenv("OA_LOCAL_SECRET_ExchangeInboundSecret", KEY)
        with LocalStack(parameter_overrides=overrides) as running:
            relay.stack = running
            yield running


def issue_to_unit(api: Api, unit: str = "示例市教育局", title: str = "关于开展2026年度校园安全检查的通知") -> str:
    """A 通知 drafted, reviewed, signed and archived, delivered by webhook to ``unit``."""
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter, distribute_to=["zcfgk", unit], title=title)
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    wait_status(api, doc_id, "archived", drafter)
    return doc_id


def relayed_call(relay: Relay, document_id: str) -> dict[str, Any]:
    """The first call our DeliveryFlow made for a document (headers and body as it sent them)."""

    def found() -> dict[str, Any] | None:
        with relay.lock:
            return next(
                (
                    c
                    for c in relay.calls
                    if c["path"] == "/exchange/inbound"
                    and json.loads(c["body"])["document"]["document_id"] == document_id
                ),
                None,
            )

    return dict(
        wait_for(found, f"the webhook call for {document_id}", FLOW_SECONDS, saw=lambda: f"{len(relay.calls)} calls")
    )


def signed(body: bytes, delivery: str, *, at: int | None = None, key: str = KEY) -> dict[str, str]:
    """Headers as our DeliveryFlow signs a call (platform.signing), at ``at`` (default: now)."""
    stamp = str(int(time.time()) if at is None else at)
    return {
        "Content-Type": "application/json; charset=utf-8",
        "X-OA-Delivery": delivery,
        "X-OA-Attempt": "1",
        "X-OA-Timestamp": stamp,
        "X-OA-Signature": "sha256=" + signature(key, stamp, body),
    }
