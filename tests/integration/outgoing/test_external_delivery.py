"""对外发送 through the 政务协同平台 webhook: HMAC-signed JSON with the sealed PDF, retried with
backoff until the receiver (on 127.0.0.1) accepts it, or dead-lettered when it never does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.platform.audit import AuditItem
from oa_core.publishing.ofdseal import verify_ofd_offline
from oa_core.publishing.seal import verify_pdf_offline
from tests.integration.kit import Api, approve, office_clerk, submit, users_with, wait_status

pytestmark = pytest.mark.integration

FAIL_FIRST = 2
"""The receiver refuses each delivery's first attempts with 503, then accepts."""


class Receiver:
    """A 政务协同平台 stand-in: records every call; its answer depends on the recipient."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                payload = json.loads(body)
                with receiver.lock:
                    receiver.calls.append({"headers": dict(self.headers), "body": body, "payload": payload})
                    seen = sum(1 for c in receiver.calls if c["payload"]["delivery_id"] == payload["delivery_id"])
                code = payload["recipient"]["platform_code"]
                if code == "WJW-001":  # never reachable: every attempt fails
                    self._answer(503, {"error": "维护中"})
                elif not code:  # not on the platform: refused for good
                    self._answer(404, {"error": "收文单位未在平台注册"})
                elif seen <= FAIL_FIRST:
                    self._answer(503, {"error": "繁忙，请稍后重试"})
                else:
                    self._answer(200, {"receipt_id": f"R-{code}-{seen}"})

            def _answer(self, status: int, data: dict[str, str]) -> None:
                text = json.dumps(data, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/inbox"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def calls_for(self, document_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.calls if c["payload"]["document"]["document_id"] == document_id]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture(scope="module")
def stack(receiver: Receiver) -> Iterator[LocalStack]:
    overrides = {
        "DeliveryChannel": "webhook",
        "DeliveryWebhookUrl": receiver.url,
        "DeliveryRetrySeconds": "1",
        "DeliveryMaxAttempts": "4",
    }
    with LocalStack(parameter_overrides=overrides) as running:
        yield running


def issued(api: Api, *recipients: str) -> str:
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter, distribute_to=["zcfgk", *recipients])
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    wait_status(api, doc_id, "archived", drafter)
    return doc_id


def delivery(api: Api, doc_id: str, recipient: str, status: str) -> dict[str, Any]:
    clerk = office_clerk()

    seen: dict[str, Any] = {}

    def reached() -> dict[str, Any] | None:
        seen.update({d["recipient"]: d for d in api.document(doc_id, clerk)["deliveries"]}[recipient])
        return dict(seen) if seen["status"] == status else None

    # After the flow, the delivery retries with backoff (1 + 2 + 4 s for four attempts).
    return dict(
        wait_for(reached, f"delivery of {doc_id} to {recipient} to be {status}", FLOW_SECONDS, saw=lambda: seen)
    )


def test_the_receiver_gets_a_signed_pdf_after_refusing_the_first_attempts(
    stack: LocalStack, receiver: Receiver
) -> None:
    api = Api(stack)
    doc_id = issued(api, "示例市财政局")
    sent = delivery(api, doc_id, "示例市财政局", "sent")
    assert sent["attempts"] == FAIL_FIRST + 1 and sent["via"] == "webhook"
    assert sent["receipt"] == f"R-CZJ-001-{FAIL_FIRST + 1}", "the receiver's 送达回执 is kept"

    calls = receiver.calls_for(doc_id)
    assert len(calls) == FAIL_FIRST + 1
    assert len({c["headers"]["X-OA-Delivery"] for c in calls}) == 1, "one delivery id across retries"
    assert [c["headers"]["X-OA-Attempt"] for c in calls] == ["1", "2", "3"]
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=stack.env["DELIVERY_SECRET_NAME"])
    key = str(secret["SecretString"]).encode()
    for call in calls:
        headers = call["headers"]
        expected = hmac.new(key, headers["X-OA-Timestamp"].encode() + b"." + call["body"], hashlib.sha256)
        assert hmac.compare_digest(headers["X-OA-Signature"], "sha256=" + expected.hexdigest())

    payload = calls[-1]["payload"]
    doc = api.document(doc_id, office_clerk())
    assert payload["document"]["number"] == doc["number"] and payload["recipient"]["name"] == "示例市财政局"
    pdf = base64.b64decode(payload["pdf"]["base64"])
    assert pdf.startswith(b"%PDF-") and hashlib.sha256(pdf).hexdigest() == payload["pdf"]["sha256"]
    problem, seal = verify_pdf_offline(pdf)
    assert problem is None and seal["number"] == doc["number"]
    assert hashlib.sha256(pdf).hexdigest() == doc["pdf_sha256"], "the same PDF as the issued one"
    ofd = base64.b64decode(payload["ofd"]["base64"])
    assert payload["ofd"]["inline"] is True and payload["ofd"]["filename"] == f"{doc['number']}.ofd"
    assert hashlib.sha256(ofd).hexdigest() == payload["ofd"]["sha256"] == doc["ofd_sha256"], "the issued OFD"
    assert verify_ofd_offline(ofd)[0] is None

    # The backoff doubles: the second wait is about twice the first.
    times = [int(c["headers"]["X-OA-Timestamp"]) for c in calls]
    assert times[1] - times[0] >= 1 and times[2] - times[1] >= 2


def test_a_receiver_that_never_answers_puts_the_delivery_on_the_dead_letter_queue(
    stack: LocalStack, receiver: Receiver
) -> None:
    api = Api(stack)
    doc_id = issued(api, "示例市卫生健康委员会", "未登记单位")
    failed = delivery(api, doc_id, "示例市卫生健康委员会", "failed")
    assert failed["attempts"] == 4 and "503" in failed["last_error"]
    refused = delivery(api, doc_id, "未登记单位", "failed")
    assert refused["attempts"] == 1, "a 4xx answer is final: no retry"
    assert "404" in refused["last_error"]

    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=f"{stack.stack_name}-delivery-dlq")["QueueUrl"]

    mine: list[dict[str, Any]] = []

    def dead_letters() -> list[dict[str, Any]] | None:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        found = [json.loads(m["Body"]) for m in messages.get("Messages", [])]
        mine[:] = [m for m in found if m["document_id"] == doc_id]
        return mine if len(mine) == 2 else None

    letters = wait_for(dead_letters, "two dead letters", saw=lambda: f"dead letters of {doc_id}: {mine}")
    assert {m["recipient"] for m in letters} == {"示例市卫生健康委员会", "未登记单位"}
    assert len(receiver.calls_for(doc_id)) == 4 + 1
    trail = [i for i in AuditItem.by_subject.query(f"SUBJECT#{doc_id}") if i.action == "deliver_external"]
    assert sorted(i.outcome for i in trail) == ["error"] * 5 + ["failed"] * 2, "every attempt and the outcome audited"


def test_through_the_platform_an_unregistered_unit_name_is_taken_at_drafting(stack: LocalStack) -> None:
    """The 政务协同平台 routes by the unit's name, so 拟稿 does not refuse a unit it does not list."""
    api = Api(stack)
    doc_id = submit(api, distribute_to=["zcfgk", "示例市未登记局"])
    assert "示例市未登记局" in api.document(doc_id, office_clerk())["distribute_to"]
