"""车辆调度: a vehicle request goes to the dispatcher, who assigns a vehicle and a driver free in that
window, or refuses with a reason. The requester and the driver are told.

The vehicle and the driver are booked in one DynamoDB transaction (``reservations.book_together``), so
neither is ever assigned twice at once; the request moves from pending to assigned only on a
condition, so two dispatchers cannot assign it twice (the loser's bookings are taken back).
"""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from typing import Any

from pynamodb.expressions.update import Action

from oa_core.bookings import reservations
from oa_core.bookings.models import DispatchAssignment, DispatchRequest, DispatchView, ResourceView
from oa_core.bookings.storage import DispatchItem
from oa_core.identity import directory
from oa_core.platform import audit, clock, mail
from oa_core.platform.config import settings
from oa_core.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from oa_core.platform.storage import RecordItem, strs

MAX_DAYS = 7
"""The longest trip (出差用车 over several days); longer is a transfer of the car, not a trip."""
STATUS_NAMES = {"pending": "待派车", "assigned": "已派车", "rejected": "未派车", "cancelled": "已取消"}


def dispatchers() -> list[dict[str, Any]]:
    """调度员: the 文书 (clerks) of the office department."""
    return [u for u in directory.department_members(settings().office_department) if "clerk" in u["roles"]]


def is_dispatcher(user: dict[str, Any]) -> bool:
    return "sysadmin" in user["roles"] or any(d["user_id"] == user["user_id"] for d in dispatchers())


def load(dispatch_id: str) -> DispatchItem:
    try:
        return DispatchItem.get(f"DISPATCH#{dispatch_id}", "META", consistent_read=True)
    except DispatchItem.DoesNotExist:
        raise NotFound("这项用车申请不存在 (no such request)") from None


def view(item: DispatchItem) -> DispatchView:
    return DispatchView(
        dispatch_id=item.dispatch_id,
        requester=item.requester,
        purpose=item.purpose,
        passengers=int(item.passengers),
        origin=item.origin,
        destination=item.destination,
        start=item.start,
        end=item.end,
        status=item.status,
        vehicle_id=item.vehicle_id,
        driver_id=item.driver_id,
        booking_ids=strs(item.booking_ids),
        dispatcher=item.dispatcher,
        opinion=item.opinion,
    )


def days_of(span: reservations.Span) -> list[reservations.Span]:
    """The trip cut at each local midnight: one booking per calendar day, so no booking is longer than
    a day (what reservations.live_bookings looks back over) and one day's slots of the car and the
    driver fit one transaction."""
    pieces, start = [], span.start
    while start < span.end:
        local = start.astimezone(clock.local_zone())
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=clock.local_zone())
        pieces.append(reservations.Span(start, min(midnight, span.end)))
        start = pieces[-1].end
    return pieces


def _span(start: str, end: str) -> reservations.Span:
    """出发 to 返回: on the slot grid, in the future, at most MAX_DAYS (start and end on any days)."""
    span = reservations.Span(reservations.parse_time(start, "出发"), reservations.parse_time(end, "返回"))
    if span.end <= span.start:
        raise InvalidInput("返回时间必须晚于出发时间（结束时间必须晚于开始时间）")
    if span.end - span.start > timedelta(days=MAX_DAYS):
        raise InvalidInput(f"一次用车最长 {MAX_DAYS} 天，更长请分次申请")
    for day in days_of(span):
        reservations.check_span(day.start, day.end, "vehicle")
    return span


def _book_trip(vehicle: Any, driver: Any, span: reservations.Span, item: DispatchItem) -> list[str]:
    """The car and the driver for every day of the trip, or for none: each day in one transaction (its
    conditions decide a race); a day refused gives back the days already booked, then says why."""
    booked: list[str] = []
    try:
        for day in days_of(span):
            booked += reservations.book_together(
                [vehicle, driver],
                day,
                f"用车：{item.purpose}（{item.destination}）",
                item.requester,
                [],
                ("dispatch", item.dispatch_id),
            )
    except Conflict:
        for booking_id in booked:
            reservations.release(booking_id)
        raise
    return booked


def request(req: DispatchRequest, requester: dict[str, Any]) -> DispatchView:
    """用车申请: recorded as pending; the dispatchers are emailed."""
    span = _span(req.start, req.end)
    dispatch_id = f"V{clock.now():%Y%m%d}-{secrets.token_hex(4)}"
    now = clock.now_iso()
    item = DispatchItem(
        f"DISPATCH#{dispatch_id}",
        "META",
        dispatch_id=dispatch_id,
        requester=requester["user_id"],
        purpose=req.purpose,
        passengers=req.passengers,
        origin=req.origin,
        destination=req.destination,
        start=clock.iso(span.start),
        end=clock.iso(span.end),
        status="pending",
        created_at=now,
        updated_at=now,
        GSI1PK=f"REQUESTER#{requester['user_id']}",
        GSI1SK=f"{clock.iso(span.start)}#{dispatch_id}",
        GSI2PK="DISPATCH#pending",
        GSI2SK=f"{clock.iso(span.start)}#{dispatch_id}",
    )
    item.save(condition=DispatchItem.PK.does_not_exist())
    audit.record(requester["user_id"], "request_vehicle", dispatch_id, "ok", f"{item.start} {req.destination}")
    people = dispatchers()
    if people:
        mail.send(
            [p["email"] for p in people],
            f"用车申请：{req.purpose}",
            "dispatch_request",
            {
                "dispatch": view(item),
                "requester": requester["name"],
                "when": when(item),
                "link": f"{settings().public_base_url}/dispatch",
                "org_name": settings().org_name,
            },
        )
    return view(item)


