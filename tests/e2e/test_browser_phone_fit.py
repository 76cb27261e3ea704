"""Every page each person reaches fits a 390×844 phone: no sideways scrolling, in headless Chromium.

For each role of the demo organisation (文书, 拟稿人, 核稿人, 签发人, 档案员, 系统管理员, 安全管理员,
安全审计员) the test signs in on a phone and visits every page that role reaches: 工作台, 已办, 办结,
会议室 (day and a room's week), 会议申请, 用车, a 发文 document (archived, with its 分发), a meeting,
档案检索 with results, 审计记录 with results, 资源, 角色, the Chinese 404 page, 收文 (文书登记
/incoming/new, a 收文 page at 签收, at 拟办 with its form and at 承办 with its form), and the approval
pages behind the emailed links (核稿 of a document, a meeting approval). A page fits when
``document.documentElement.scrollWidth`` is at most the phone's 390 px (+1 for rounding); the
viewport's width, not ``innerWidth``: on a mobile viewport Chromium widens ``innerWidth`` to the
content, so a page that overflows would seem to fit. Every page that does not is named at once.

The 办结 list's date field is also typed into as a person would, digit by digit: in the Chinese
browser the field reads 年/月/日, so 2026, 12, 01 make 2026-12-01 (in an English one, mm/dd/yyyy, the
same keys make another date), and the server takes what it sends.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
import requests
from playwright.sync_api import Browser, Page, ViewportSize, expect

from infra.local.polling import FLOW_SECONDS
from tests.e2e.browser import new_page
from tests.e2e.kit import Org, User, draft, emailed_link, http_timeout, submit, unique
from tests.support import sample_files

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 390, "height": 844}
CHINA = timezone(timedelta(hours=8))
EVERYONE = ["/", "/done", "/finished", "/rooms", "/rooms/room-301", "/meetings/new", "/dispatch", "/no-such-page"]


def phone(browser: Browser) -> Page:
    return new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Asia/Shanghai")


def sign_in(page: Page, base_url: str, user_id: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_role("link", name="登录系统").click()
    page.locator(f"button[value='{user_id}']").click()
    expect(page.locator("h1.page")).to_have_text("工作台")


def overflow(page: Page, url: str) -> str:
    """Why the page at ``url`` does not fit the phone ("" when it fits)."""
    reply = page.goto(url)
    status = reply.status if reply else 0
    if status >= 500:
        return f"answers {status}"
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    return f"{width}px wide" if width > PHONE["width"] + 1 else ""


def _decide(user: User, incoming_id: str, step: str, **body: object) -> None:
    task = user.pending_task(incoming_id, step)
    reply = user.post(f"/api/tasks/{task['task_id']}/decision", json={"decision": "approve", **body})
    assert reply.status_code == 200, reply.text


def paper_incoming(clerk: User, title: str) -> str:
    """文书登记 through the API: the scan posted to the presigned POST, then registered (waiting for 签收)."""
    scan = sample_files.pdf("来文扫描件")
    ticket = clerk.post("/api/incoming/uploads", json={"filename": "来文扫描件.pdf", "size": len(scan)})
    assert ticket.status_code == 201, ticket.text
    signed = ticket.json()
    posted = requests.post(
        signed["url"],
        data=signed["fields"],
        files={"file": ("来文扫描件.pdf", scan, "application/pdf")},
        timeout=http_timeout(),
    )
    assert posted.status_code == 204, posted.text
    body = {
        "incoming_id": signed["incoming_id"],
        "upload": signed["upload"],
        "sender": "示例市财政局",
        "sender_number": "示财〔2026〕8号",
        "title": title,
        "received_on": datetime.now(CHINA).date().isoformat(),
    }
    created = clerk.post("/api/incoming", json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["incoming_id"])


def seed_incoming(base_url: str, org: Org) -> dict[str, str]:
    """Three 收文 registered on paper: one waiting for 签收, one for 拟办, one for its 主办's 承办."""
    clerk, head, leader = User(base_url, "zhouqiang"), User(base_url, "wangfang"), org.with_role("signer")[0]
    states = ("签收", "拟办", "承办")
    made = {state: paper_incoming(clerk, unique(f"关于报送年度数据的通知{state}")) for state in states}
    for state in ("拟办", "承办"):
        _decide(clerk, made[state], "receive", opinion="已签收")
        _decide(clerk, made[state], "register", registration={"deadline": "2099-12-30"})
    plan = {"leader": leader, "lead": {"department": "zcfgk"}, "assist": [{"department": "zhk"}], "readers": []}
    _decide(head, made["承办"], "propose", opinion="拟请政策法规科主办，综合科协办。", plan=plan)
    _decide(User(base_url, leader), made["承办"], "instruct", opinion="同意。")
    clerk.pending_task(made["签收"], "receive")
    head.pending_task(made["拟办"], "propose")
    User(base_url, "liuyang").pending_task(made["承办"], "handle")
    return {state: f"/incoming/{incoming_id}" for state, incoming_id in made.items()}


