"""Two units, two local stacks, one 公文: unit A signs a 通知 to unit B, its 对外发送 webhook posts it to B's
/exchange/inbound with the HMAC key both share, and B takes it from 待签收 to 归档; A's document shows
B's 送达回执 and, once B has archived it, B's 办结回执 with B's 收文编号. Each unit is ``python -m
infra.local`` in a process of its own, configured as docs/configuration.md's "The local stack" shows
(OA_LOCAL_PARAMS, OA_LOCAL_SECRET_<LogicalId>, OA_LOCAL_ORG): B's organisation file pins A's seal key
(the fingerprint of a 通知 A issued first), and B's 收文 says the pin matches; it also names A's
``/exchange/receipts`` as A's ``receipt_url``."""

from __future__ import annotations

import json
import secrets
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect

from infra.local.polling import FLOW_SECONDS, wait_for
from infra.local.stack import DEMO_ORG_PATH
from oa_core.incoming import seal_check
from tests.e2e.conftest import OUTPUT_TAIL, ServerProcess, _running
from tests.e2e.kit import Org, User, http_timeout, outbox, submit, task_id_in, unique

pytestmark = pytest.mark.e2e
UNIT_B = "示例市教育局"
UNIT_A = "示例市人民政府办公室"
"""A's name (the template's default OrgName), as its deliveries give it and B's organisation file lists it."""
KEY = secrets.token_hex(24)
"""The HMAC key A signs its deliveries with and B checks them with."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """(A's URL, B's URL, A's seal key fingerprint): B receives on a port chosen first, so A can be told where
    to deliver; A starts first and issues a 通知 of its own, whose seal gives the fingerprint that B's
    organisation file pins for A before B starts."""
    port = free_port()
    a = ServerProcess(
        {
            "OA_LOCAL_PARAMS": (f"DeliveryChannel=webhook DeliveryWebhookUrl=http://127.0.0.1:{port}/exchange/inbound"),
            "OA_LOCAL_SECRET_DeliveryWebhookSecret": KEY,
        }
    )
    servers = [a]
    _running.append(a)
    try:
        a.wait_healthy()
        fingerprint = own_seal_fingerprint(a.url)
        org = json.loads(DEMO_ORG_PATH.read_text(encoding="utf-8"))
        org["external_units"].append(
            {
                "unit_id": "szfb",
                "name": UNIT_A,
                "email": "",
                "platform_code": "SZFB-001",
                "seal_key_fingerprint": fingerprint,
                "receipt_url": f"{a.url}/exchange/receipts",
            }
        )
        org_file = tmp_path_factory.mktemp("unit-b") / "org.json"
        org_file.write_text(json.dumps(org, ensure_ascii=False), encoding="utf-8")
        b = ServerProcess(
            {
                "OA_LOCAL_PARAMS": f"OrgName={UNIT_B} FondsCode=JYJ IssuerCode=示教发",
                "OA_LOCAL_SECRET_ExchangeInboundSecret": KEY,
                "OA_LOCAL_ORG": str(org_file),
            },
            port=port,
        )
        servers.append(b)
        _running.append(b)
        b.wait_healthy()
        assert b.url == f"http://127.0.0.1:{port}", b.url
        yield a.url, b.url, fingerprint
        for server in servers:
            code = server.stop()
            assert code == 0, f"{server.url} did not exit 0 after SIGINT ({code}):\n{server.output()[-OUTPUT_TAIL:]}"
    finally:
        for server in servers:
            server.stop()
            _running.remove(server)
            server.log.close()


def issue(base_url: str, title: str, to: list[str], distribute_to: list[str]) -> tuple[User, str, str]:
    """A 通知 through 拟稿 → 核稿 → 签发 (by the emailed link) to 归档 at a unit: (drafter, id, 发文字号)."""
    org = Org(base_url)
    drafter = User(base_url, org.with_role("drafter")[0])
    reviewer, signer = User(base_url, org.with_role("reviewer")[0]), org.with_role("signer")[0]
    body = {
        "doc_type": "通知",
        "title": title,
        "body": f"{'、'.join(to)}：\n请于12月31日前报送2026年度教育统计数据。\n特此通知。",
        "main_recipients": to,
        "cc": [],
        "urgency": "",
        "classification": "非密",
        "reviewer": reviewer.user_id,
        "countersigners": [],
        "countersign_mode": "parallel",
        "signer": signer,
        "distribute_to": distribute_to,
    }
    document_id = submit(drafter, body)
    task = reviewer.pending_task(document_id, "review")
    assert reviewer.decide(task["task_id"], "approve", "文字已核，同意").status_code == 200
    decide_by_link(linked(base_url, org.email(signer), title, ""), "同意印发")
    sent = drafter.wait_status(document_id, "archived", FLOW_SECONDS)
    assert sent["number"], sent
    return drafter, document_id, str(sent["number"])


def own_seal_fingerprint(base_url: str) -> str:
    """The 签章公钥指纹 of a unit (as make verify prints it), read from a 通知 it issues to itself."""
    drafter, document_id, _ = issue(base_url, unique("关于核对本单位签章公钥的通知"), ["政策法规科"], [])
    pdf = drafter.get(f"/api/documents/{document_id}/pdf")
    assert pdf.status_code == 200, pdf.text
    fingerprint = seal_check.check(pdf.content).fingerprint
    assert len(fingerprint) == seal_check.SHOWN_DIGITS, fingerprint
    return fingerprint


def linked(base_url: str, email: str, title: str, kind: str) -> str:
    """The newest one-click approval link emailed to ``email`` about ``title``, its subject naming ``kind``."""

    def find() -> str | None:
        for mail in reversed(outbox(base_url)):
            if email in mail["to"] and title in mail["subject"] and kind in mail["subject"]:
                links = [link for link in mail["links"] if "/approvals/" in link]
                if links:
                    return str(links[0])
        return None

    return str(
        wait_for(
            find,
            f"an email to {email} about {title} ({kind})",
            FLOW_SECONDS,
            saw=lambda: str([m["subject"] for m in outbox(base_url) if email in m["to"]]),
        )
    )


def decide_by_link(link: str, opinion: str) -> str:
    page = requests.get(link, timeout=http_timeout())
    assert page.status_code == 200, page.text
    done = requests.post(
        link,
        data={"task_id": task_id_in(page.text), "decision": "approve", "opinion": opinion},
        timeout=http_timeout(),
    )
    assert done.status_code == 200, done.text
    return done.text


def incoming(user: User, incoming_id: str) -> dict[str, Any]:
    reply = user.get(f"/api/incoming/{incoming_id}")
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def decide(user: User, incoming_id: str, step: str, opinion: str = "", **extra: Any) -> None:
    task = user.pending_task(incoming_id, step)
    reply = user.post(
        f"/api/tasks/{task['task_id']}/decision", json={"decision": "approve", "opinion": opinion, **extra}
    )
    assert reply.status_code == 200, reply.text


def test_unit_a_signs_a_notice_to_unit_b_which_takes_it_from_sign_in_to_the_archive_and_a_sees_the_receipt(
    units: tuple[str, str, str], page: Page
) -> None:
    a_url, b_url, a_fingerprint = units
    b_org = Org(b_url)
    title = unique("关于报送2026年度教育统计数据的通知")

    # Unit A: 拟稿 → 核稿 → 签发; 编号 and 分发 run by themselves, the webhook delivers to B.
    drafter, document_id, number = issue(a_url, title, [UNIT_B], [UNIT_B])

    # Unit B's 文书 sees it in 待签收, with A's 发文字号 and a seal that verifies.
    office = next(
        u["user_id"]
        for u in sorted(b_org.users, key=lambda u: u["user_id"])
        if "clerk" in u["roles"] and u["department"] == "bgs"
    )
    clerk = User(b_url, office)
    waiting: list[dict[str, Any]] = []

    def arrived() -> dict[str, Any] | None:
        reply = clerk.get("/api/incoming", params={"status": "receiving"})
        assert reply.status_code == 200, reply.text
        waiting[:] = reply.json()
        return next((i for i in waiting if i["title"] == title), None)

    summary = wait_for(arrived, f"{title} in B's 待签收", FLOW_SECONDS, saw=lambda: str([i["title"] for i in waiting]))
    assert summary["sender_number"] == number, (summary, number)
    incoming_id = str(summary["incoming_id"])
    received = incoming(clerk, incoming_id)
    assert received["seal"]["valid"] is True, received["seal"]
    # B's organisation file pins A's key: the 收文 says the seal's key is the one pinned.
    assert received["seal"]["fingerprint"] == a_fingerprint, (received["seal"], a_fingerprint)
    assert received["seal"]["pinned"] == "match", received["seal"]
    assert received["seal"]["signed_number"] == number, received["seal"]  # the sealed block names A's 发文字号
    assert received["receipt_id"].startswith("JYJ-"), received["receipt_id"]

    # 签收 → 登记 → 拟办 → 批办 (the leader, by the link in B's outbox) → 承办 → 传阅 → 办结审核 → 归档.
    decide(clerk, incoming_id, "receive", "已签收")
    decide(clerk, incoming_id, "register", registration={"deadline": "2099-12-30"})
    leader, reader = b_org.with_role("signer")[0], b_org.with_role("signer")[1]
    plan = {
        "leader": leader,
        "lead": {"department": "zcfgk", "deadline": "2099-12-31"},
        "assist": [],
        "readers": [reader],
    }
    decide(User(b_url, "wangfang"), incoming_id, "propose", "拟请政策法规科主办。", plan=plan)
    link = linked(b_url, b_org.email(leader), title, "请批示来文")
    assert urlsplit(link).netloc == urlsplit(b_url).netloc, link
    assert "同意，请按时办理。" in decide_by_link(link, "同意，请按时办理。")
    lead = User(b_url, "liuyang")
    decide(User(b_url, reader), incoming_id, "read", "已阅。")
    decide(lead, incoming_id, "handle", "已按要求报送统计数据。")
    decide(clerk, incoming_id, "check", "同意归档")
    last: dict[str, Any] = {}

    def archived() -> dict[str, Any] | None:
        last.update(incoming(clerk, incoming_id))
        return last if last["status"] == "archived" else None

    done = wait_for(archived, f"{incoming_id} archived at B", FLOW_SECONDS, saw=lambda: str(last.get("status")))
    assert done["handling"]["instruction"] == "同意，请按时办理。" and done["handling"]["archive_code"]

    # A's document (the JSON the document page is drawn from) shows B's 送达回执.
    deliveries = drafter.document(document_id)["deliveries"]
    to_b = next(d for d in deliveries if d["recipient"] == UNIT_B)
    assert (to_b["channel"], to_b["via"], to_b["status"]) == ("external", "webhook", "sent"), to_b
    assert to_b["receipt"] == received["receipt_id"] and to_b["attempts"] == 1, to_b

    # After B's 归档, B's 办结回执 reaches A: A's delivery says 已办结 with B's 收文编号.
    seen: dict[str, Any] = {}

    def concluded() -> dict[str, Any] | None:
        seen.update(next(d for d in drafter.document(document_id)["deliveries"] if d["recipient"] == UNIT_B))
        return seen if seen["concluded"] else None

    wait_for(concluded, f"B's 办结回执 on A's delivery of {document_id}", FLOW_SECONDS, saw=lambda: str(seen))
    assert done["number"].startswith("收〔") and seen["concluded_number"] == done["number"], (seen, done["number"])
    assert seen["concluded"].startswith(f"已办结（对方收文编号 {done['number']}，"), seen
    assert incoming(clerk, incoming_id)["concluded_receipt"]["status"] == "sent"

    # ... and the document page, signed in at A, says 已送达 with the 回执 (the local sign-in page picks the user).
    page.goto(f"{a_url}/")
    page.get_by_role("link", name="登录系统").click()
    page.locator(f"button[value='{drafter.user_id}']").click()
    expect(page.locator("h1.page")).to_have_text("工作台")
    page.goto(f"{a_url}/documents/{document_id}")
    expect(page.get_by_text(f"{UNIT_B}")).not_to_have_count(0)
    expect(page.locator("body")).to_contain_text("已送达（回执")
    expect(page.locator("body")).to_contain_text(seen["concluded"])
