"""参会回执 on a 390×844 phone, in headless Chromium: a leader opens the 会议通知 from the outbox, taps its
回执链接 (no sign-in), reads the meeting and answers 不参加 with a reason, then changes to 参加; the
organizer's meeting page counts it. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from tests.e2e.browser import new_page
from tests.e2e.kit import User, unique
from tests.e2e.test_browser_meeting import sign_in, wait_mail

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 390, "height": 844}


def test_a_leader_answers_from_the_invitation_mail_on_a_phone_and_the_organizer_sees_it(
    base_url: str, browser: Browser, screenshots: Path
) -> None:
    topic = unique("全市安全生产工作专题调度会")
    day = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=33)).date().isoformat()
    created = User(base_url, "zhangwei").post(
        "/api/meetings",
        json={
            "topic": topic,
            "room_id": "room-305",
            "start": f"{day}T10:00:00+08:00",
            "end": f"{day}T11:00:00+08:00",
            "participants": ["zhouqiang", "lina"],
            "description": "一、通报近期安全生产形势\n二、部署元旦春节期间工作",
        },
    )
    assert created.status_code == 201, created.text
    mail = wait_mail(base_url, "zhouqiang", f"会议通知：{topic}")

    phone = new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Asia/Shanghai")
    phone.set_content(str(mail["html"]))  # the email as the phone's mail app shows it
    phone.get_by_role("link", name="回复参加或不参加").click()
    phone.wait_for_url(f"{base_url}/replies/*")
    expect(phone.locator("#reply-topic")).to_have_text(topic)
    expect(phone.locator("#reply-when")).to_contain_text("10:00–11:00")
    expect(phone.locator("#reply-agenda")).to_contain_text("部署元旦春节期间工作")
    expect(phone.locator("#reply-current")).to_contain_text("您还没有回复")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    phone.screenshot(path=str(screenshots / "40-reply-link-phone.png"), full_page=True)

    phone.locator("#reason").fill("同一时间参加市政府常务会议")
    phone.get_by_role("button", name="不参加").click()
    expect(phone.locator("#reply-done")).to_contain_text("已回复：不参加")
    expect(phone.locator("#reply-answer")).to_have_text("不参加")
    phone.screenshot(path=str(screenshots / "41-reply-link-answered-phone.png"), full_page=True)
    phone.get_by_role("button", name="参加", exact=True).click()
    expect(phone.locator("#reply-answer")).to_have_text("参加")
    phone.context.close()

    organizer = new_page(browser, timezone_id="Asia/Shanghai")
    sign_in(organizer, base_url, "zhangwei")
    organizer.goto(f"{base_url}/meetings/{created.json()['meeting_id']}")
    expect(organizer.locator("#meeting-replies")).to_contain_text("参加 1 人 · 不参加 0 人 · 未回复 1 人")
    organizer.context.close()
