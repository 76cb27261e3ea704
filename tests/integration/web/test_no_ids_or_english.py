"""What people read carries no internal id and no English: every staff page for several roles (全文检索
with its hits, passages of 正文 and of an attachment, its empty state and its refusal among them), the
approval pages, the error pages and every email of a whole 发文 flow, a meeting and a 用车 request.

Allowed Latin (``ALLOWED``): names of formats, units and standards people know (PDF, Word, ZIP, MB, GB/T, SM2 …);
a Latin token with a digit in it is a code people use (档号 X001-WS·2026-D30-ZCFGK-0001, a plate 京A·12345,
a digest), never a sentence, and the ids among such tokens are looked for by value. URLs and email
addresses are taken out before the scan (a link is what an email is for), so an id inside a link is fine
and an id in the text is not. Two pages show identifiers by design: the
安全管理员's 角色 page names each account by its 登录名 beside the person's name (two 张伟 are told apart
by it), and the 系统管理员's 资源 page shows each resource's 编号, which the administrator typed.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from infra.local.polling import wait_for
from infra.local.stack import LocalStack
from oa_core.identity import directory
from oa_core.platform.clock import local_zone
from oa_core.search import indexing
from tests.integration.kit import Api, approve, office_clerk, pending_task, submit, users_with, wait_status
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration
DEMO_ORG = Path(__file__).resolve().parents[3] / "infra" / "demo_org.json"

ALLOWED = {
    "PDF",
    "OFD",
    "GB",
    "T",
    "SHA",
    "ECDSA",
    "P",
    "SM2",
    "SM3",
    "DER",
    "JSON",
    "CSV",
    "OA",
    "Excel",
    "Word",
    "WPS",
    "docx",
    "doc",
    "RTF",
    "JPEG",
    "PNG",
    "ZIP",
    "KB",
    "MB",
}
"""Latin words a page may show: formats, standards and algorithms by their own names. Nothing else."""
INVISIBLE = re.compile(r"<(script|style|template)\b.*?</\1>|<!--.*?-->", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
LINK_OR_MAIL = re.compile(r"https?://\S+|[\w.+-]+@[\w.-]+")
ESCAPED = re.compile(r"\\u[0-9a-fA-F]{4}")
"""A ``\\u60a8`` shown as text: a body decoded as JSON escapes instead of as its charset."""
LATIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_'’·-]*")


def resource_ids() -> set[str]:
    return {str(r["resource_id"]) for r in json.loads(DEMO_ORG.read_text(encoding="utf-8"))["resources"]}


def visible(markup: str) -> str:
    """The text a person sees: no scripts, styles, comments, tags or attributes; entities decoded."""
    return html.unescape(TAG.sub(" ", INVISIBLE.sub(" ", markup)))


def problems(where: str, text: str, ids: set[str], skip: frozenset[str] = frozenset()) -> list[str]:
    """Each internal id and each Latin word outside ``ALLOWED`` in ``text``, with what is around it (but the
    identifiers in ``skip``, which that page shows by design)."""
    text = LINK_OR_MAIL.sub(" ", text)
    ids = ids - skip
    found = []
    for ident in ids:
        at = re.search(rf"(?<![\w.-]){re.escape(ident)}(?![\w-])", text)
        if at:
            found.append(f"{where}: id {ident!r} in …{text[max(0, at.start() - 30) : at.end() + 30]!r}…")
    for escaped in ESCAPED.finditer(text):
        found.append(f"{where}: escaped character {escaped.group()!r} shown as text")
    for word in LATIN_WORD.finditer(text):
        token = word.group()
        if token not in ALLOWED and not any(c.isdigit() for c in token) and token not in skip:
            found.append(
                f"{where}: English {word.group()!r} in …{text[max(0, word.start() - 30) : word.end() + 30]!r}…"
            )
    return found


def slot(days: int, hhmm: str) -> str:
    day = datetime.now(local_zone()).date() + timedelta(days=days)
    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=local_zone()).isoformat()


def a_day_of_work(stack: LocalStack) -> tuple[dict[str, str], set[str]]:
    """A whole 发文 to an internal and an external unit, a meeting needing approval, a 用车 request; the
    ids the system made on the way, with every user id."""
    api = Api(stack)
    drafter, reviewer, signer = users_with("drafter")[0], users_with("reviewer")[0], users_with("signer")[0]
    doc_id = submit(api, drafter, distribute_to=["cwk", "示例市教育局"])
    ids = {doc_id, *(u["user_id"] for u in directory.list_users())}
    for user, step in ((reviewer, "review"), (signer, "sign")):
        ids.add(pending_task(api, user, doc_id, step)["task_id"])
        approve(api, user, doc_id, step)
    doc = wait_status(api, doc_id, "archived", drafter)
    ids.update(str(d["receipt"]) for d in doc["deliveries"] if d.get("receipt"))
    indexing.index_attachment_text(doc_id, "消防检查记录表", "附表：消防通道与应急照明的检查记录")
    status, meeting = api.call(
        "POST",
        "/api/meetings",
        drafter,
        {"topic": "年度工作总结会", "room_id": "room-301", "start": slot(9, "09:00"), "end": slot(9, "10:00"),
         "participants": ["lina", "wangfang"]},
    )  # fmt: skip
    assert status == 201, meeting
    ids.add(meeting["meeting_id"])
    conflict = api.call(
        "POST", "/api/bookings", "lina", {"resource_id": "room-301", "start": slot(9, "09:30"),
                                          "end": slot(9, "10:30"), "title": "抢占"},
    )  # fmt: skip
    assert conflict[0] == 409
    ids.update(b for c in conflict[1]["error"]["conflicts"] for b in c["booking_ids"])
    status, trip = api.call(
        "POST", "/api/dispatch", drafter, {"purpose": "赴示例市财政局汇报", "passengers": 2, "origin": "机关大院",
                                          "destination": "示例市财政局", "start": slot(9, "13:00"),
                                          "end": slot(9, "15:00")},
    )  # fmt: skip
    assert status == 201, trip
    ids.add(trip["dispatch_id"])
    return {"document": doc_id, "meeting": meeting["meeting_id"], "conflict": conflict[1]["error"]["message"]}, ids


SEARCHES = ("/search?q=安全&scope=archive", "/search?q=安全&scope=outgoing", "/search?q=消防通道")
"""全文检索 that find the day's document: by its 正文 in 档案 and 发文, by its attachment's text."""


def test_no_page_email_or_error_message_shows_an_internal_id_or_english(stack: LocalStack) -> None:
    made, ids = a_day_of_work(stack)
    ids |= resource_ids()
    users = {str(u["user_id"]) for u in directory.list_users()}
    doc, meeting = made["document"], made["meeting"]
    found = problems("409 message", made["conflict"], ids)
    pages = {
        users_with("drafter")[0]: ["/", "/documents/new", f"/documents/{doc}", "/archive", "/rooms",
                                   "/rooms/room-301", "/meetings/new", f"/meetings/{meeting}", "/dispatch",
                                   "/nowhere", "/documents/no-such-document", "/documents/a/b/c", "/search",
                                   *SEARCHES, "/search?q=量子纠缠", "/search?q=x&scope=elsewhere"],
        office_clerk(): ["/", f"/documents/{doc}", "/archive", "/dispatch", "/incoming/new", *SEARCHES],
        users_with("archivist")[0]: ["/", "/archive", f"/documents/{doc}", *SEARCHES],
        users_with("signer")[0]: ["/", f"/documents/{doc}"],
        "admin": ["/", "/resources"],
        "secadmin": ["/", "/roles"],
    }  # fmt: skip
    for user, paths in pages.items():
        browser = Browser(stack)
        browser.sign_in(user)
        for path in paths:
            page = browser.get(path)
            assert page.status in (200, 404) or path.endswith("elsewhere"), (user, path, page.status, page.text[:300])
            assert path not in SEARCHES or "<mark>" in page.text, f"{path} as {user} finds the document"
            assert page.headers.get("Content-Type", "").startswith("text/html"), (path, page.headers)
            by_design = {"/roles": users, "/resources": resource_ids()}.get(path, set())
            found += problems(f"{path} as {user}", visible(page.text), ids, frozenset(by_design))
    refused = Browser(stack)
    refused.sign_in(users_with("drafter")[0])
    form = refused.get("/documents/new").text
    csrf = form.split('name="csrf" value="')[1].split('"')[0]
    bad = refused.post("/documents/new", {"csrf": csrf, "doc_type": "通知", "title": "长" * 201, "body": ""})
    assert bad.status in (400, 422), bad.status
    found += problems("a refused 拟稿 form", visible(bad.text), ids)
    for words in ("请审批会议室预订", "用车申请", "来文"):

        def sent(w: str = words) -> bool:
            return any(w in m["subject"] for m in stack.outbox())

        wait_for(sent, f"the mail saying {words}")
    mails = stack.outbox()
    for mail in mails:
        where = f"mail {mail['subject']!r} to {mail['to']}"
        found += problems(where, f"{mail['subject']}\n{mail['text']}\n{visible(mail['html'] or '')}", ids)
        for link in mail["links"]:
            if urlsplit(link).path.startswith(("/approvals/", "/replies/")):
                found += problems(
                    f"link page of {where}", visible(stack.invoke_http("GET", urlsplit(link).path).text), ids
                )
    assert not found, "\n".join(sorted(set(found)))


def test_an_unknown_address_gets_the_chinese_404_page_and_the_api_keeps_json(stack: LocalStack) -> None:
    browser = Browser(stack)
    browser.sign_in(users_with("drafter")[0])
    for path in ("/nowhere", "/documents/a/b/c", "/approvals/x/y"):
        page = browser.get(path)
        assert page.status == 404 and page.headers["Content-Type"].startswith("text/html"), (path, page.headers)
        assert "找不到页面" in page.text and "工作台" in page.text
    assert "找不到页面" in Browser(stack).get("/nowhere").text, "signed out too"
    api = stack.invoke_http("GET", "/api/no-such-route", user_id="zhangwei")
    assert api.status == 404 and api.headers["Content-Type"].startswith("application/json")
