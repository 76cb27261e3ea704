"""POST /exchange/inbound takes exactly what our own 对外发送 sends: a stack delivers a 通知 to itself,
and the endpoint refuses bad signatures, stale or future timestamps and bad payloads, storing nothing,
and takes a repeated delivery (one after the other, or two at once) as one 收文 with one receipt."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.identity.storage import ExternalUnitItem
from oa_core.incoming.storage import ExchangeReceiptItem, IncomingItem
from oa_core.platform.audit import AuditItem
from oa_core.platform.storage import RecordItem
from tests.integration.incoming.exchange_kit import Relay, issue_to_unit, relay, relayed_call, signed, stack
from tests.integration.kit import Api, at_once, office_clerk

pytestmark = pytest.mark.integration
__all__ = ["relay", "stack"]  # the module's fixtures


def post(stack: LocalStack, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    answer = stack.invoke_http("POST", "/exchange/inbound", body=body, headers=headers)
    return answer.status, json.loads(answer.body or b"{}")


def stored_count() -> int:
    return sum(1 for item in RecordItem.scan() if isinstance(item, IncomingItem | ExchangeReceiptItem))


def with_pdf(call: dict[str, Any], pdf: bytes, delivery: str, *, digest: str | None = None) -> bytes:
    payload = json.loads(call["body"])
    payload["delivery_id"] = delivery
    payload["pdf"]["base64"] = base64.b64encode(pdf).decode("ascii")
    payload["pdf"]["sha256"] = digest or hashlib.sha256(pdf).hexdigest()
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@pytest.fixture(scope="module")
def delivered(stack: LocalStack, relay: Relay) -> dict[str, Any]:
    """Our own 通知, delivered by our DeliveryFlow through the relay: the call and the sender's record."""
    api = Api(stack)
    doc_id = issue_to_unit(api)
    call = relayed_call(relay, doc_id)
    clerk = office_clerk()

    def receipt() -> str | None:
        deliveries = {d["recipient"]: d for d in api.document(doc_id, clerk)["deliveries"]}
        entry = deliveries["示例市教育局"]
        return str(entry["receipt"]) if entry["status"] == "sent" else None

    return {"doc_id": doc_id, "call": call, "receipt": wait_for(receipt, "the 送达回执 on the sender", FLOW_SECONDS)}


def test_our_own_webhook_call_is_accepted_and_its_receipt_recorded_by_the_sender(
    stack: LocalStack, delivered: dict[str, Any]
) -> None:
    api, clerk = Api(stack), office_clerk()
    assert delivered["call"]["status"] == 201
    status, listed = api.call("GET", "/api/incoming?status=receiving", clerk)
    assert status == 200
    item = next(i for i in IncomingItem.scan() if i.receipt_id == delivered["receipt"])
    assert any(i["incoming_id"] == item.incoming_id for i in listed), listed
    status, one = api.call("GET", f"/api/incoming/{item.incoming_id}", clerk)
    assert status == 200, one
    issued = api.document(delivered["doc_id"], clerk)
    assert one["sender_number"] == issued["number"] and one["title"] == issued["title"]
    assert one["source"] == "exchange" and one["receipt_id"] == delivered["receipt"]
    assert one["seal"]["valid"] is True and len(one["seal"]["fingerprint"]) == 16
    assert one["seal"]["pinned"] == "unpinned"
    file = stack.invoke_http("GET", f"/api/incoming/{item.incoming_id}/file", user_id=clerk)
    assert file.status == 200 and hashlib.sha256(file.body).hexdigest() == one["file_sha256"]


def test_the_same_delivery_again_is_the_same_receipt_and_one_incoming(
    stack: LocalStack, delivered: dict[str, Any]
) -> None:
    call = delivered["call"]
    before = stored_count()
    status, answer = post(stack, call["body"], signed(call["body"], call["headers"]["X-OA-Delivery"]))
    assert (status, answer) == (200, {"receipt_id": delivered["receipt"]})
    assert stored_count() == before


