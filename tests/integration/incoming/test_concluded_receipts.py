"""办结回执 closes the loop: a stack (named 示例市教育局) delivers a 通知 to itself through a relay, takes the
收文 to 归档, and then IncomingFlow posts the 办结回执 to the sender's ``/exchange/receipts`` (the relay
again), where the 发文's delivery shows 「已办结（对方收文编号 …）」. The endpoint refuses what is not signed
now with the delivery key (401), what is not a receipt (422), a delivery it does not know (404); the same
receipt twice, one after the other or at once, is one. A sender that keeps failing leaves the 收文
archived, marked 「办结回执未送达」."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.identity.storage import ExternalUnitItem
from oa_core.incoming.storage import IncomingItem
from oa_core.outgoing.storage import DeliveryItem
from oa_core.platform import clock
from oa_core.platform.audit import AuditItem
from oa_core.platform.storage import doc_pk
from tests.integration.incoming.exchange_kit import KEY, Relay, issue_to_unit, relay, relayed_call, signed
from tests.integration.incoming.flow_kit import OFFICE_HEAD, decide, leader, plan, view, wait_incoming
from tests.integration.kit import Api, at_once, office_clerk, users_with
from tests.integration.web.test_no_ids_or_english import problems, visible
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration
__all__ = ["relay"]  # the module's fixtures
UNIT = "示例市教育局"
"""The stack's own name, and the 外部单位 it delivers to: sender and receiver are one stack here."""


@pytest.fixture(scope="module")
def stack(relay: Relay) -> Iterator[LocalStack]:
    overrides = {
        "OrgName": UNIT,
        "DeliveryChannel": "webhook",
        "DeliveryWebhookUrl": relay.url,
        "DeliveryRetrySeconds": "1",
        "DeliveryMaxAttempts": "3",
    }
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OA_LOCAL_SECRET_DeliveryWebhookSecret", KEY)
        env.setenv("OA_LOCAL_SECRET_ExchangeInboundSecret", KEY)
        with LocalStack(parameter_overrides=overrides) as running:
            relay.stack = running
            ExternalUnitItem(
                "ORG", "UNIT#jyj", unit_id="jyj", name=UNIT, platform_code="JYJ-001", receipt_url=relay.receipts_url
            ).save()
            yield running


def received(relay: Relay, document_id: str) -> str:
    """The 收文 our own delivery of ``document_id`` made."""
    delivery = relayed_call(relay, document_id)["headers"]["X-OA-Delivery"]
    return next(i.incoming_id for i in IncomingItem.scan() if i.delivery_id == delivery)


def signed_in(stack: LocalStack, user: str) -> Browser:
    browser = Browser(stack)
    browser.sign_in(user)
    return browser


def through_to_archive(api: Api, incoming_id: str) -> dict[str, Any]:
    clerk = office_clerk()
    decide(api, clerk, incoming_id, "receive", opinion="已签收")
    decide(api, clerk, incoming_id, "register", registration={"deadline": "2099-12-30"})
    decide(api, OFFICE_HEAD, incoming_id, "propose", opinion="拟请政策法规科主办。", plan=plan(assist=[]))
    decide(api, leader(), incoming_id, "instruct", opinion="同意。")
    decide(api, users_with("signer")[1], incoming_id, "read", opinion="已阅。")
    decide(api, "liuyang", incoming_id, "handle", opinion="已办理。")
    decide(api, clerk, incoming_id, "check", opinion="同意归档")
    return wait_incoming(api, incoming_id, "archived")


def to_unit(api: Api, document_id: str) -> dict[str, Any]:
    return next(d for d in api.document(document_id, office_clerk())["deliveries"] if d["recipient"] == UNIT)


def receipt_state(api: Api, incoming_id: str, *states: str) -> dict[str, Any]:
    last: dict[str, Any] = {}

    def reached() -> dict[str, Any] | None:
        last.update(view(api, incoming_id)["concluded_receipt"])
        return last if last["status"] in states else None

    return dict(wait_for(reached, f"办结回执 of {incoming_id} in {states}", FLOW_SECONDS, saw=lambda: str(last)))


