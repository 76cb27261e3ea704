"""A meeting from a free slot in the room grid to the invitation, in headless Chromium.

The organizer picks a free slot of a room that needs approval, applies, and sees the slot held;
the office's approver decides from the emailed link; the meeting is confirmed and the participants'
emails carry the calendar invitation. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from infra.local.polling import wait_for
from tests.e2e.browser import new_page
from tests.e2e.kit import http_timeout

pytestmark = pytest.mark.e2e

TOPIC = "2026年第四季度安全生产调度会"


def outbox(base_url: str) -> list[dict[str, Any]]:
    reply = requests.get(f"{base_url}/_local/outbox", headers={"Accept": "application/json"}, timeout=http_timeout())
    return list(reply.json())


def wait_mail(base_url: str, user: str, words: str) -> dict[str, Any]:
    def mails() -> list[dict[str, Any]]:
        return [m for m in outbox(base_url) if any(t.startswith(f"{user}@") for t in m["to"])]

    found = wait_for(
        lambda: [m for m in mails() if words in m["subject"]],
        f"an email “{words}” for {user}",
        saw=lambda: f"emails to {user}: {[m['subject'] for m in mails()]}",
    )
    return dict(found[-1])


def sign_in(page: Page, base_url: str, user_id: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_role("link", name="登录系统").click()
    page.locator(f"button[value='{user_id}']").click()
    expect(page.locator("h1.page")).to_have_text("工作台")


def test_a_meeting_is_applied_for_in_a_free_slot_held_approved_and_invited(
    base_url: str, browser: Browser, page: Page, screenshots: Path
) -> None:
    def shot(name: str, target: Page | None = None) -> None:
        (target or page).screenshot(path=str(screenshots / f"{name}.png"), full_page=True)

    day = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=21)).date()
    sign_in(page, base_url, "zhangwei")
    page.get_by_role("link", name="会议室", exact=True).first.click()
    page.goto(f"{base_url}/rooms?date={day.isoformat()}")
    free = page.locator("#rooms-grid a[href*='room=room-301'][href*='T10%3A00']")
    expect(free).to_have_count(1)
    shot("20-rooms-day")
    free.click()
    expect(page.locator("#room_id")).to_have_value("room-301")
    expect(page.locator("#start_time")).to_have_value("10:00")
    page.locator("#topic").fill(TOPIC)
    page.locator("#end_time").select_option("11:30")
    for person in ("lina", "wangfang", "liuyang"):
        page.locator(f"#participants input[value='{person}']").check()
    page.locator("#equipment input[value='投影仪']").check()
    shot("21-meeting-form")
    page.locator("#apply").click()
    expect(page.locator("#notice")).to_contain_text("会议室已为您暂留")
    expect(page.locator("#meeting-status")).to_have_text("待审批")
    meeting_url = page.url.split("?")[0]
    page.goto(f"{base_url}/rooms/room-301?date={day.isoformat()}")
    expect(page.locator("#week-grid td.taken.held")).to_contain_text("待审批")
    shot("22-room-week-held")

    approval = wait_mail(base_url, "zhouqiang", "请审批会议室预订")
    approver = new_page(browser, viewport={"width": 390, "height": 844})
    approver.goto(approval["links"][0])
    expect(approver.locator("h1")).to_have_text(TOPIC)
    shot("23-meeting-approval-phone", approver)
    approver.get_by_role("button", name="同意", exact=True).click()
    expect(approver.locator(".ok")).to_contain_text("作出决定：同意")

    invitation = wait_mail(base_url, "lina", f"会议通知：{TOPIC}")
    assert [a["filename"] for a in invitation["attachments"]] == ["invite.ics"]
    page.goto(meeting_url)
    expect(page.locator("#meeting-status")).to_have_text("已确认")
    shot("24-meeting-confirmed")

    participant = new_page(browser)
    sign_in(participant, base_url, "lina")
    expect(participant.locator("#my-meetings")).to_contain_text(TOPIC)
    shot("25-dashboard-meetings", participant)
