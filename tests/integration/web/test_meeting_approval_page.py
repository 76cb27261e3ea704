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
from tests.integration.workflow.test_approval_links import email, get_page, link_for

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
    applied(stack, topic, 40, "09:00")
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


def test_cancelling_a_meeting_asks_first_and_only_the_confirmation_cancels(stack: LocalStack) -> None:
    organizer, path = applied(stack, "待取消的会议", 41, "10:00")
    page = organizer.get(path)
    asked = organizer.post(f"{path}/cancel", {"csrf": organizer.csrf(page)})
    assert asked.status == 200 and "确认取消会议" in asked.text and 'name="confirm" value="yes"' in asked.text
    assert "待审批" in organizer.get(path).text, "asking changed nothing"
    done = organizer.post(f"{path}/cancel", {"csrf": organizer.csrf(asked), "confirm": "yes"})
    assert done.status == 303, done.text
    wait_for(lambda: "已取消" in organizer.get(path).text, "the meeting page to show 已取消")
