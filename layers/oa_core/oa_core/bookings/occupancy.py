"""占用情况: a resource's live bookings in a window, as the person asking may see them.

Other people's bookings show as taken by a department (「办公室 占用」), never their topic or booker:
a meeting's topic is for its organizer, its participants and administrators, as ``/api/meetings/{id}``
is (issue 11). The grid pages and ``GET /api/resources/{id}/bookings`` show the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from oa_core.bookings.models import BookingView
from oa_core.bookings.reservations import MANAGERS, get_resource, live_bookings, parse_time
from oa_core.bookings.storage import BookingItem
from oa_core.identity import directory
from oa_core.platform.errors import InvalidInput

TAKEN = "占用"


def occupancy(resource_id: str, kind: str, start: datetime, end: datetime) -> list[BookingView]:
    """Live bookings overlapping [start, end), by start, in full (one Query)."""
    return [booking_view(item) for item in live_bookings(resource_id, kind, start, end)]


def bookings_of(resource_id: str, start_text: str, end_text: str, viewer: dict[str, Any]) -> list[BookingView]:
    start, end = parse_time(start_text, "from"), parse_time(end_text, "to")
    if end <= start:
        raise InvalidInput("to 必须晚于 from")
    if end - start > timedelta(days=62):
        raise InvalidInput("一次最多查询 62 天 (at most 62 days at a time)")
    resource = get_resource(resource_id)
    return as_seen_by(occupancy(resource.resource_id, resource.resource_kind, start, end), viewer)


def as_seen_by(views: list[BookingView], viewer: dict[str, Any]) -> list[BookingView]:
    """The bookings with other people's replaced by 「<department> 占用」 (no topic, no booker)."""
    if MANAGERS & set(viewer.get("roles", [])):
        return views
    others = [v for v in views if not _sees(v, viewer["user_id"])]
    if not others:
        return views
    bookers = directory.get_users(sorted({v.booker for v in others}))
    names = {d["department_id"]: d["name"] for d in directory.list_departments()}

    def department(booker: str) -> str:
        user = bookers.get(booker)
        return names.get(user["department"], user["department"]) if user else "其他部门"

    return [
        v
        if _sees(v, viewer["user_id"])
        else v.model_copy(
            update={
                "title": f"{department(v.booker)} {TAKEN}",
                "booker": "",
                "participants": [],
                "owner_kind": "",
                "owner_id": "",
            }
        )
        for v in views
    ]


def _sees(view: BookingView, user_id: str) -> bool:
    return user_id == view.booker or user_id in view.participants


def booking_view(item: BookingItem) -> BookingView:
    return BookingView(
        booking_id=item.booking_id,
        resource_id=item.resource_id,
        start=item.start,
        end=item.end,
        title=item.title,
        status=item.status,
        booker=item.booker,
        series_id=item.series_id,
        participants=[str(p) for p in item.participants or []],
        owner_kind=item.owner_kind or "",
        owner_id=item.owner_id or "",
    )
