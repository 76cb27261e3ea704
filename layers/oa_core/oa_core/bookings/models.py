"""Pydantic models at the bookings edge: resources, booking requests and what the API returns."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from oa_core.platform.fields import MULTI_LINE, SINGLE_LINE, TimeText, multi_line, single_line
from oa_core.platform.models import OutputModel, StrictModel, UserId

ResourceKind = Literal["room", "vehicle", "driver"]
ResourceId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$"),
    Field(description="资源编号：1–40 个字母、数字、_ 或 -。A resource id: 1-40 of letters, digits, _ and -."),
]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), SINGLE_LINE, single_line(1, 60)
]
Equipment = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30), SINGLE_LINE, single_line(1, 30)
]
BookingTitle = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SINGLE_LINE, single_line(1, 100)
]
Place = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SINGLE_LINE, single_line(1, 100)
]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), MULTI_LINE, multi_line(0, 2000, "说明：")
]
DispatchOpinion = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500), MULTI_LINE, multi_line(0, 500, "意见：")
]


def _short_line(max_length: int) -> object:
    return StringConstraints(strip_whitespace=True, max_length=max_length)


Building = Annotated[str, _short_line(60), SINGLE_LINE, single_line(0, 60, "楼宇与楼层：")]
Plate = Annotated[str, _short_line(20), SINGLE_LINE, single_line(0, 20, "车牌号：")]
Phone = Annotated[str, _short_line(20), SINGLE_LINE, single_line(0, 20, "电话：")]
Email = Annotated[str, _short_line(120), SINGLE_LINE, single_line(0, 120, "邮箱：")]


class ResourceInput(StrictModel):
    """可预订资源 as an administrator enters it."""

    resource_id: ResourceId
    kind: ResourceKind
    name: Name
    building: Building = ""
    capacity: Annotated[int, Field(ge=0, le=2000)] = 0
    """Seats of a room (会议室容纳人数)."""
    equipment: Annotated[list[Equipment], Field(max_length=20)] = []
    """e.g. 投影仪, 视频会议, 电子白板."""
    needs_approval: bool = False
    plate: Plate = ""
    """车牌号 of a vehicle."""
    seats: Annotated[int, Field(ge=0, le=100)] = 0
    """Passenger seats of a vehicle."""
    phone: Phone = ""
    """A driver's phone."""
    email: Email = ""
    """Where a driver's dispatch notices go."""


class ResourceView(OutputModel):
    resource_id: str
    kind: str
    name: str
    building: str = ""
    capacity: int = 0
    equipment: list[str] = []
    needs_approval: bool = False
    plate: str = ""
    seats: int = 0
    phone: str = ""
    email: str = ""


class Recurrence(StrictModel):
    """周期预订: the same time daily or weekly, all occurrences or none."""

    freq: Literal["daily", "weekly"]
    count: Annotated[int, Field(ge=2, le=52)]


class BookingRequest(StrictModel):
    """A booking of one resource: times are ISO 8601; without an offset they are Asia/Shanghai."""

    resource_id: ResourceId
    start: TimeText
    end: TimeText
    title: BookingTitle
    participants: Annotated[list[UserId], Field(max_length=500)] = []
    recurrence: Recurrence | None = None


class BookingCreated(OutputModel):
    booking_id: str
    status: str
    occurrences: list[str] = []
    """For a recurring booking: the booking id of every occurrence, the first being booking_id."""


class BookingView(OutputModel):
    booking_id: str
    resource_id: str
    start: str
    end: str
    title: str
    status: str
    booker: str = ""
    series_id: str = ""
    participants: list[str] = Field(default=[], exclude=True)
    """Who may see the title (with the booker and administrators); never itself in a reply."""
    owner_kind: str = Field(default="", exclude=True)
    owner_id: str = Field(default="", exclude=True)
    """The 会议申请 or 用车申请 that owns the booking, for the grid's link; never itself in a reply."""


class BookingCancelled(OutputModel):
    booking_id: str
    status: Literal["cancelled"]


class MeetingApplication(StrictModel):
    """会议申请: topic, time, room, participants and the equipment the meeting needs."""

    topic: BookingTitle
    room_id: ResourceId
    start: TimeText
    end: TimeText
    participants: Annotated[list[UserId], Field(min_length=1, max_length=500)]
    equipment: Annotated[list[Equipment], Field(max_length=20)] = []
    description: Description = ""
    recurrence: Recurrence | None = None
    """周期会议: every occurrence is its own meeting (approved, changed, cancelled on its own); all
    occurrences are booked, or none."""


class MeetingCreated(OutputModel):
    meeting_id: str
    status: str
    booking_id: str
    occurrences: list[str] = []
    """For a 周期会议: the meeting id of every occurrence, the first being meeting_id."""


class MeetingView(OutputModel):
    meeting_id: str
    topic: str
    organizer: str
    room_id: str
    room_name: str
    booking_id: str
    start: str
    end: str
    participants: list[str]
    equipment: list[str] = []
    description: str = ""
    status: str
    approver: str = ""
    opinion: str = ""
    reason: str = ""
    """Why the meeting (or its last change) could not be confirmed (status ``void``, 未能确认)."""
    change_status: Literal["", "pending_approval"] = ""
    """``pending_approval`` while a 会议变更 waits for the approver (the fields above are still the old ones)."""
    pending_change: dict[str, Any] = {}
    """That change: room_id, start, end, topic, participants, description."""


class DispatchRequest(StrictModel):
    """用车申请: where, when, how many people, what for."""

    purpose: BookingTitle
    passengers: Annotated[int, Field(ge=1, le=60)]
    origin: Place
    destination: Place
    start: TimeText
    end: TimeText


class DispatchAssignment(StrictModel):
    """派车: the dispatcher's choice of vehicle and driver (or a refusal with a reason)."""

    decision: Literal["assign", "reject"]
    vehicle_id: ResourceId | None = None
    driver_id: ResourceId | None = None
    opinion: DispatchOpinion = ""


class DispatchView(OutputModel):
    dispatch_id: str
    requester: str
    purpose: str
    passengers: int
    origin: str
    destination: str
    start: str
    end: str
    status: str
    vehicle_id: str = ""
    driver_id: str = ""
    booking_ids: list[str] = []
    dispatcher: str = ""
    opinion: str = ""


class MeetingChange(StrictModel):
    """会议变更: what the organizer changes; everyone gets an updated invitation (removed people a CANCEL)."""

    topic: BookingTitle | None = None
    start: TimeText | None = None
    end: TimeText | None = None
    room_id: ResourceId | None = None
    participants: Annotated[list[UserId], Field(min_length=1, max_length=500)] | None = None
    description: Description | None = None