def test_two_calls_of_one_new_delivery_at_once_make_one_incoming_with_one_receipt(
    stack: LocalStack, delivered: dict[str, Any]
) -> None:
    call = delivered["call"]
    body = with_pdf(call, base64.b64decode(json.loads(call["body"])["pdf"]["base64"]), "race-1")
    before = stored_count()
    results = at_once([lambda: post(stack, body, signed(body, "race-1")) for _ in range(2)])
    assert sorted(status for status, _ in results) == [200, 201], results
    assert results[0][1] == results[1][1] and results[0][1]["receipt_id"]
    assert stored_count() == before + 2  # one 收文 and its one receipt


@pytest.mark.parametrize(
    ("case", "shift", "key"),
    [("bad signature", 0, "another-key"), ("stale", -301, None), ("future", 120, None)],
)
def test_a_call_not_signed_now_with_our_key_is_401_and_stores_nothing(
    stack: LocalStack, delivered: dict[str, Any], case: str, shift: int, key: str | None
) -> None:
    body = delivered["call"]["body"].replace(b'"delivery_id":"', b'"delivery_id":"x-' + case.encode()[:3], 1)
    delivery = json.loads(body)["delivery_id"]
    headers = signed(body, delivery, at=int(time.time()) + shift, **({"key": key} if key else {}))
    before = stored_count()
    status, answer = post(stack, body, headers)
    assert status == 401, (case, answer)
    assert "签名" in answer["error"]["message"] and stored_count() == before


@pytest.mark.parametrize(
    "case", ["not json", "no title", "digest mismatch", "not a pdf", "too large", "other delivery"]
)
def test_a_signed_bad_payload_is_422_in_chinese_and_stores_nothing(
    stack: LocalStack, delivered: dict[str, Any], case: str
) -> None:
    call = delivered["call"]
    pdf = base64.b64decode(json.loads(call["body"])["pdf"]["base64"])
    delivery = f"bad-{case.replace(' ', '-')}"
    body = {
        "not json": b"{not json",
        "no title": with_pdf(call, pdf, delivery).replace(b'"title":', b'"untitled":', 1),
        "digest mismatch": with_pdf(call, pdf, delivery, digest="0" * 64),
        "not a pdf": with_pdf(call, b"GIF89a" + pdf[6:], delivery),
        "too large": with_pdf(call, pdf + b"\0" * (3 * 1024 * 1024), delivery),
        "other delivery": with_pdf(call, pdf, "someone-else"),
    }[case]
    before = stored_count()
    status, answer = post(stack, body, signed(body, delivery))
    assert status == 422, (case, answer)
    message = answer["error"]["message"]
    assert re.search(r"[\u4e00-\u9fff]{4}", message) and "Error" not in message, message
    assert stored_count() == before


def test_a_tampered_pdf_is_received_with_its_seal_invalid_and_a_pinned_key_mismatch_is_flagged(
    stack: LocalStack, delivered: dict[str, Any]
) -> None:
    call = delivered["call"]
    sender = json.loads(call["body"])["sender"]["name"]
    ExternalUnitItem("ORG", "UNIT#self", unit_id="self", name=sender, seal_key_fingerprint="00" * 8).save()
    pdf = bytearray(base64.b64decode(json.loads(call["body"])["pdf"]["base64"]))
    pdf[200] ^= 0x01
    body = with_pdf(call, bytes(pdf), "tampered-1")
    status, answer = post(stack, body, signed(body, "tampered-1"))
    assert status == 201, answer
    item = next(i for i in IncomingItem.scan() if i.receipt_id == answer["receipt_id"])
    status, one = Api(stack).call("GET", f"/api/incoming/{item.incoming_id}", office_clerk())
    assert one["seal"]["valid"] is False and "改动" in one["seal"]["reason"]
    assert one["seal"]["pinned"] == "mismatch"
    audit = [a for a in AuditItem.scan() if a.target == item.incoming_id and a.action == "exchange_inbound"]
    assert audit and sender in audit[0].actor