def pending() -> list[DispatchItem]:
    """Requests waiting for a vehicle, by departure (one Query on GSI2)."""
    return [item for item in RecordItem.gsi2.query("DISPATCH#pending") if isinstance(item, DispatchItem)]


def mine(user_id: str) -> list[DispatchItem]:
    return [
        item
        for item in RecordItem.gsi1.query(f"REQUESTER#{user_id}", scan_index_forward=False, limit=20)
        if isinstance(item, DispatchItem)
    ]


def options(item: DispatchItem) -> dict[str, list[ResourceView]]:
    """Vehicles with enough seats and drivers, free for the whole window."""
    vehicles = reservations.list_resources("vehicle", free_from=item.start, free_to=item.end)
    drivers = reservations.list_resources("driver", free_from=item.start, free_to=item.end)
    return {"vehicles": [v for v in vehicles if v.seats >= int(item.passengers)], "drivers": drivers}


def decide(dispatch_id: str, assignment: DispatchAssignment, dispatcher: dict[str, Any]) -> DispatchView:
    """派车 (assign a vehicle and a driver) or refuse; the requester and the driver are told."""
    if not is_dispatcher(dispatcher):
        audit.record(dispatcher["user_id"], "dispatch", dispatch_id, "denied", "not a dispatcher")
        raise Forbidden("只有办公室调度员可以派车 (dispatchers only)")
    item = load(dispatch_id)
    if item.status != "pending":
        raise Conflict(f"该申请已{STATUS_NAMES.get(item.status, item.status)}，无需再处理 (already handled)")
    now = clock.now_iso()
    if assignment.decision == "reject":
        if not assignment.opinion:
            raise InvalidInput("不派车时请写明原因 (give a reason)")
        _close(item, "rejected", dispatcher["user_id"], now, assignment.opinion)
        _tell(item, None, None)
        return view(load(dispatch_id))
    if not assignment.vehicle_id or not assignment.driver_id:
        raise InvalidInput("请选择车辆和驾驶员 (choose a vehicle and a driver)")
    vehicle = reservations.get_resource(assignment.vehicle_id)
    driver = reservations.get_resource(assignment.driver_id)
    if vehicle.resource_kind != "vehicle" or driver.resource_kind != "driver":
        raise InvalidInput("请选择一辆车和一名驾驶员 (a vehicle and a driver)")
    if int(vehicle.seats) < int(item.passengers):
        raise InvalidInput(f"{vehicle.name}只有 {int(vehicle.seats)} 个座位，乘车 {int(item.passengers)} 人")
    booked = _book_trip(vehicle, driver, reservations.Span(clock.parse(item.start), clock.parse(item.end)), item)
    try:
        _close(
            item,
            "assigned",
            dispatcher["user_id"],
            now,
            assignment.opinion,
            vehicle_id=vehicle.resource_id,
            driver_id=driver.resource_id,
            booking_ids=booked,
        )
    except Conflict:
        for booking_id in booked:
            reservations.release(booking_id)
        raise
    _tell(load(dispatch_id), vehicle, driver)
    return view(load(dispatch_id))


def _close(item: DispatchItem, status: str, dispatcher: str, now: str, opinion: str, **assigned: Any) -> None:
    actions: list[Action] = [
        DispatchItem.status.set(status),
        DispatchItem.dispatcher.set(dispatcher),
        DispatchItem.opinion.set(opinion),
        DispatchItem.updated_at.set(now),
        DispatchItem.GSI2PK.set(f"DISPATCH#{status}"),
    ]
    actions += [getattr(DispatchItem, name).set(value) for name, value in assigned.items()]
    try:
        item.update(actions=actions, condition=DispatchItem.status == "pending")
    except Exception as exc:
        if "ConditionalCheckFailed" not in repr(exc):
            raise
        raise Conflict("该申请刚刚已被其他调度员处理 (handled by someone else just now)") from None
    audit.record(dispatcher, "dispatch", item.dispatch_id, status, " ".join(str(v) for v in assigned.values()))


def when(item: DispatchItem) -> str:
    """出发 to 返回 as people read it: 2026年12月3日（星期四）09:00–12:00, or both dates for a trip of days."""
    from oa_core.bookings.invitations import when_text

    return when_text(clock.parse(item.start), clock.parse(item.end))


def _tell(item: DispatchItem, vehicle: Any, driver: Any) -> None:
    requester = directory.get_user(item.requester)
    context = {
        "dispatch": view(item),
        "status_name": STATUS_NAMES[item.status],
        "when": when(item),
        "vehicle": vehicle,
        "driver": driver,
        "requester": requester["name"] if requester else item.requester,
        "org_name": settings().org_name,
    }
    if requester is not None:
        mail.send(
            [requester["email"]],
            f"用车申请{STATUS_NAMES[item.status]}：{item.purpose}",
            "dispatch_outcome",
            {**context, "name": requester["name"]},
        )
    if driver is not None and driver.email:
        mail.send([driver.email], f"出车任务：{item.purpose}", "dispatch_outcome", {**context, "name": driver.name})
