"""车辆调度 through the API: a request, the dispatcher's assignment, never a vehicle or driver twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from itertools import count
from typing import Any
from urllib.parse import quote

import pytest

from infra.local.polling import wait_for
from infra.local.stack import LocalStack
from oa_core.platform.clock import local_zone
from tests.integration.kit import Api, at_once, outbox_seen

pytestmark = pytest.mark.integration

REQUESTER, DISPATCHER = "zhangwei", "zhouqiang"
_days = count(40)


def fresh_day() -> date:
    return datetime.now(local_zone()).date() + timedelta(days=next(_days))


def at(day: date, hhmm: str) -> str:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=local_zone()).isoformat()


def at_text(day: date, text: str) -> str:
    """``HH:MM`` on ``day``, or ``+N HH:MM``: N days later."""
    later, _, hhmm = text.rpartition(" ")
    return at(day + timedelta(days=int(later or 0)), hhmm)


def request(api: Api, day: date, user: str = REQUESTER, **fields: Any) -> tuple[int, Any]:
    body = {
        "purpose": "赴市财政局汇报预算",
        "passengers": 3,
        "origin": "机关大院",
        "destination": "市财政局",
        "start": at(day, "09:00"),
        "end": at(day, "12:00"),
        **fields,
    }
    return api.call("POST", "/api/dispatch", user, body)


def assign(api: Api, dispatch_id: str, vehicle: str, driver: str, user: str = DISPATCHER) -> tuple[int, Any]:
    body = {"decision": "assign", "vehicle_id": vehicle, "driver_id": driver}
    return api.call("POST", f"/api/dispatch/{dispatch_id}/decision", user, body)


def occupied(api: Api, resource: str, day: date) -> list[dict[str, Any]]:
    window = f"from={quote(at(day, '00:00'))}&to={quote(at(day, '23:30'))}"
    return list(api.call("GET", f"/api/resources/{resource}/bookings?{window}", REQUESTER)[1])


def mails_to(stack: LocalStack, address_start: str, words: str) -> list[dict[str, Any]]:
    return [m for m in stack.outbox() if any(t.startswith(address_start) for t in m["to"]) and words in m["subject"]]


def test_a_request_is_assigned_a_free_vehicle_and_driver_and_both_are_told(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    status, created = request(api, day)
    assert status == 201 and created["status"] == "pending"
    assert wait_for(
        lambda: mails_to(stack, f"{DISPATCHER}@", "用车申请"), "the dispatcher's email", saw=outbox_seen(stack)
    )
    pending = api.call("GET", "/api/dispatch", DISPATCHER)[1]["pending"]
    assert created["dispatch_id"] in {d["dispatch_id"] for d in pending}
    status, assigned = assign(api, created["dispatch_id"], "car-01", "driver-wang")
    assert status == 200, assigned
    assert assigned["status"] == "assigned" and len(assigned["booking_ids"]) == 2
    assert [b["title"] for b in occupied(api, "car-01", day)] == ["用车：赴市财政局汇报预算（市财政局）"]
    assert len(occupied(api, "driver-wang", day)) == 1
    assert wait_for(lambda: mails_to(stack, f"{REQUESTER}@", "已派车"), "the requester's email", saw=outbox_seen(stack))
    assert wait_for(lambda: mails_to(stack, "driver.wang@", "出车任务"), "the driver's email", saw=outbox_seen(stack))
    assert assign(api, created["dispatch_id"], "car-02", "driver-li")[0] == 409, "assigned once only"


def test_a_vehicle_or_a_driver_is_never_assigned_twice_at_once(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    first = request(api, day, purpose="上午外出一")[1]["dispatch_id"]
    second = request(api, day, "lina", purpose="上午外出二", start=at(day, "11:00"), end=at(day, "13:00"))[1][
        "dispatch_id"
    ]
    results = at_once(
        [
            partial(assign, api, first, "car-01", "driver-wang"),
            partial(assign, api, second, "car-01", "driver-li"),
        ]
    )
    assert sorted(status for status, _ in results) == [200, 409], results
    loser = second if results[0][0] == 200 else first
    assert assign(api, loser, "car-02", "driver-wang" if results[0][0] == 200 else "driver-li")[0] == 409, (
        "the winner's driver is taken too"
    )
    assert assign(api, loser, "car-02", "driver-li" if results[0][0] == 200 else "driver-wang")[0] == 200
    assert len(occupied(api, "car-01", day)) == 1 and len(occupied(api, "car-02", day)) == 1
    assert len(occupied(api, "driver-wang", day)) == 1 and len(occupied(api, "driver-li", day)) == 1


def test_only_a_dispatcher_assigns_and_a_refusal_needs_a_reason(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    dispatch_id = request(api, day, passengers=5)[1]["dispatch_id"]
    assert assign(api, dispatch_id, "car-01", "driver-wang", user="lina")[0] == 403
    status, body = assign(api, dispatch_id, "car-02", "driver-wang")
    assert status == 422 and "只有 4 个座位" in body["error"]["message"]
    status, body = api.call("POST", f"/api/dispatch/{dispatch_id}/decision", DISPATCHER, {"decision": "reject"})
    assert status == 422 and "原因" in body["error"]["message"]
    status, body = api.call(
        "POST",
        f"/api/dispatch/{dispatch_id}/decision",
        DISPATCHER,
        {"decision": "reject", "opinion": "当日车辆均已安排"},
    )
    assert status == 200 and body["status"] == "rejected"
    assert wait_for(lambda: mails_to(stack, f"{REQUESTER}@", "未派车"), "the refusal email", saw=outbox_seen(stack))


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"end": "08:00"}, "结束时间必须晚于开始时间"),
        ({"start": "06:00", "end": "+8 06:30"}, "最长 7 天"),
        ({"passengers": 0}, "乘车人数"),
        ({"destination": ""}, "不能为空"),
    ],
)
def test_a_bad_request_is_refused_with_a_message(stack: LocalStack, fields: dict[str, Any], words: str) -> None:
    api = Api(stack)
    day = fresh_day()
    fields = {k: at_text(day, v) if k in ("start", "end") else v for k, v in fields.items()}
    status, body = request(api, day, **fields)
    assert status == 422, body
    assert words in body["error"]["message"]


def test_a_trip_over_three_days_books_the_car_and_the_driver_for_every_day_of_it(stack: LocalStack) -> None:
    api = Api(stack)
    day = fresh_day()
    status, created = request(
        api, day, purpose="赴省里参加三天培训", start=at(day, "08:00"), end=at(day + timedelta(days=2), "18:00")
    )
    assert status == 201, created
    assert created["start"][:10] == day.isoformat() and created["end"][:10] == (day + timedelta(days=2)).isoformat()
    status, assigned = assign(api, created["dispatch_id"], "car-01", "driver-li")
    assert status == 200, assigned
    for offset in range(3):
        on = day + timedelta(days=offset)
        assert [b["title"] for b in occupied(api, "car-01", on)] == ["用车：赴省里参加三天培训（市财政局）"], on
        assert len(occupied(api, "driver-li", on)) == 1, on
    middle = day + timedelta(days=1)
    other = request(api, middle, "lina", purpose="中间一天的外出", start=at(middle, "10:00"), end=at(middle, "11:00"))
    status, body = assign(api, other[1]["dispatch_id"], "car-01", "driver-wang")
    assert status == 409, body
    status, body = assign(api, other[1]["dispatch_id"], "car-02", "driver-li")
    assert status == 409 and "李师傅" in body["error"]["message"], "the driver is away for all three days"
