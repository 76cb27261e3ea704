"""收文 flow test kit: a local stack whose /exchange/inbound takes our signed deliveries, and the steps
签收 → 登记 → 拟办 → 批办 driven through the JSON API as the people of the demo organisation."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import LocalStack
from oa_core.incoming.storage import IncomingItem
from tests.integration.incoming.exchange_kit import KEY, signed
from tests.integration.kit import Api, office_clerk, users_with

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
OFFICE_HEAD = "wangfang"
"""王芳: the 办公室's reviewer, its 负责人, who 拟办s."""


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OA_LOCAL_SECRET_ExchangeInboundSecret", KEY)
        with LocalStack() as running:
            yield running


def arrive(stack: LocalStack, title: str = "关于报送2026年度教育统计数据的通知", pdf: bytes = PDF) -> str:
    """One 收文 from 示例市教育局 through POST /exchange/inbound, signed with the shared key."""
    delivery = f"flow-{secrets.token_hex(6)}"
    payload = {
        "delivery_id": delivery,
        "sender": {"name": "示例市教育局"},
        "document": {"title": title, "number": "示例教发〔2026〕12号", "doc_type": "通知"},
        "pdf": {
            "filename": "来文.pdf",
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "base64": base64.b64encode(pdf).decode(),
        },
    }
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    answer = stack.invoke_http("POST", "/exchange/inbound", body=body, headers=signed(body, delivery))
    assert answer.status == 201, answer.body
    receipt = json.loads(answer.body)["receipt_id"]
    return next(i.incoming_id for i in IncomingItem.scan() if i.receipt_id == receipt)


def task_of(api: Api, user: str, incoming_id: str, step: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        return next((t for t in api.tasks(user) if t["document_id"] == incoming_id and t["step"] == step), None)

    return dict(
        wait_for(found, f"the {step} task of {user} on {incoming_id}", FLOW_SECONDS, saw=lambda: str(api.tasks(user)))
    )


def view(api: Api, incoming_id: str, user: str | None = None) -> dict[str, Any]:
    status, body = api.call("GET", f"/api/incoming/{incoming_id}", user or office_clerk())
    assert status == 200, body
    return dict(body)


def wait_incoming(api: Api, incoming_id: str, status: str) -> dict[str, Any]:
    last: dict[str, Any] = {}

    def reached() -> dict[str, Any] | None:
        last.update(view(api, incoming_id))
        return last if last["status"] == status else None

    return dict(wait_for(reached, f"{incoming_id} to be {status}", FLOW_SECONDS, saw=lambda: str(last.get("status"))))


def decide(
    api: Api, user: str, incoming_id: str, step: str, decision: str = "approve", opinion: str = "", **extra: Any
) -> Any:
    task = task_of(api, user, incoming_id, step)
    status, body = api.decide(task["task_id"], user, decision, opinion, **extra)
    assert status == 200, body
    return body


def leader() -> str:
    return users_with("signer")[0]


def plan(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "leader": leader(),
        "lead": {"department": "zcfgk", "deadline": "2099-12-31"},
        "assist": [{"department": "zhk"}],
        "readers": [users_with("signer")[1]],
    }
    return {**body, **overrides}


def registered(api: Api, stack: LocalStack, title: str = "关于报送2026年度教育统计数据的通知", pdf: bytes = PDF) -> str:
    """A 收文 signed for and registered (办理时限 2099-12-30), waiting for 拟办."""
    incoming_id = arrive(stack, title, pdf)
    clerk = office_clerk()
    decide(api, clerk, incoming_id, "receive", opinion="已签收")
    decide(api, clerk, incoming_id, "register", registration={"deadline": "2099-12-30"})
    return incoming_id


def instructed(api: Api, stack: LocalStack, **overrides: Any) -> str:
    """A 收文 through 拟办 and 批办, its 承办 and 传阅 tasks open."""
    incoming_id = registered(api, stack)
    decide(api, OFFICE_HEAD, incoming_id, "propose", opinion="拟请政策法规科主办，综合科协办。", plan=plan(**overrides))
    decide(api, leader(), incoming_id, "instruct", opinion="同意。请按时办理。")
    return incoming_id


def email_of(user_id: str) -> str:
    from oa_core.identity import directory

    user = directory.get_user(user_id)
    assert user
    return str(user["email"])


def link_path(stack: LocalStack, user_id: str, title: str, kind: str) -> str:
    """The path of the newest one-click link emailed to a person about a 收文, its subject naming ``kind``."""
    from urllib.parse import urlsplit

    from tests.integration.kit import outbox_seen

    def mails() -> list[dict[str, Any]]:
        return [
            m
            for m in stack.outbox()
            if email_of(user_id) in m["to"]
            and title in m["subject"]
            and kind in m["subject"]
            and any("/approvals/" in link for link in m["links"])
        ]

    found = wait_for(mails, f"an email with a link for {user_id} ({kind})", FLOW_SECONDS, saw=outbox_seen(stack))
    return str(urlsplit(next(link for link in found[-1]["links"] if "/approvals/" in link)).path)


def post_form(stack: LocalStack, path: str, **fields: str) -> tuple[int, str]:
    from urllib.parse import urlencode

    response = stack.invoke_http(
        "POST", path, body=urlencode(fields), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    return response.status, response.text
