"""会议 pages of issue 12 over HTTP: booked cells that open the meeting, 周期会议, the participant
picker, 参会回执 and 变更 of room and participants from the meeting page."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from infra.local.polling import wait_for
from infra.local.stack import LocalStack
from oa_core.platform.clock import local_zone
from tests.integration.kit import outbox_seen
from tests.integration.web.webkit import Browser, location_path

pytestmark = pytest.mark.integration


def future_day(days: int) -> str:
    return (datetime.now(local_zone()) + timedelta(days=days)).date().isoformat()


def apply(organizer: Browser, day: str, topic: str, **extra: Any) -> Any:
    fields: dict[str, Any] = {
        "topic": topic,
        "room_id": "room-305",
        "date": day,
        "start_time": "14:00",
        "end_time": "15:00",
        "participants": ["lina", "wangfang"],
        "description": "",
        **extra,
    }
    return organizer.post("/meetings/new", {"csrf": organizer.csrf(organizer.get("/meetings/new")), **fields})


def confirmed(browser: Browser, meeting_path: str) -> str:
    def page() -> str | None:
        text = browser.get(meeting_path).text
        return text if 'id="meeting-status">已确认' in text else None

    return str(wait_for(page, "the meeting confirmed"))


def test_a_booked_cell_opens_its_meeting_for_those_invited_and_only_names_the_department_to_others(
    stack: LocalStack,
) -> None:
    day = future_day(40)
    organizer = Browser(stack)
    organizer.sign_in("zhangwei")
    created = apply(organizer, day, "全年工作总结与明年工作安排部署专题会议（扩大）")
    assert created.status == 303, created.text
    meeting_path = location_path(created).split("?")[0]
    confirmed(organizer, meeting_path)
    grid = organizer.get(f"/rooms?date={day}").text
    cell = re.search(
        r'<td class="taken confirmed" rowspan="(\d+)"[^>]*><span class="state">已确认</span>\s*<a href="([^"]+)">', grid
    )
    assert cell, "the organizer's booked cell is one cell, marked 已确认, with a link"
    assert cell.group(1) == str(60 // stack_slot_minutes()) and cell.group(2) == meeting_path
    assert "全年工作总结与明年工作安排部署专题会议（扩大）</a>" in grid, "the whole title, not cut"
    participant = Browser(stack)
    participant.sign_in("lina")
    assert f'href="{meeting_path}"' in participant.get(f"/rooms/room-305?date={day}").text
    outsider = Browser(stack)
    outsider.sign_in("huangmin")
    seen = outsider.get(f"/rooms?date={day}").text
    assert "办公室 占用" in seen and meeting_path not in seen and "全年工作总结" not in seen


def stack_slot_minutes() -> int:
    from oa_core.platform.config import settings

    return settings().slot_minutes


def test_a_weekly_meeting_books_every_occurrence_and_a_clash_on_any_one_books_none(stack: LocalStack) -> None:
    first = date.fromisoformat(future_day(60))
    organizer = Browser(stack)
    organizer.sign_in("zhangwei")
    created = apply(organizer, first.isoformat(), "周例会", repeat="weekly", count="3")
    assert created.status == 303, created.text
    assert "周期会议共 3 次" in organizer.get(location_path(created)).text
    for week in range(3):
        day = (first + timedelta(days=7 * week)).isoformat()
        assert "周例会" in organizer.get(f"/rooms?date={day}").text, f"occurrence {week + 1} on {day}"
    clash_start = first - timedelta(days=14)  # its third occurrence falls on the first 周例会
    other = Browser(stack)
    other.sign_in("lina")
    refused = apply(
        other, clash_start.isoformat(), "另一个周期会", repeat="weekly", count="3", participants=["chenjing"]
    )
    assert refused.status == 409, refused.text
    assert 'id="form-error"' in refused.text
    for week in range(2):
        day = (clash_start + timedelta(days=7 * week)).isoformat()
        assert "另一个周期会" not in other.get(f"/rooms?date={day}").text, f"nothing kept on {day}"
    bad = apply(organizer, first.isoformat(), "周例会二", repeat="weekly", count="99")
    assert bad.status == 422 and "2 到 52" in bad.text


def test_the_participant_picker_groups_people_by_department_and_works_as_plain_checkboxes(stack: LocalStack) -> None:
    organizer = Browser(stack)
    organizer.sign_in("zhangwei")
    form = organizer.get("/meetings/new").text
    groups = re.findall(r'<div class="picker-group" data-picker-group>\s*<p class="label">([^<]+)</p>', form)
    assert {"办公室", "政策法规科", "财务科", "综合科", "领导班子"} <= set(groups)
    office = form.split('<p class="label">办公室</p>')[1].split("</div>")[0]
    assert 'value="wangfang"' in office and 'value="lina"' not in office
    assert 'value="zhangwei"' not in form.split("data-picker")[1], "the organizer is not a choice"
    assert "data-picker-filter" in form, "the filter box oa.js shows"


def test_participants_reply_from_the_page_the_invitation_links_and_the_organizer_sees_the_tally(
    stack: LocalStack,
) -> None:
    day = future_day(45)
    organizer = Browser(stack)
    organizer.sign_in("zhangwei")
    meeting_path = location_path(apply(organizer, day, "回执测试会")).split("?")[0]
    confirmed(organizer, meeting_path)
    mail = wait_for(
        lambda: [m for m in stack.outbox() if "会议通知：回执测试会" in m["subject"] and "zhangwei@" in m["to"][0]],
        "the organizer's invitation email",
        saw=outbox_seen(stack),
    )[-1]
    assert meeting_path in mail["text"] and "参会回执" in mail["text"], "the organizer's copy links the tally"
    for user, answer in (("lina", "attending"), ("wangfang", "absent")):
        person = Browser(stack)
        person.sign_in(user)
        shown = person.get(meeting_path)
        assert "您还没有回复" in shown.text
        done = person.post(f"{meeting_path}/reply", {"csrf": person.csrf(shown), "reply": answer})
        assert done.status == 303, done.text
        assert "您已回复：" + ("参加" if answer == "attending" else "不参加") in person.get(meeting_path).text
    tally = organizer.get(meeting_path).text
    assert "参加 1 人 · 不参加 1 人 · 未回复 0 人" in tally
    outsider = Browser(stack)
    outsider.sign_in("huangmin")
    refused = outsider.post(f"{meeting_path}/reply", {"csrf": outsider.csrf(outsider.get("/")), "reply": "attending"})
    assert refused.status == 403 and "无权" in refused.text and "not your" not in refused.text
    lina = Browser(stack)
    lina.sign_in("lina")
    odd = lina.post(f"{meeting_path}/reply", {"csrf": lina.csrf(lina.get(meeting_path)), "reply": "maybe"})
    assert odd.status == 422 and "请选择" in odd.text


def test_the_organizer_changes_participants_at_once_and_a_room_needing_approval_goes_to_the_approver(
    stack: LocalStack,
) -> None:
    day = future_day(50)
    organizer = Browser(stack)
    organizer.sign_in("zhangwei")
    meeting_path = location_path(apply(organizer, day, "变更测试会")).split("?")[0]
    page = confirmed(organizer, meeting_path)
    assert 'id="change-room"' in page and "data-picker" in page.split('id="meeting-change"')[1]
    lina = Browser(stack)
    lina.sign_in("lina")
    replied = lina.post(f"{meeting_path}/reply", {"csrf": lina.csrf(lina.get(meeting_path)), "reply": "attending"})
    assert replied.status == 303, replied.text
    base = {"topic": "变更测试会", "date": day, "start_time": "14:00", "end_time": "15:00", "participants_shown": "1"}
    moved = organizer.post(
        f"{meeting_path}/change",
        {
            **base,
            "csrf": organizer.csrf(organizer.get(meeting_path)),
            "room_id": "room-305",
            "participants": ["lina", "chenjing"],
        },
    )
    assert moved.status == 303, moved.text
    shown = organizer.get(meeting_path).text
    assert "陈静" in shown and "王芳" not in shown.split('id="attendees"')[1].split("</ul>")[0]
    assert "参加 1 人 · 不参加 0 人 · 未回复 1 人" in shown, "a change of people only keeps the answers given"
    to_approve = organizer.post(
        f"{meeting_path}/change",
        {**base, "csrf": organizer.csrf(organizer.get(meeting_path)), "room_id": "room-301", "participants": ["lina"]},
    )
    assert to_approve.status == 303, to_approve.text
    pending = organizer.get(location_path(to_approve)).text
    assert "变更已提交审批" in pending and 'id="pending-change"' in pending and "第一会议室" in pending
    assert 'id="meeting-change"' not in pending, "no second change while one awaits approval"
