"""The bookings table as pynamodb models: resources (会议室, 车辆, 驾驶员) and their reservations.

item       PK                    SK                                 index
resource   RESOURCE              <kind>#<resource id>
booking    RES#<resource id>     BOOKING#<start, UTC>#<booking id>  GSI1 BOOKER#<user> by start
slot       RES#<resource id>     SLOT#<slot start, UTC>
pointer    BOOKING#<booking id>  META

A booking owns one slot item per slot of the grid it covers. Slots are written with
``attribute_not_exists`` in the same transaction as the booking: two bookings that share a slot
cannot both be written, whatever the timing, and a booking that ends when the next starts shares
no slot with it. Occupancy of a resource is one Query over its ``BOOKING#`` range.

Meetings (会议申请), their attendees (我的会议) and vehicle requests (用车申请) are items of the records
table (RecordItem), in their own partitions:

item        PK                       SK                      sparse index keys
meeting     MTG#<meeting id>         META                    GSI1 ORGANIZER#<user> by start
(task)      MTG#<meeting id>         TASK#<task_id>          the approval of a meeting, a task like any other
attendee    ATTENDEE#<user id>       <start>#<meeting id>
dispatch    DISPATCH#<dispatch id>   META                    GSI1 REQUESTER#<user>; GSI2 DISPATCH#<status>
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from oa_core.platform.config import settings
from oa_core.platform.storage import RecordItem

# A meeting's partition also holds its approval task: importing workflow's items registers their kind.
from oa_core.workflow import storage as _workflow_items  # noqa: F401


class BookerIndex(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class BookingRecord(Model):
    """Any item of the bookings table."""

    class Meta:
        table_name = settings().bookings_table
        region = settings().region

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    by_booker = BookerIndex()


class ResourceItem(BookingRecord, discriminator="resource"):
    """可预订资源: a meeting room, a vehicle or a driver."""

    resource_id = UnicodeAttribute()
    resource_kind = UnicodeAttribute()
    name = UnicodeAttribute()
    building = UnicodeAttribute(default="")
    capacity = NumberAttribute(default=0)
    equipment = ListAttribute(of=UnicodeAttribute, default=list)
    needs_approval = BooleanAttribute(default=False)
    plate = UnicodeAttribute(default="")
    seats = NumberAttribute(default=0)
    phone = UnicodeAttribute(default="")
    email = UnicodeAttribute(default="")
    created_at = UnicodeAttribute()


class BookingItem(BookingRecord, discriminator="booking"):
    """预订: one resource for one time span."""

    booking_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    start = UnicodeAttribute()
    end = UnicodeAttribute()
    title = UnicodeAttribute()
    booker = UnicodeAttribute()
    participants = ListAttribute(of=UnicodeAttribute, default=list)
    status = UnicodeAttribute()
    series_id = UnicodeAttribute(default="")
    occurrence = NumberAttribute(default=0)
    slots = ListAttribute(of=UnicodeAttribute, default=list)
    """The SLOT# sort keys this booking holds (released on cancellation)."""
    created_at = UnicodeAttribute()
    cancelled_at = UnicodeAttribute(null=True)
    owner_kind = UnicodeAttribute(default="")
    """``meeting`` or ``dispatch`` when a 会议申请 or a 用车申请 owns the booking: then only that changes it."""
    owner_id = UnicodeAttribute(default="")


class SlotItem(BookingRecord, discriminator="slot"):
    """时段: one grid slot of a resource, held by one booking."""

    booking_id = UnicodeAttribute()


class PointerItem(BookingRecord, discriminator="pointer"):
    """Where a booking is, by its id (for cancellation and reading one booking)."""

    resource_id = UnicodeAttribute()
    booking_sk = UnicodeAttribute()


# ---------------------------------------------------------------- records table items
class MeetingItem(RecordItem, discriminator="meeting"):
    """会议申请: a meeting in a room, held until approved (or at once confirmed)."""

    meeting_id = UnicodeAttribute()
    topic = UnicodeAttribute()
    organizer = UnicodeAttribute()
    room_id = UnicodeAttribute()
    room_name = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    start = UnicodeAttribute()
    end = UnicodeAttribute()
    participants = ListAttribute(of=UnicodeAttribute, default=list)
    equipment = ListAttribute(of=UnicodeAttribute, default=list)
    description = UnicodeAttribute(default="")
    status = UnicodeAttribute()
    """pending_approval, confirmed, rejected, expired, cancelled or void (未能确认, with its reason)."""
    sequence = NumberAttribute(default=0)
    """The invitation's SEQUENCE (iCalendar): one more with every change people are told of."""
    version = NumberAttribute(default=0)
    """One more with every write that moves the meeting's bookings: each such write is conditioned on
    the version it read, so of two concurrent changes (or a change and a cancel) one wins, whole."""
    pending_booking_id = UnicodeAttribute(default="")
    """The held booking of a 会议变更 awaiting approval; the meeting keeps ``booking_id`` until decided."""
    pending_change = UnicodeAttribute(default="")
    """That change (JSON: topic, room, times, participants, description), applied when approved."""
    reason = UnicodeAttribute(default="")
    """Why the meeting (or its last change) could not be confirmed."""
    approver = UnicodeAttribute(default="")
    opinion = UnicodeAttribute(default="")
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class AttendeeItem(RecordItem, discriminator="attendee"):
    """我的会议: a confirmed meeting in one participant's list."""

    meeting_id = UnicodeAttribute()
    topic = UnicodeAttribute()
    room_name = UnicodeAttribute()
    start = UnicodeAttribute()
    end = UnicodeAttribute()
    reply = UnicodeAttribute(default="")
    """参会回执: ``attending``, ``absent`` or empty (not answered yet)."""
    replied_at = UnicodeAttribute(default="")
    reply_reason = UnicodeAttribute(default="")
    """Why not (不参加, optional)."""
    reply_version = NumberAttribute(default=0)
    """One more with every answer; an answer is written conditioned on the version its form showed."""


class DispatchItem(RecordItem, discriminator="dispatch"):
    """用车申请 and its 派车: a vehicle request, then the vehicle and driver assigned to it."""

    dispatch_id = UnicodeAttribute()
    requester = UnicodeAttribute()
    purpose = UnicodeAttribute()
    passengers = NumberAttribute()
    origin = UnicodeAttribute()
    destination = UnicodeAttribute()
    start = UnicodeAttribute()
    end = UnicodeAttribute()
    status = UnicodeAttribute()
    """pending, assigned, rejected or cancelled."""
    vehicle_id = UnicodeAttribute(default="")
    driver_id = UnicodeAttribute(default="")
    booking_ids = ListAttribute(of=UnicodeAttribute, default=list)
    dispatcher = UnicodeAttribute(default="")
    opinion = UnicodeAttribute(default="")
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