def seed(base_url: str, org: Org) -> dict[str, str]:
    """An archived 发文, one waiting for its 核稿, a meeting waiting for approval, a 用车 request."""
    drafter = User(base_url, "zhangwei")
    archived_title, pending_title = unique("关于做好年终工作的通知"), unique("关于开展安全检查的通知")
    archived = submit(drafter, draft(org, archived_title))
    pending = submit(drafter, draft(org, pending_title))
    reviewer = User(base_url, org.with_role("reviewer")[0])
    reviewer.decide(reviewer.pending_task(archived, "review")["task_id"], "approve", "同意。")
    signer = User(base_url, org.with_role("signer")[0])
    signer.decide(signer.pending_task(archived, "sign")["task_id"], "approve", "同意印发。")
    start = (datetime.now(CHINA) + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    topic = unique("年终总结会")
    meeting = drafter.post(
        "/api/meetings",
        json={
            "topic": topic,
            "room_id": "room-301",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "participants": ["lina", "wangfang"],
        },
    )
    assert meeting.status_code == 201, meeting.text
    trip = drafter.post(
        "/api/dispatch",
        json={
            "purpose": "赴市财政局汇报预算",
            "passengers": 2,
            "origin": "机关大院",
            "destination": "市财政局",
            "start": (start + timedelta(hours=5)).isoformat(),
            "end": (start + timedelta(hours=8)).isoformat(),
        },
    )
    assert trip.status_code == 201, trip.text
    number = str(signer.wait_status(archived, "archived", FLOW_SECONDS)["number"])
    return {
        "archived": f"/documents/{archived}",
        "meeting": f"/meetings/{meeting.json()['meeting_id']}",
        "review_link": emailed_link(base_url, org.email(reviewer.user_id), pending_title),
        "meeting_link": emailed_link(base_url, org.email("zhouqiang"), topic),
        "number": number,
        "pending": f"/documents/{pending}",
    }


def test_every_page_each_role_reaches_fits_a_phone_without_sideways_scrolling(base_url: str, browser: Browser) -> None:
    org = Org(base_url)
    made = seed(base_url, org)
    incoming = seed_incoming(base_url, org)
    archive = f"/archive?number={made['number']}"
    pages = {
        "zhouqiang": [
            *EVERYONE,
            "/documents/new",
            made["archived"],
            made["meeting"],
            "/archive",
            archive,
            "/incoming/new",
            incoming["签收"],
            "/?step=receive",  # 工作台 filtered to 待签收: the 收文 rows with 来文单位, 来文字号, 办理时限
        ],
        "wangfang": [incoming["拟办"], "/?step=propose"],
        "liuyang": [incoming["承办"], "/?step=handle"],
        "zhangwei": [*EVERYONE, "/documents/new", made["archived"], made["pending"], made["meeting"]],
        org.with_role("reviewer")[0]: [*EVERYONE, made["pending"]],
        "zhaolei": EVERYONE,
        "wumin": [*EVERYONE, made["archived"], "/archive", archive],
        "admin": [*EVERYONE, made["archived"], made["meeting"], "/resources"],
        "secadmin": [*EVERYONE, "/roles"],
        "auditor": [*EVERYONE, made["archived"], "/audit", "/audit?actor=zhangwei"],
    }
    misfits: list[str] = []
    for user_id, paths in pages.items():
        page = phone(browser)
        try:
            sign_in(page, base_url, user_id)
            misfits += [f"{user_id} {path}: {why}" for path in paths if (why := overflow(page, f"{base_url}{path}"))]
        finally:
            page.context.close()
    page = phone(browser)  # the emailed links, opened without signing in
    try:
        for name in ("review_link", "meeting_link"):
            if why := overflow(page, made[name]):
                misfits.append(f"link {name}: {why}")
    finally:
        page.context.close()
    assert not misfits, "pages wider than a 390 px phone:\n" + "\n".join(misfits)


def test_a_date_typed_digit_by_digit_reads_year_month_day_and_the_list_accepts_it(
    base_url: str, browser: Browser
) -> None:
    page = phone(browser)
    try:
        sign_in(page, base_url, "zhangwei")
        page.goto(f"{base_url}/finished")
        field = page.locator("input[name='from']")
        field.focus()  # its first part
        page.keyboard.type("2026")  # 年 first, then 月 and 日: the order of a Chinese date field
        page.keyboard.press("ArrowRight")  # a year may have more digits: move on by hand
        page.keyboard.type("1201")
        expect(field).to_have_value("2026-12-01")
        page.get_by_role("button", name="查询").click()
        expect(page).to_have_url(re.compile(r"from=2026-12-01"))
        expect(page.locator("h1.page")).to_have_text("办结")
        expect(page.locator("[role=alert]")).to_have_count(0)
        expect(page.locator("input[name='from']")).to_have_value("2026-12-01")
    finally:
        page.context.close()
