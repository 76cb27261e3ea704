"""End to end over HTTP: ``python -m infra.local`` on 127.0.0.1, used through the public contract only."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from infra.local.polling import FLOW_SECONDS
from tests.e2e.kit import Org, User, draft, emailed_link, http_timeout, submit, task_id_in, unique, wait_for

pytestmark = pytest.mark.e2e

ROLES = ("drafter", "reviewer", "countersigner", "signer", "clerk", "archivist", "sysadmin", "secadmin", "auditor")
NUMBER_RE = re.compile(r"^示例办发〔(\d{4})〕([1-9]\d*)号$")
XSS_TITLE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
RAW_TAGS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;")


@pytest.fixture(scope="session")
def org(base_url: str) -> Org:
    return Org(base_url)


def assert_error(reply: requests.Response, status: int) -> None:
    assert reply.status_code == status, reply.text
    error = reply.json()["error"]
    assert error["code"] and error["message"], error


def test_health_and_openapi(base_url: str, org: Org) -> None:
    reply = requests.get(f"{base_url}/health", timeout=http_timeout())
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok"}

    admin = User(base_url, org.with_role("sysadmin")[0])
    reply = admin.get("/openapi.json")
    assert reply.status_code == 200, reply.text
    spec = reply.json()
    assert spec["openapi"].startswith("3."), spec.get("openapi")
    paths = spec["paths"]
    assert "post" in paths["/api/documents"]
    assert "get" in paths["/api/documents/{document_id}"]
    assert "post" in paths["/api/documents/{document_id}/revision"]
    assert "get" in paths["/api/tasks"]
    assert "post" in paths["/api/tasks/{task_id}/decision"]


def test_local_users_lists_every_role_twice(base_url: str) -> None:
    reply = requests.get(f"{base_url}/_local/users", timeout=http_timeout())
    assert reply.status_code == 200, reply.text
    users = reply.json()
    for user in users:
        assert {"user_id", "name", "email", "department", "roles"} <= set(user), user
        assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", user["email"]), user
        assert set(user["roles"]) <= set(ROLES), user
    for role in ROLES:
        holders = [u["user_id"] for u in users if role in u["roles"]]
        assert len(holders) >= 2, f"role {role}: {holders}"
    assert len({u["user_id"] for u in users}) == len(users)


def test_login_gives_a_signed_id_token_for_the_bearer_header(base_url: str, org: Org) -> None:
    drafter = org.with_role("drafter")[0]
    reply = requests.post(f"{base_url}/_local/login", json={"user_id": drafter}, timeout=http_timeout())
    assert reply.status_code == 200, reply.text
    token = reply.json()["token"]
    assert reply.json()["user_id"] == drafter
    header, _payload, signature = token.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["alg"] == "RS256"
    assert signature, "signed by the local identity provider, verified by the API's authorizer"

    with_token = requests.get(
        f"{base_url}/api/tasks", headers={"Authorization": f"Bearer {token}"}, timeout=http_timeout()
    )
    assert with_token.status_code == 200, with_token.text
    assert isinstance(with_token.json(), list)

    # As behind API Gateway, only the Authorization header signs an API call in.
    without_header = requests.get(f"{base_url}/api/tasks", cookies=reply.cookies, timeout=http_timeout())
    assert_error(without_header, 401)

    unknown = requests.post(f"{base_url}/_local/login", json={"user_id": "nobody-here"}, timeout=http_timeout())
    assert 400 <= unknown.status_code < 500
    assert unknown.json()["error"]["message"]


def test_api_requires_sign_in(base_url: str, org: Org) -> None:
    for method, path in (
        ("GET", "/api/tasks"),
        ("GET", "/api/documents/20260101-0000000000"),
        ("POST", "/api/documents"),
        ("POST", "/api/tasks/x.review.1.0/decision"),
    ):
        body = draft(org, "关于未登录提交的通知") if method == "POST" else None
        assert_error(requests.request(method, f"{base_url}{path}", json=body, timeout=http_timeout()), 401)
    forged = requests.get(
        f"{base_url}/api/tasks", headers={"Authorization": "Bearer forged-token"}, timeout=http_timeout()
    )
    assert_error(forged, 401)


def test_a_document_goes_from_draft_to_archive_through_links_and_api(base_url: str, org: Org) -> None:
    drafter = User(base_url, org.with_role("drafter")[0])
    reviewer, signer = org.with_role("reviewer")[0], org.with_role("signer")[0]
    countersigners = org.with_role("countersigner")[:2]
    title = unique("关于做好年度安全生产工作的通知")
    document_id = submit(
        drafter,
        draft(org, title, reviewer=reviewer, signer=signer, countersigners=countersigners, countersign_mode="parallel"),
    )

    # 核稿 through the emailed link: the GET shows a form and decides nothing; the POST decides.
    review_link = emailed_link(base_url, org.email(reviewer), title)
    page = requests.get(review_link, timeout=http_timeout())
    assert page.status_code == 200, page.text
    assert page.headers["Content-Type"].startswith("text/html")
    assert title in page.text and "<form" in page.text
    for decision in ("approve", "return", "reject"):
        assert re.search(rf'name="decision"[^>]*value="{decision}"', page.text), decision
    assert drafter.document(document_id)["status"] == "in_review", "a GET never decides"
    done = requests.post(
        review_link,
        data={"task_id": task_id_in(page.text), "decision": "approve", "opinion": "文字已核，同意"},
        timeout=http_timeout(),
    )
    assert done.status_code == 200, done.text
    assert "同意" in done.text
    again = requests.post(
        review_link,
        data={"task_id": task_id_in(page.text), "decision": "reject", "opinion": "再来一次"},
        timeout=http_timeout(),
    )
    assert again.status_code == 409, "a used link decides nothing and says why"

    # 会签 (parallel) through the JSON API: both are asked at once.
    people = [User(base_url, person) for person in countersigners]
    tasks = [person.pending_task(document_id, "countersign") for person in people]
    for person, task in zip(people, tasks, strict=True):
        reply = person.decide(task["task_id"], "approve", f"{person.user_id}同意会签")
        assert reply.status_code == 200, reply.text
    second = people[0].decide(tasks[0]["task_id"], "approve")
    assert_error(second, 409)

    # 签发 through its link.
    sign_link = emailed_link(base_url, org.email(signer), title)
    page = requests.get(sign_link, timeout=http_timeout())
    assert page.status_code == 200, page.text
    done = requests.post(
        sign_link,
        data={"task_id": task_id_in(page.text), "decision": "approve", "opinion": "同意印发"},
        timeout=http_timeout(),
    )
    assert done.status_code == 200, done.text

    # 编号 → 分发 → 归档 run by themselves.
    last: dict[str, Any] = {}

    def archived() -> dict[str, Any] | None:
        last.update(drafter.document(document_id))
        return last if last["status"] == "archived" and "archive" in {h["step"] for h in last["history"]} else None

    doc = wait_for(
        archived,
        f"{document_id} archived",
        FLOW_SECONDS,
        saw=lambda: f"status {last.get('status')!r}, steps done {[h['step'] for h in last.get('history', [])]}",
    )
    match = NUMBER_RE.match(doc["number"] or "")
    assert match, doc["number"]
    signed_year = int(str(doc.get("sign_date") or "")[:4] or datetime.now(ZoneInfo("Asia/Shanghai")).year)
    assert int(match.group(1)) == signed_year
    assert doc["pending"] == [] and doc["current_step"] == "archive"
    steps = [(h["step"], h["decision"]) for h in doc["history"]]
    for expected in (
        ("draft", "submit"),
        ("review", "approve"),
        ("sign", "approve"),
        ("number", "numbered"),
        ("distribute", "distributed"),
        ("archive", "archived"),
    ):
        assert expected in steps, (expected, steps)
    assert steps.count(("countersign", "approve")) == 2, steps
    opinions = {(h["step"], h["actor"]): h["opinion"] for h in doc["history"]}
    assert opinions[("review", reviewer)] == "文字已核，同意"
    assert opinions[("sign", signer)] == "同意印发"
    assert [v["version"] for v in doc["versions"]] == [1]

    # The local outbox as a page: every approval link is clickable.
    outbox_page = requests.get(f"{base_url}/_local/outbox", headers={"Accept": "text/html"}, timeout=http_timeout())
    assert outbox_page.status_code == 200
    assert outbox_page.headers["Content-Type"].startswith("text/html")
    hrefs = re.findall(r'<a href="([^"]+)"', outbox_page.text)
    assert review_link in hrefs and sign_link in hrefs
    assert all(urlsplit(href).netloc == urlsplit(base_url).netloc for href in hrefs)


def test_return_and_revision_via_http(base_url: str, org: Org) -> None:
    drafter = User(base_url, org.with_role("drafter")[0])
    reviewer = User(base_url, org.with_role("reviewer")[0])
    title = unique("关于退回修改流程的通知")
    document_id = submit(drafter, draft(org, title, reviewer=reviewer.user_id))

    first = reviewer.pending_task(document_id, "review")
    reply = reviewer.decide(first["task_id"], "return", "请补充责任分工")
    assert reply.status_code == 200, reply.text
    doc = drafter.wait_status(document_id, "returned")
    assert any(h["decision"] == "return" and h["opinion"] == "请补充责任分工" for h in doc["history"])
    drafter.pending_task(document_id, "revise")

    not_mine = reviewer.post(f"/api/documents/{document_id}/revision", json={"body": "越权修改"})
    assert_error(not_mine, 403)
    reply = drafter.post(
        f"/api/documents/{document_id}/revision",
        json={"body": "各处室：\n一、明确责任分工。\n请执行。", "note": "已补充责任分工"},
    )
    assert reply.status_code == 200, reply.text

    second = reviewer.pending_task(document_id, "review")
    assert second["task_id"] != first["task_id"]
    doc = drafter.document(document_id)
    assert doc["status"] == "in_review"
    assert [v["version"] for v in doc["versions"]] == [1, 2]
    assert doc["pending"] == [reviewer.user_id]


def test_xss_in_title_and_opinion_is_escaped_on_the_approval_page(base_url: str, org: Org) -> None:
    drafter = User(base_url, org.with_role("drafter")[0])
    reviewer = User(base_url, org.with_role("reviewer")[0])
    countersigner = org.with_role("countersigner")[0]
    title = unique(f"关于{XSS_TITLE}的通知")
    document_id = submit(drafter, draft(org, title, reviewer=reviewer.user_id, countersigners=[countersigner]))

    # The reviewer's page shows the hostile title.
    review_link = emailed_link(base_url, org.email(reviewer.user_id), title)
    page = requests.get(review_link, timeout=http_timeout())
    assert page.status_code == 200, page.text
    assert_escaped(page)

    # The reviewer's hostile opinion then shows on the countersigner's page, with the title.
    task = reviewer.pending_task(document_id, "review")
    reply = reviewer.decide(task["task_id"], "approve", f"意见{XSS_TITLE}")
    assert reply.status_code == 200, reply.text
    countersign_link = emailed_link(base_url, org.email(countersigner), title)
    page = requests.get(countersign_link, timeout=http_timeout())
    assert page.status_code == 200, page.text
    assert_escaped(page)
    assert page.text.count(ESCAPED[0]) >= 3, "title (head and body) and the opinion are all escaped"


def assert_escaped(page: requests.Response) -> None:
    text = page.text
    for raw in RAW_TAGS:
        assert raw not in text, f"raw {raw!r} on the page"
    assert "<script" not in text.lower()
    assert "<img" not in text.lower()
    for escaped in ESCAPED:
        assert escaped in text, f"{escaped!r} missing"
    assert "&#34;&gt;" in text or "&quot;&gt;" in text, "the quote that would close an attribute is escaped"
    csp = page.headers.get("Content-Security-Policy", "")
    assert csp, "approval pages send a Content-Security-Policy"
    assert "script-src" in csp or "default-src 'none'" in csp or "default-src 'self'" in csp, csp
