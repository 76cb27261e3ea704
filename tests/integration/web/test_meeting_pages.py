"""会议室 pages over HTTP: the grid, applying from a free slot, approving, the dashboard."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import unquote

import pytest

from infra.local.messages import HttpResponse
from infra.local.polling import wait_for
from infra.local.stack import LocalStack
from oa_core.platform.clock import local_zone
from tests.integration.web.webkit import Browser, location_path

pytestmark = pytest.mark.integration


def test_a_meeting_is_applied_for_from_a_free_slot_approved_and_listed(stack: LocalStack) -> None:
    day = (datetime.now(local_zone()) + timedelta(days=30)).date().isoformat()
    organizer = Browser(stack)
    organizer.sign_in("zhangwei")
    grid = organizer.get(f"/rooms?date={day}")
    assert grid.status == 200
    assert "第一会议室" in grid.text and "需审批" in grid.text
    free = re.search(r'href="(/meetings/new\?room=room-301&amp;start=[^"]+T10%3A00[^"]*)"', grid.text)
    assert free, "a free 10:00 slot of 第一会议室 links to the application form"
    form = organizer.get(free.group(1).replace("&amp;", "&"))
    assert form.status == 200
    assert 'value="room-301" selected' in form.text and f'value="{day}"' in form.text
    response = organizer.post(
        "/meetings/new",
        {
            "csrf": organizer.csrf(form),
            "topic": "季度工作调度会<script>",
            "room_id": "room-301",
            "date": day,
            "start_time": "10:00",
            "end_time": "11:00",
            "participants": ["lina", "wangfang"],
            "equipment": ["投影仪"],
            "description": "",
        },
    )
    assert response.status == 303, response.text
    meeting_path = location_path(response).split("?")[0]
    page = organizer.get(location_path(response))
    assert "会议室已为您暂留" in unquote(page.text) or "会议室已为您暂留" in page.text
    assert "待审批" in page.text and "<script>" not in page.text
    held = organizer.get(f"/rooms/room-301?date={day}")
    assert re.search(r'<td class="taken held"[^>]*><span class="state">待审批</span>', held.text), "the hold, marked"

    approver = Browser(stack)
    approver.sign_in("zhouqiang")

    def approver_dashboard() -> HttpResponse | None:
        shown = approver.get("/")
        return shown if meeting_path in shown.text else None

    dashboard = wait_for(approver_dashboard, "the approver's dashboard task")
    assert "会议室预订" in dashboard.text
    decision_page = approver.get(meeting_path)
    task_id = re.search(r'name="task_id" value="([^"]+)"', decision_page.text).group(1)  # type: ignore[union-attr]
    decided = approver.post(
        f"{meeting_path}/decision",
        {"csrf": approver.csrf(decision_page), "task_id": task_id, "decision": "approve", "opinion": "同意"},
    )
    assert decided.status == 303, decided.text
    wait_for(lambda: "已确认" in organizer.get(meeting_path).text, "the meeting to be confirmed")

    participant = Browser(stack)
    participant.sign_in("lina")
    assert "季度工作调度会" in participant.get("/").text, "participants see their meetings on the dashboard"
    assert participant.get(meeting_path).status == 200
    outsider = Browser(stack)
    outsider.sign_in("sunli")
    assert outsider.get(meeting_path).status == 403


def test_a_taken_slot_keeps_the_form_and_says_why(stack: LocalStack) -> None:
    day = (datetime.now(local_zone()) + timedelta(days=31)).date().isoformat()
    first, second = Browser(stack), Browser(stack)
    first.sign_in("zhangwei")
    second.sign_in("lina")
    for browser, topic, status in ((first, "先到的会议", 303), (second, "后到的会议", 409)):
        form = browser.get("/meetings/new")
        response = browser.post(
            "/meetings/new",
            {
                "csrf": browser.csrf(form),
                "topic": topic,
                "room_id": "room-305",
                "date": day,
                "start_time": "14:00",
                "end_time": "15:00",
                "participants": ["wangfang"],
            },
        )
        assert response.status == status, response.text
    assert "时段已被占用" in response.text and "后到的会议" in response.text


def test_a_vehicle_is_requested_and_assigned_from_the_dispatch_page(stack: LocalStack) -> None:
    day = (datetime.now(local_zone()) + timedelta(days=32)).date().isoformat()
    requester = Browser(stack)
    requester.sign_in("lina")
    page = requester.get("/dispatch")
    assert "申请用车" in page.text and "待派车" not in page.text, "only dispatchers see the queue"
    sent = requester.post(
        "/dispatch/new",
        {
            "csrf": requester.csrf(page),
            "purpose": "赴区政府送文件",
            "passengers": "2",
            "origin": "机关大院",
            "destination": "区政府",
            "date": day,
            "start_time": "14:00",
            "end_time": "16:00",
        },
    )
    assert sent.status == 303, sent.text
    assert "待派车" in requester.get(location_path(sent)).text
    dispatcher = Browser(stack)
    dispatcher.sign_in("zhouqiang")
    queue = dispatcher.get("/dispatch")
    match = re.search(r'action="(/dispatch/(V[^"/]+)/decision)"', queue.text)
    assert match and "赴区政府送文件" in queue.text
    assert "别克GL8" in queue.text and "王师傅" in queue.text, "free vehicles and drivers are offered"
    assigned = dispatcher.post(
        match.group(1),
        {"csrf": dispatcher.csrf(queue), "decision": "assign", "vehicle_id": "car-01", "driver_id": "driver-wang"},
    )
    assert assigned.status == 303, assigned.text
    assert "已派车" in requester.get("/dispatch").text


def test_an_administrator_adds_a_room_from_the_page_and_others_cannot(stack: LocalStack) -> None:
    admin = Browser(stack)
    admin.sign_in("admin")
    page = admin.get("/resources")
    assert "添加或修改" in page.text and "第一会议室" in page.text
    fields = {
        "csrf": admin.csrf(page),
        "resource_id": "room-701",
        "kind": "room",
        "name": "七楼会议室",
        "building": "行政楼7层",
        "capacity": "16",
        "equipment": "投影仪、电子白板",
    }
    saved = admin.post("/resources", fields)
    assert saved.status == 303, saved.text
    assert "七楼会议室" in admin.get("/rooms").text, "the new room has a column in the grid"
    staff = Browser(stack)
    staff.sign_in("lina")
    listing = staff.get("/resources")
    assert "七楼会议室" in listing.text and "添加或修改" not in listing.text
    refused = staff.post("/resources", {**fields, "csrf": staff.csrf(staff.get("/")), "resource_id": "room-702"})
    assert refused.status == 403 and "管理员" in refused.text


def test_the_room_grid_shows_other_peoples_meetings_as_taken_by_a_department(stack: LocalStack) -> None:
    day = (datetime.now(local_zone()) + timedelta(days=33)).date().isoformat()
    organizer = Browser(stack)
    organizer.sign_in("zhangwei")
    body = {
        "topic": "保密议题：干部任免",
        "room_id": "room-305",
        "start": f"{day}T14:00+08:00",
        "end": f"{day}T15:00+08:00",
        "participants": ["lina"],
    }
    from tests.integration.kit import Api

    status, created = Api(stack).call("POST", "/api/meetings", "zhangwei", body)
    assert status == 201, created
    assert "保密议题：干部任免" in organizer.get(f"/rooms?date={day}").text, "the organizer sees the topic"
    outsider = Browser(stack)
    outsider.sign_in("huangmin")
    grid = outsider.get(f"/rooms?date={day}")
    assert grid.status == 200
    assert "办公室 占用" in grid.text and "干部任免" not in grid.text
    week = outsider.get(f"/rooms/room-305?date={day}")
    assert "办公室 占用" in week.text and "干部任免" not in week.text


def _request_vehicle(requester: Browser, purpose: str, day: str) -> None:
    page = requester.get("/dispatch")
    form = {
        "csrf": requester.csrf(page),
        "purpose": purpose,
        "passengers": "1",
        "origin": "机关大院",
        "destination": "市档案馆",
        "date": day,
        "start_time": "09:00",
        "end_time": "11:00",
    }
    assert requester.post("/dispatch/new", form).status == 303


def test_the_requester_sees_the_car_and_plate_and_the_drivers_name_and_phone_not_their_ids(
    stack: LocalStack,
) -> None:
    day = (datetime.now(local_zone()) + timedelta(days=33)).date().isoformat()
    requester = Browser(stack)
    requester.sign_in("lina")
    _request_vehicle(requester, "赴档案馆移交档案", day)
    dispatcher = Browser(stack)
    dispatcher.sign_in("zhouqiang")
    queue = dispatcher.get("/dispatch")
    match = re.search(r'action="(/dispatch/V[^"/]+/decision)"[^>]*>(?:(?!</form>).)*赴档案馆移交档案', queue.text, re.S)
    assert match, "the request waits in the dispatcher's queue"
    assigned = dispatcher.post(
        match.group(1),
        {"csrf": dispatcher.csrf(queue), "decision": "assign", "vehicle_id": "car-02", "driver_id": "driver-li"},
    )
    assert assigned.status == 303, assigned.text
    mine = requester.get("/dispatch").text.split('id="my-dispatch"', 1)[1]
    assert "大众帕萨特" in mine and "京A·67890" in mine
    assert "李师傅" in mine and "13800000002" in mine
    assert "car-02" not in mine and "driver-li" not in mine


def test_a_pending_vehicle_request_is_in_the_dispatchers_pending_list_on_the_dashboard(stack: LocalStack) -> None:
    day = (datetime.now(local_zone()) + timedelta(days=34)).date().isoformat()
    requester = Browser(stack)
    requester.sign_in("lina")
    _request_vehicle(requester, "赴市委送阅文件", day)
    dispatcher = Browser(stack)
    dispatcher.sign_in("zhouqiang")
    pending = dispatcher.get("/").text.split('id="my-tasks"', 1)[1].split("</section>", 1)[0]
    assert "赴市委送阅文件" in pending and "派车" in pending
    assert 'href="/dispatch#dispatch-V' in pending, "the row opens the request on the dispatch page"
    assert "赴市委送阅文件" not in requester.get("/").text.split('id="my-tasks"', 1)[1].split("</section>", 1)[0]


def test_a_trip_over_several_days_is_requested_from_the_form_and_listed_with_both_dates(stack: LocalStack) -> None:
    first = (datetime.now(local_zone()) + timedelta(days=35)).date()
    last = first + timedelta(days=2)
    requester = Browser(stack)
    requester.sign_in("lina")
    page = requester.get("/dispatch")
    assert 'name="end_date"' in page.text, "the form asks for the day of return"
    form = {
        "csrf": requester.csrf(page),
        "purpose": "赴外省调研三天",
        "passengers": "2",
        "origin": "机关大院",
        "destination": "省会",
        "date": first.isoformat(),
        "start_time": "08:00",
        "end_date": last.isoformat(),
        "end_time": "18:00",
    }
    sent = requester.post("/dispatch/new", form)
    assert sent.status == 303, sent.text
    mine = requester.get("/dispatch").text.split('id="my-dispatch"', 1)[1]
    row = next(r for r in mine.split("<tr>") if "赴外省调研三天" in r)
    assert f"{first.year}年{first.month}月{first.day}日" in row and f"{last.year}年{last.month}月{last.day}日" in row
    assert "08:00" in row and "18:00" in row
