"""会议室预订审批 behind the emailed link: everything decided on, the list and count agreeing; 取消会议 asks first."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from infra.local.polling import wait_for
from infra.local.stack import LocalStack
from oa_core.identity import directory
from oa_core.platform.clock import local_zone
from tests.integration.web.webkit import Browser, location_path
from tests.integration.workflow.test_approval_links import email, get_page, link_for, post_form, task_id_in

pytestmark = pytest.mark.integration


def applied(stack: LocalStack, topic: str, days: int, start: str) -> tuple[Browser, str]:
    """zhangwei applies for 第一会议室 (需审批) with lina and wangfang; the meeting page's path."""
    day = (datetime.now(local_zone()) + timedelta(days=days)).date().isoformat()
    organizer = Browser(stack)
    organizer.sign_in("zhangwei")
    form = organizer.get("/meetings/new")
    response = organizer.post(
        "/meetings/new",
        {
            "csrf": organizer.csrf(form),
            "topic": topic,
            "room_id": "room-301",
            "date": day,
            "start_time": start,
            "end_time": f"{int(start[:2]) + 1:02d}:00",
            "participants": ["lina", "wangfang"],
            "equipment": ["投影仪"],
            "description": "请带<好>材料",
        },
    )
    assert response.status == 303, response.text
    return organizer, location_path(response).split("?")[0]


def test_the_meeting_approval_link_lists_everyone_counted_with_departments(stack: LocalStack) -> None:
    topic = "稿纸会议审批<测试>"
    organizer, path = applied(stack, topic, 40, "09:00")
    status, page = get_page(stack, link_for(stack, email("zhouqiang"), "稿纸会议审批"))
    assert status == 200
    departments = {d["department_id"]: d["name"] for d in directory.list_departments()}
    people = directory.get_users(["zhangwei", "lina", "wangfang"])
    listed = re.search(r'<ul class="plain" id="attendees">(.*?)</ul>', page, re.S)
    assert listed, "the participants are listed"
    items = re.findall(r"<li>(.*?)</li>", listed.group(1))
    assert len(items) == 3 and "共 3 人" in page, items
    for user_id, item in zip(["zhangwei", "lina", "wangfang"], items, strict=True):
        person = people[user_id]
        assert person["name"] in item and departments[person["department"]] in item
    assert "召集人" in items[0]
    assert "第一会议室" in page and "投影仪" in page and "请带&lt;好&gt;材料" in page
    assert "稿纸会议审批&lt;测试&gt;" in page and "<测试>" not in page
    staff = organizer.get(path).text
    assert "共 3 人" in staff and all(people[p]["name"] in staff for p in people), "the meeting page agrees"


def test_cancelling_a_meeting_asks_first_and_only_the_confirmation_cancels(stack: LocalStack) -> None:
    organizer, path = applied(stack, "待取消的会议", 41, "10:00")
    page = organizer.get(path)
    asked = organizer.post(f"{path}/cancel", {"csrf": organizer.csrf(page)})
    assert asked.status == 200 and "确认取消会议" in asked.text and 'name="confirm" value="yes"' in asked.text
    assert "待审批" in organizer.get(path).text, "asking changed nothing"
    done = organizer.post(f"{path}/cancel", {"csrf": organizer.csrf(asked), "confirm": "yes"})
    assert done.status == 303, done.text
    wait_for(lambda: "已取消" in organizer.get(path).text, "the meeting page to show 已取消")


def test_a_change_approval_shows_the_old_and_the_new_arrangement(stack: LocalStack) -> None:
    topic = "稿纸变更会议"
    organizer, path = applied(stack, topic, 42, "09:00")
    approver = Browser(stack)
    approver.sign_in("zhouqiang")
    page = wait_for(lambda: (shown := approver.get(path)) and 'name="task_id"' in shown.text and shown, "the task")
    task_id = re.search(r'name="task_id" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    decided = approver.post(
        f"{path}/decision", {"csrf": approver.csrf(page), "task_id": task_id, "decision": "approve", "opinion": ""}
    )
    assert decided.status == 303, decided.text
    confirmed = wait_for(lambda: (shown := organizer.get(path)) and "已确认" in shown.text and shown, "confirmed")
    day = re.search(r'name="date" value="([^"]+)"', confirmed.text).group(1)  # type: ignore[union-attr]
    changed = organizer.post(
        f"{path}/change",
        {"csrf": organizer.csrf(confirmed), "topic": topic, "date": day, "start_time": "14:00", "end_time": "15:00"},
    )
    assert changed.status == 303, changed.text
    status, page_text = get_page(stack, link_for(stack, email("zhouqiang"), f"会议变更：{topic}"))
    assert status == 200
    card = re.search(r'id="meeting-changes">(.*?)</table>', page_text, re.S)
    assert card, "the change is shown as before and after"
    row = re.search(r"<th>时间</th><td><del>([^<]*)</del></td><td><ins>([^<]*)</ins></td>", card.group(1))
    assert row and "09:00" in row.group(1) and "14:00" in row.group(2), card.group(1)
    assert "<th>会议主题</th>" not in card.group(1), "only what changes is listed"


def test_refusing_a_meeting_needs_a_reason_on_the_link_and_on_the_meeting_page(stack: LocalStack) -> None:
    topic = "需说明理由的会议"
    _, path = applied(stack, topic, 43, "11:00")
    link = link_for(stack, email("zhouqiang"), topic)
    _, form = get_page(stack, link)
    status, page = post_form(stack, link, task_id=task_id_in(form), decision="reject", opinion="")
    assert status == 422 and "请填写意见" in page and "required" not in page
    approver = Browser(stack)
    approver.sign_in("zhouqiang")
    shown = approver.get(path)
    task_id = re.search(r'name="task_id" value="([^"]+)"', shown.text).group(1)  # type: ignore[union-attr]
    refused = approver.post(
        f"{path}/decision", {"csrf": approver.csrf(shown), "task_id": task_id, "decision": "reject", "opinion": " "}
    )
    assert refused.status == 422 and "请填写意见" in refused.text
    assert "待审批" in approver.get(path).text, "nothing was decided"
