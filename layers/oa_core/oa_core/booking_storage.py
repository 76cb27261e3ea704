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

from oa_core.config import settings


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


class SlotItem(BookingRecord, discriminator="slot"):
    """时段: one grid slot of a resource, held by one booking."""

    booking_id = UnicodeAttribute()


class PointerItem(BookingRecord, discriminator="pointer"):
    """Where a booking is, by its id (for cancellation and reading one booking)."""

    resource_id = UnicodeAttribute()
    booking_sk = UnicodeAttribute()
