"""会议室使用规则: what a meeting must satisfy, the same for a 会议申请 and a 会议变更 (one piece of code).

A room, not a vehicle; a bookable span (on the grid, not past, at most 12 hours: ``check_span``); the
equipment the meeting needs; no more people than the room seats; participants in the directory.
Whether the room asks for approval is the room's; a change into such a room (or to a new time in it)
asks the approver again.
"""

from __future__ import annotations

from dataclasses import dataclass

from oa_core.bookings import reservations
from oa_core.bookings.storage import ResourceItem
from oa_core.identity import directory
from oa_core.platform.errors import InvalidInput


@dataclass(frozen=True)
class MeetingPlan:
    """A meeting as it is to be: the room it checked against and the span it will hold."""

    room: ResourceItem
    span: reservations.Span

    @property
    def room_name(self) -> str:
        return f"{self.room.name}（{self.room.building}）" if self.room.building else self.room.name


def check_meeting(
    room_id: str, start: str, end: str, organizer: str, participants: list[str], equipment: list[str]
) -> MeetingPlan:
    """Every rule a meeting obeys, or InvalidInput (422) saying which, in Chinese."""
    room = reservations.get_resource(room_id)
    if room.resource_kind != "room":
        raise InvalidInput(f"{room.name}不是会议室 (not a room)")
    span = reservations.check_span(reservations.parse_time(start, "开始"), reservations.parse_time(end, "结束"), "room")
    missing = [e for e in equipment if e not in set(room.equipment or [])]
    if missing:
        raise InvalidInput(f"{room.name}没有{'、'.join(missing)}，请换一间会议室 (the room lacks equipment)")
    people = list(dict.fromkeys([organizer, *participants]))
    if int(room.capacity) and len(people) > int(room.capacity):
        raise InvalidInput(f"{room.name}只能容纳 {int(room.capacity)} 人，参会 {len(people)} 人 (too many people)")
    unknown = set(participants) - set(directory.get_users(participants))
    if unknown:
        raise InvalidInput(f"参会人员 {'、'.join(sorted(unknown))} 不在组织机构中 (unknown participants)")
    return MeetingPlan(room, span)
