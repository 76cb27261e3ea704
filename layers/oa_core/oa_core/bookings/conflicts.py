"""What a refused booking tells people: who holds the slot (named by title, time and booker, never by
id) and, for a booking a meeting or a vehicle request owns, where it is changed instead."""

from __future__ import annotations

from typing import Any

from oa_core.bookings.storage import BookingItem, SlotItem
from oa_core.identity import directory
from oa_core.platform import clock
from oa_core.platform.errors import Conflict

OWNER_PAGES = {"meeting": "会议", "dispatch": "用车"}


def holders(resource_id: str, keys: list[str]) -> set[str]:
    """Which bookings hold any of these slots now (for telling the caller; never for deciding)."""
    found: set[str] = set()
    for start in range(0, len(keys), 100):
        for item in SlotItem.batch_get([(f"RES#{resource_id}", key) for key in keys[start : start + 100]]):
            found.add(item.booking_id)
    return found


def taken_by(others: list[Any]) -> str:
    """「“预算编制会”（2026-12-03 14:00–15:00，张伟预订）」 for each booking that holds the slot."""
    users = directory.get_users([other.booker for other in others])
    names = [
        f"“{other.title}”（{clock.to_minute(other.start)}–{clock.to_minute(other.end)[-5:]}，"
        f"{directory.display_name(other.booker, users)}预订）"
        for other in others
    ]
    return "、".join(dict.fromkeys(names)) or "其他预订"


def owned_elsewhere(booking: BookingItem) -> Conflict:
    """409 for a booking a meeting or a vehicle request owns: it is changed there, and this says where."""
    page = OWNER_PAGES.get(booking.owner_kind, booking.owner_kind)
    what = "会议" if booking.owner_kind == "meeting" else "用车申请"
    return Conflict(
        f"该预订属于{what}“{booking.title}”（{clock.to_minute(booking.start)}），不能在此单独取消；"
        f"请到“{page}”页面变更或取消{what} (owned by {booking.owner_kind} {booking.owner_id})",
        details={"owner_kind": booking.owner_kind, "owner_id": booking.owner_id},
    )