def _task(api: Api, clerk: str, incoming_id: str, step: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        return next((t for t in api.tasks(clerk) if t["document_id"] == incoming_id and t["step"] == step), None)

    return dict(wait_for(found, f"the {step} task of {incoming_id}", FLOW_SECONDS, saw=lambda: str(api.tasks(clerk))))


def test_signing_for_and_registering_two_at_once_numbers_them_without_a_gap(
    stack: LocalStack, delivered: dict[str, Any]
) -> None:
    api, clerk, call = Api(stack), office_clerk(), delivered["call"]
    pdf = base64.b64decode(json.loads(call["body"])["pdf"]["base64"])
    arrived = []
    for delivery in ("register-1", "register-2"):
        body = with_pdf(call, pdf, delivery)
        status, answer = post(stack, body, signed(body, delivery))
        assert status == 201, answer
        arrived.append(next(i.incoming_id for i in IncomingItem.scan() if i.receipt_id == answer["receipt_id"]))
    for incoming_id in arrived:
        receive = _task(api, clerk, incoming_id, "receive")
        assert api.decide(receive["task_id"], clerk, "approve", "已签收")[0] == 200
        assert api.decide(receive["task_id"], clerk, "approve", "")[0] == 409
    tasks = [_task(api, clerk, incoming_id, "register") for incoming_id in arrived]
    registration = {"copies": 2, "deadline": "2026-12-31", "classification": "非密"}

    def register(task: dict[str, Any]) -> Callable[[], tuple[int, Any]]:
        return lambda: api.decide(task["task_id"], clerk, "approve", "", registration=registration)

    results = at_once([register(t) for t in tasks])
    assert [status for status, _ in results] == [200, 200], results
    year = time.localtime().tm_year
    views = [api.call("GET", f"/api/incoming/{incoming_id}", clerk)[1] for incoming_id in arrived]
    assert sorted(v["number"] for v in views) == [f"收〔{year}〕1号", f"收〔{year}〕2号"]
    # 登记 leaves it 已登记; IncomingFlow opens 拟办 (待拟办) right after.
    assert all(v["status"] in ("registered", "proposing") for v in views), views
    assert all(v["copies"] == 2 and v["deadline"] == "2026-12-31" for v in views)
    status, answer = api.decide(tasks[0]["task_id"], clerk, "approve", "", registration={"classification": "秘密"})
    assert status == 422 and "涉密" in answer["error"]["message"]


@pytest.mark.parametrize(("pin", "state"), [("right", "match"), ("wrong", "mismatch")])
def test_the_incoming_page_says_whether_the_seal_key_is_the_one_pinned_for_the_sender(
    stack: LocalStack, delivered: dict[str, Any], pin: str, state: str
) -> None:
    from oa_core.incoming import seal_check
    from oa_core.web.incoming import PINNED
    from tests.integration.web.webkit import Browser

    call = delivered["call"]
    sender = json.loads(call["body"])["sender"]["name"]
    pdf = base64.b64decode(json.loads(call["body"])["pdf"]["base64"])
    fingerprint = seal_check.check(pdf).fingerprint
    assert len(fingerprint) == 16, fingerprint
    pinned = fingerprint.upper() if pin == "right" else "ff" * 8  # a pin in capitals matches as well
    ExternalUnitItem("ORG", "UNIT#self", unit_id="self", name=sender, seal_key_fingerprint=pinned).save()
    delivery = f"pinned-{pin}-1"
    body = with_pdf(call, pdf, delivery)
    status, answer = post(stack, body, signed(body, delivery))
    assert status == 201, answer
    item = next(i for i in IncomingItem.scan() if i.receipt_id == answer["receipt_id"])
    assert item.seal_valid and item.seal_pinned == state
    browser = Browser(stack)
    browser.sign_in(office_clerk())
    page = browser.get(f"/incoming/{item.incoming_id}")
    assert page.status == 200, page.text
    shown = re.search(r'id="seal-pinned"[^>]*>(.*?)</td>', page.text, re.S)
    assert shown and PINNED[state] in shown.group(1), page.text
    assert ("error-text" in shown.group(0)) == (state == "mismatch")
    assert fingerprint in page.text
