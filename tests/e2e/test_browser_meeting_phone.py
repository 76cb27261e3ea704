"""会议室 on a 390×844 phone, in headless Chromium: the day list per room (no sideways scrolling),
applying from a free slot with the participant filter and 每周 repetition, and the booked meeting
shown whole, marked, and opening its page. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from infra.local.polling import wait_for
from tests.e2e.browser import new_page
from tests.e2e.test_browser_meeting import sign_in

pytestmark = pytest.mark.e2e

TOPIC = "关于做好2027年元旦春节期间安全生产和值班值守工作的专题部署会议"


def test_the_rooms_day_works_on_a_phone_from_a_free_slot_to_the_booked_meeting(
    base_url: str, browser: Browser, screenshots: Path
) -> None:
    phone = new_page(browser, viewport={"width": 390, "height": 844}, timezone_id="Asia/Shanghai")
    day = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=24)).date().isoformat()
    sign_in(phone, base_url, "zhangwei")
    phone.goto(f"{base_url}/rooms?date={day}")
    expect(phone.locator("#rooms-list")).to_be_visible()
    expect(phone.locator("#rooms-grid")).to_be_hidden()
    wide = phone.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"the page scrolls sideways on a phone: {wide}px wide"
    phone.locator("#rooms-list a.slot[href*='room=room-305'][href*='T14%3A00']").click()
    expect(phone.locator("#room_id")).to_have_value("room-305")
    phone.locator("#topic").fill(TOPIC)
    phone.locator("#end_time").select_option("15:30")
    phone.locator("[data-picker-filter]").fill("李")
    expect(phone.locator("[data-picker-item]:visible")).to_have_text(["李娜"])
    phone.locator("#participants input[value='lina']").check()
    expect(phone.locator("[data-picker-count]")).to_have_text("已选 1 人")
    phone.locator("#repeat").select_option("weekly")
    phone.locator("#count").fill("2")
    phone.screenshot(path=str(screenshots / "30-meeting-form-phone.png"), full_page=True)
    phone.locator("#apply").click()
    expect(phone.locator("#notice")).to_contain_text("周期会议共 2 次")

    def confirmed() -> bool:
        phone.reload()
        return phone.locator("#meeting-status").inner_text() == "已确认"

    wait_for(confirmed, "the meeting confirmed (a room without approval)")
    meeting_url = phone.url.split("?")[0]

    phone.goto(f"{base_url}/rooms?date={day}")
    booked = phone.locator("#rooms-list li.taken", has_text=TOPIC)
    expect(booked).to_contain_text("已确认")
    expect(booked).to_contain_text("14:00–15:30")
    box = booked.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390, "the whole title wraps inside the screen"
    phone.screenshot(path=str(screenshots / "31-rooms-day-phone.png"), full_page=True)
    booked.get_by_role("link", name=TOPIC).click()
    expect(phone.locator("h1.page")).to_have_text(TOPIC)
    assert phone.url.split("?")[0] == meeting_url
    phone.screenshot(path=str(screenshots / "32-meeting-phone.png"), full_page=True)