def post(stack: LocalStack, body: dict[str, Any] | bytes, delivery: str, **signing: Any) -> tuple[int, Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    answer = stack.invoke_http("POST", "/exchange/receipts", body=raw, headers=signed(raw, delivery, **signing))
    return answer.status, json.loads(answer.body or b"{}")


@pytest.fixture(scope="module")
def concluded(stack: LocalStack, relay: Relay) -> dict[str, Any]:
    """A 通知 delivered to ourselves, its 收文 archived and its 办结回执 recorded on the delivery."""
    api = Api(stack)
    document_id = issue_to_unit(api)
    incoming_id = received(relay, document_id)
    done = through_to_archive(api, incoming_id)
    last: dict[str, Any] = {}

    def shown() -> dict[str, Any] | None:
        last.update(to_unit(api, document_id))
        return last if last["concluded"] else None

    delivery = wait_for(shown, "the 办结回执 on the 发文's delivery", FLOW_SECONDS, saw=lambda: str(last))
    call = next(c for c in relay.calls if c["path"] == "/exchange/receipts")
    return {"document_id": document_id, "incoming": done, "delivery": delivery, "call": call}


def test_after_the_archive_the_sender_shows_it_concluded_with_our_incoming_number_and_date(
    stack: LocalStack, concluded: dict[str, Any]
) -> None:
    api, number = Api(stack), concluded["incoming"]["number"]
    delivery = concluded["delivery"]
    assert number.startswith("收〔") and delivery["concluded_number"] == number, delivery
    today = clock.chinese_date(clock.now())
    assert delivery["concluded"] == f"已办结（对方收文编号 {number}，{today}）", delivery
    page = signed_in(stack, office_clerk()).get(f"/documents/{concluded['document_id']}")
    assert page.status == 200 and delivery["concluded"] in visible(page.text)
    assert not problems("document page", visible(page.text), {concluded["document_id"]})
    state = receipt_state(api, concluded["incoming"]["incoming_id"], "sent")
    assert state["attempts"] == 1 and state["words"] == "办结回执已送达来文单位"
    sent = json.loads(concluded["call"]["body"])
    assert set(sent) == {"delivery_id", "kind", "incoming_number", "concluded_at", "unit"}, sent
    assert concluded["incoming"]["incoming_id"] not in concluded["call"]["body"].decode("utf-8")
    audited = [a for a in AuditItem.scan() if a.action == "concluded_receipt" and a.outcome == "ok"]
    assert [a.target for a in audited] == [concluded["document_id"]], audited


def test_the_same_receipt_again_is_one_and_a_different_second_one_is_409(
    stack: LocalStack, concluded: dict[str, Any]
) -> None:
    sent = json.loads(concluded["call"]["body"])
    status, answer = post(stack, sent, sent["delivery_id"])
    assert status == 200 and answer["recorded_at"], answer
    status, answer = post(stack, {**sent, "incoming_number": "收〔2026〕999号"}, sent["delivery_id"])
    assert status == 409 and "办结回执" in answer["error"]["message"], answer
    assert to_unit(Api(stack), concluded["document_id"])["concluded_number"] == sent["incoming_number"]
    assert sum(1 for a in AuditItem.scan() if a.action == "concluded_receipt" and a.outcome == "ok") == 1


def test_two_posts_of_one_new_receipt_at_once_record_it_once(stack: LocalStack, concluded: dict[str, Any]) -> None:
    sent = json.loads(concluded["call"]["body"])
    item = DeliveryItem.get(doc_pk(concluded["document_id"]), f"DELIVERY#{UNIT}")
    item.update(actions=[DeliveryItem.concluded_at.set(""), DeliveryItem.concluded_number.set("")])
    before = sum(1 for a in AuditItem.scan() if a.action == "concluded_receipt" and a.outcome == "ok")
    results = at_once([lambda: post(stack, sent, sent["delivery_id"]) for _ in range(2)])
    assert sorted(status for status, _ in results) == [200, 201], results
    assert results[0][1] == results[1][1], results
    assert sum(1 for a in AuditItem.scan() if a.action == "concluded_receipt" and a.outcome == "ok") == before + 1


@pytest.mark.parametrize(
    ("case", "shift", "key"), [("bad signature", 0, "another-key"), ("stale", -301, None), ("future", 120, None)]
)
def test_a_receipt_not_signed_now_with_the_delivery_key_is_401_and_changes_nothing(
    stack: LocalStack, concluded: dict[str, Any], case: str, shift: int, key: str | None
) -> None:
    sent = {**json.loads(concluded["call"]["body"]), "incoming_number": "收〔2026〕77号"}
    keyed = {"key": key} if key else {}
    status, answer = post(stack, sent, sent["delivery_id"], at=int(time.time()) + shift, **keyed)
    assert status == 401 and "签名" in answer["error"]["message"], (case, answer)
    assert to_unit(Api(stack), concluded["document_id"])["concluded_number"] != "收〔2026〕77号"


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("another kind", {"kind": "received"}),
        ("no number", {"incoming_number": ""}),
        ("a date without its zone", {"concluded_at": "2026-12-02T10:00:00"}),
        ("header and body disagree", {"delivery_id": "some-other-delivery"}),
    ],
)
def test_a_body_that_is_not_a_concluded_receipt_is_422_in_chinese_and_changes_nothing(
    stack: LocalStack, concluded: dict[str, Any], case: str, change: dict[str, Any]
) -> None:
    sent = json.loads(concluded["call"]["body"])
    status, answer = post(stack, {**sent, **change}, sent["delivery_id"])
    assert status == 422 and answer["error"]["code"] == "invalid_payload", (case, answer)
    assert re.search(r"[\u4e00-\u9fff]", answer["error"]["message"]), answer
    assert to_unit(Api(stack), concluded["document_id"])["concluded_number"] == sent["incoming_number"]


