"""Resources and bookings in the JSON API: 会议室、车辆、驾驶员 (listed, added), their 占用情况,
预订 and 取消预订 (oa_core.bookings.reservations)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.bookings.models import BookingCancelled, BookingRequest, BookingView, ResourceInput, ResourceView
from oa_core.identity.caller import caller
from oa_core.platform.errors import InvalidInput
from oa_core.platform.http import CONTENT_JSON

from .common import window

router = APIGatewayRouter()


@router.get("/api/resources")
def list_resources(kind: str = "", min_capacity: int = 0, equipment: str = "") -> list[ResourceView]:
    """会议室、车辆、驾驶员: by kind, capacity, equipment (comma-separated) and free between `from` and `to`."""
    from oa_core.bookings import reservations

    caller(router.current_event.raw_event)
    free_from, free_to = window(router.current_event)
    wanted = [e.strip() for e in equipment.replace("，", ",").split(",") if e.strip()]
    return reservations.list_resources(
        kind, min_capacity=min_capacity, equipment=wanted, free_from=free_from, free_to=free_to
    )


@router.post("/api/resources", responses={201: {"description": "资源已添加"}})
def create_resource(resource: ResourceInput) -> Response[Any]:
    """Add a room, vehicle or driver (administrators)."""
    from oa_core.bookings import reservations

    created = reservations.save_resource(resource, caller(router.current_event.raw_event))
    return Response(status_code=201, content_type=CONTENT_JSON, body=created.model_dump_json())


@router.get("/api/resources/<resource_id>/bookings")
def resource_bookings(resource_id: str) -> list[BookingView]:
    """占用情况: a resource's live bookings overlapping [`from`, `to`), by start (one Query). Other people's
    bookings show as taken by a department (「办公室 占用」): the title only for the booker, participants
    and administrators."""
    from oa_core.bookings import occupancy

    user = caller(router.current_event.raw_event)
    start, end = window(router.current_event)
    if not start or not end:
        raise InvalidInput("请给出查询时段 from 和 to（ISO 8601，如 2026-12-03T00:00+08:00）")
    return occupancy.bookings_of(resource_id, start, end, user)


@router.post("/api/bookings", responses={201: {"description": "已预订"}, 409: {"description": "时段冲突"}})
def create_booking(booking: BookingRequest) -> Response[Any]:
    """预订: 201 with the booking id, or 409 naming the conflicting bookings (every occurrence, or none)."""
    from oa_core.bookings import reservations

    created = reservations.book(booking, caller(router.current_event.raw_event))
    return Response(status_code=201, content_type=CONTENT_JSON, body=created.model_dump_json())


@router.delete("/api/bookings/<booking_id>", responses={409: {"description": "属于会议或用车申请的预订"}})
def cancel_booking(booking_id: str) -> BookingCancelled:
    """取消预订: the slot is free again. 409 for a booking a meeting or a vehicle request owns: it is
    cancelled there (会议 / 用车 page), and the message says so."""
    from oa_core.bookings import reservations

    return reservations.cancel(booking_id, caller(router.current_event.raw_event))