@pytest.mark.parametrize(
    ("case", "change"),
    [("unknown delivery", {"delivery_id": "D0000000000-0123456789abcdef"}), ("another unit", {"unit": "示例市财政局"})],
)
def test_a_receipt_for_a_delivery_we_did_not_make_to_that_unit_is_404_and_says_no_more(
    stack: LocalStack, concluded: dict[str, Any], case: str, change: dict[str, Any]
) -> None:
    sent = {**json.loads(concluded["call"]["body"]), **change}
    status, answer = post(stack, sent, sent["delivery_id"])
    assert status == 404, (case, answer)
    assert answer["error"]["message"] == "未找到与该回执对应的对外发送记录，回执未被接收"


def test_a_sender_that_keeps_failing_leaves_the_incoming_archived_and_marked_undelivered(
    stack: LocalStack, relay: Relay, concluded: dict[str, Any]
) -> None:
    api = Api(stack)
    document_id = issue_to_unit(api, title="关于做好2026年冬季校园防火工作的通知")
    incoming_id = received(relay, document_id)
    relay.failing["/exchange/receipts"] = 503
    try:
        done = through_to_archive(api, incoming_id)
        state = receipt_state(api, incoming_id, "failed")
    finally:
        relay.failing.clear()
    assert done["status"] == "archived" and done["handling"]["archive_code"]
    assert state["words"] == "办结回执未送达" and state["attempts"] == 3, state
    assert "状态码 503" in state["error"] and "维护中" in state["error"], state
    assert view(api, incoming_id)["status"] == "archived"
    history = view(api, incoming_id)["history"]
    assert any(h["step_name"] == "办结回执" and h["decision_name"] == "未送达" for h in history), history
    page = signed_in(stack, office_clerk()).get(f"/incoming/{incoming_id}")
    assert page.status == 200 and "办结回执未送达" in visible(page.text)
    assert not problems("incoming page", visible(page.text), {incoming_id})
    assert to_unit(api, document_id)["concluded"] == ""
    attempts = [c for c in relay.calls if c["path"] == "/exchange/receipts" and c["status"] == 503]
    assert len(attempts) == 3 and {c["headers"]["X-OA-Attempt"] for c in attempts} == {"1", "2", "3"}
