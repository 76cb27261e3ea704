"""预订: rooms, vehicles and drivers, booked without ever double-booking.

A booking holds one slot item per grid slot it covers (``booking_storage``); the slots, the
booking and its pointer are written in one transaction with ``attribute_not_exists`` on every
slot, so DynamoDB itself refuses the second of two overlapping bookings. A recurring booking is
written occurrence by occurrence in as few transactions as fit (100 items each); if any is
refused, those already written are deleted again, so the series is all or nothing, and the
answer names every occurrence that conflicts and with which bookings.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.bookings import conflicts
from oa_core.bookings.models import (
    BookingCancelled,
    BookingCreated,
    BookingRequest,
    ResourceInput,
    ResourceView,
)
from oa_core.bookings.storage import BookingItem, BookingRecord, PointerItem, ResourceItem, SlotItem
from oa_core.identity import directory
from oa_core.platform import audit, clock
from oa_core.platform.config import settings
from oa_core.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from oa_core.platform.storage import connection, lost_on_condition

RESOURCES_PK = "RESOURCE"
KIND_NAMES = {"room": "会议室", "vehicle": "车辆", "driver": "驾驶员"}
MAX_HOURS = {"room": 12, "vehicle": 24, "driver": 24}
"""Longer than this is not a booking but a mistake (or a reassignment, which is not ours to do)."""
MAX_DAYS_AHEAD = 366
TRANSACTION_ITEMS = 100
MANAGERS = {"sysadmin"}


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime


# ---------------------------------------------------------------- time
def utc_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def parse_time(text: str, label: str) -> datetime:
    """ISO 8601; a time without an offset is in Asia/Shanghai (the unit's clock)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{label}“{text[:40]}”不是有效时间，请按 2026-12-02 09:00 的格式填写") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.local_zone())


def check_span(start: datetime, end: datetime, kind: str, *, now: datetime | None = None) -> Span:
    """A bookable span: ends after it starts, not in the past, on the slot grid, not absurdly long."""
    step = settings().slot_minutes
    current = now or clock.now()
    if end <= start:
        raise InvalidInput("结束时间必须晚于开始时间 (end must be after start)")
    if start < current - timedelta(minutes=1):
        raise InvalidInput("不能预订已经过去的时间 (start is in the past)")
    for label, moment in (("开始", start), ("结束", end)):
        local = moment.astimezone(clock.local_zone())
        if local.minute % step or local.second or local.microsecond:
            raise InvalidInput(
                f"{label}时间应为整{step}分钟，如 09:00、09:{step:02d} (times are on a {step}-minute grid)"
            )
    if end - start > timedelta(hours=MAX_HOURS[kind]):
        raise InvalidInput(f"{KIND_NAMES[kind]}一次最多预订 {MAX_HOURS[kind]} 小时 (at most {MAX_HOURS[kind]} hours)")
    if start > current + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(f"最多提前 {MAX_DAYS_AHEAD} 天预订 (at most {MAX_DAYS_AHEAD} days ahead)")
    return Span(start, end)


def slot_keys(span: Span) -> list[str]:
    step = timedelta(minutes=settings().slot_minutes)
    keys, moment = [], span.start
    while moment < span.end:
        keys.append(f"SLOT#{utc_key(moment)}")
        moment += step
    return keys


def occurrences(span: Span, request: BookingRequest) -> list[Span]:
    if request.recurrence is None:
        return [span]
    every = timedelta(days=1 if request.recurrence.freq == "daily" else 7)
    # Steps are taken in local time, so a weekly 09:00 stays 09:00 (Asia/Shanghai has no DST anyway).
    return [Span(span.start + every * n, span.end + every * n) for n in range(request.recurrence.count)]


# ---------------------------------------------------------------- resources
def _view(item: ResourceItem) -> ResourceView:
    return ResourceView(
        resource_id=item.resource_id,
        kind=item.resource_kind,
        name=item.name,
        building=item.building,
        capacity=int(item.capacity),
        equipment=[str(e) for e in item.equipment or []],
        needs_approval=bool(item.needs_approval),
        plate=item.plate,
        seats=int(item.seats),
        phone=item.phone,
        email=item.email,
    )


def save_resource(resource: ResourceInput, actor: dict[str, Any], *, replace: bool = False) -> ResourceView:
    """An administrator adds (or, with ``replace``, updates) a room, vehicle or driver."""
    if not MANAGERS & set(actor.get("roles", [])):
        raise Forbidden("只有系统管理员可以维护会议室、车辆和驾驶员 (system administrators only)")
    item = ResourceItem(
        RESOURCES_PK,
        f"RES#{resource.resource_id}",
        resource_id=resource.resource_id,
        resource_kind=resource.kind,
        created_at=clock.now_iso(),
        **resource.model_dump(exclude={"resource_id", "kind"}),
    )
    try:
        item.save(condition=None if replace else ResourceItem.PK.does_not_exist())
    except Exception as exc:
        if "ConditionalCheckFailed" not in repr(exc):
            raise
        raise Conflict(f"资源编号 {resource.resource_id} 已存在 (resource id taken)") from None
    audit.record(actor["user_id"], "save_resource", resource.resource_id, "ok", resource.kind)
    return _view(item)


def seed_resources(resources: list[dict[str, Any]]) -> None:
    """Load rooms, vehicles and drivers (the shape of infra/demo_org.json's "resources"); idempotent."""
    with ResourceItem.batch_write() as batch:
        for raw in resources:
            resource = ResourceInput.model_validate(raw)
            batch.save(
                ResourceItem(
                    RESOURCES_PK,
                    f"RES#{resource.resource_id}",
                    resource_id=resource.resource_id,
                    resource_kind=resource.kind,
                    created_at=clock.now_iso(),
                    **resource.model_dump(exclude={"resource_id", "kind"}),
                )
            )


def get_resource(resource_id: str) -> ResourceItem:
    try:
        return ResourceItem.get(RESOURCES_PK, f"RES#{resource_id}")
    except ResourceItem.DoesNotExist:
        raise NotFound(f"没有编号为 {resource_id} 的会议室、车辆或驾驶员 (no such resource)") from None


def list_resources(
    kind: str = "",
    *,
    min_capacity: int = 0,
    equipment: list[str] | None = None,
    free_from: str = "",
    free_to: str = "",
) -> list[ResourceView]:
    """Resources of a kind with at least the capacity and equipment asked, optionally free in a span."""
    if kind and kind not in KIND_NAMES:
        raise InvalidInput("kind 只能是 room、vehicle 或 driver")
    if bool(free_from) != bool(free_to):
        raise InvalidInput("查询空闲时请同时给出 from 和 to (give both from and to)")
    span = None
    if free_from:
        span = Span(parse_time(free_from, "from"), parse_time(free_to, "to"))
        if span.end <= span.start:
            raise InvalidInput("to 必须晚于 from")
    wanted = set(equipment or [])
    found = []
    for item in BookingRecord.query(RESOURCES_PK):
        if not isinstance(item, ResourceItem) or (kind and item.resource_kind != kind):
            continue
        if int(item.capacity) < min_capacity or not wanted <= set(item.equipment or []):
            continue
        if span is not None and any(live_bookings(item.resource_id, item.resource_kind, span.start, span.end)):
            continue
        found.append(_view(item))
    return sorted(found, key=lambda r: (r.kind, r.resource_id))


def live_bookings(resource_id: str, kind: str, start: datetime, end: datetime) -> Iterator[BookingItem]:
    """Live bookings overlapping [start, end), by start; one Query of the resource's partition."""
    earliest = start - timedelta(hours=MAX_HOURS[kind])
    range_ = BookingRecord.SK.between(f"BOOKING#{utc_key(earliest)}", f"BOOKING#{utc_key(end)}")
    for item in BookingRecord.query(f"RES#{resource_id}", range_):
        if not isinstance(item, BookingItem) or item.status == "cancelled":
            continue
        if parse_time(item.end, "end") > start and parse_time(item.start, "start") < end:
            yield item


# ---------------------------------------------------------------- booking
@dataclass
class _Occurrence:
    index: int
    span: Span
    booking: BookingItem
    pointer: PointerItem
    slots: list[SlotItem]

    def items(self) -> int:
        return len(self.slots) + 2


Owner = tuple[str, str]
"""(kind, id) of what owns a booking: ("meeting", M…), ("dispatch", V…), or ("", "") for nobody."""


def _occurrence(
    index: int,
    span: Span,
    resource: ResourceItem,
    request: BookingRequest,
    booker: str,
    series: str,
    status: str,
    owner: Owner = ("", ""),
) -> _Occurrence:
    booking_id = f"B{clock.now():%Y%m%d}{secrets.token_hex(5)}"
    keys = slot_keys(span)
    booking_sk = f"BOOKING#{utc_key(span.start)}#{booking_id}"
    pk = f"RES#{resource.resource_id}"
    booking = BookingItem(
        pk,
        booking_sk,
        booking_id=booking_id,
        resource_id=resource.resource_id,
        start=clock.iso(span.start),
        end=clock.iso(span.end),
        title=request.title,
        booker=booker,
        participants=list(dict.fromkeys(request.participants)),
        status=status,
        series_id=series,
        occurrence=index + 1 if series else 0,
        slots=keys,
        created_at=clock.now_iso(),
        owner_kind=owner[0],
        owner_id=owner[1],
        GSI1PK=f"BOOKER#{booker}",
        GSI1SK=f"{utc_key(span.start)}#{booking_id}",
    )
    pointer = PointerItem(f"BOOKING#{booking_id}", "META", resource_id=resource.resource_id, booking_sk=booking_sk)
    slots = [SlotItem(pk, key, booking_id=booking_id) for key in keys]
    return _Occurrence(index, span, booking, pointer, slots)


Occurrence = _Occurrence


def _batches(planned: list[_Occurrence]) -> list[list[_Occurrence]]:
    batches: list[list[_Occurrence]] = [[]]
    for occurrence in planned:
        if sum(o.items() for o in batches[-1]) + occurrence.items() > TRANSACTION_ITEMS - 1:  # room for the audit
            batches.append([])
        batches[-1].append(occurrence)
    return batches


def _write(batch: list[_Occurrence], audit_item: Any = None) -> None:
    with TransactWrite(connection=connection()) as tx:
        if audit_item is not None:
            tx.save(audit_item)
        for occurrence in batch:
            for slot in occurrence.slots:
                tx.save(slot, condition=SlotItem.PK.does_not_exist(), return_values="ALL_OLD")
            tx.save(occurrence.booking, condition=BookingItem.PK.does_not_exist())
            tx.save(occurrence.pointer, condition=PointerItem.PK.does_not_exist())


def _undo(batch: list[_Occurrence]) -> None:
    """Delete what a committed batch wrote (compensation for a refused later batch)."""
    with TransactWrite(connection=connection()) as tx:
        for occurrence in batch:
            for slot in occurrence.slots:
                tx.delete(slot, condition=SlotItem.booking_id == occurrence.booking.booking_id)
            tx.delete(occurrence.booking)
            tx.delete(occurrence.pointer)


def _conflict(resource: ResourceItem, planned: list[_Occurrence], mine: set[str]) -> Conflict:
    details: list[dict[str, Any]] = []
    for occurrence in planned:
        holders = conflicts.holders(resource.resource_id, [s.SK for s in occurrence.slots]) - mine
        if holders:
            details.append(
                {
                    "occurrence": occurrence.index + 1,
                    "start": clock.iso(occurrence.span.start),
                    "end": clock.iso(occurrence.span.end),
                    "booking_ids": sorted(holders),
                }
            )
    others = [
        other
        for detail in details[:3]
        for booking_id in detail["booking_ids"][:2]
        if (other := load_booking(booking_id, missing_ok=True)) is not None
    ]
    what = conflicts.taken_by(others)
    several = f"第 {'、'.join(str(d['occurrence']) for d in details)} 次" if len(planned) > 1 and details else ""
    return Conflict(
        f"{resource.name}{several}时段已被占用：{what}。请换一个时间或会议室。 (the slot is taken)",
        details={"conflicts": details},
    )


def planned(
    resource: ResourceItem, span: Span, request: BookingRequest, booker: str, status: str, owner: Owner
) -> _Occurrence:
    """One booking as it would be written (for a caller's own transaction: a 会议变更)."""
    return _occurrence(0, span, resource, request, booker, "", status, owner)


def slot_conflict(resource: ResourceItem, occurrence: _Occurrence, mine: set[str]) -> Conflict:
    """409 naming the bookings that hold the occurrence's slots (but ``mine``)."""
    return _conflict(resource, [occurrence], mine)


def book(
    request: BookingRequest,
    booker: dict[str, Any],
    *,
    status: str = "confirmed",
    owner: Owner = ("", ""),
    owners: list[Owner] | None = None,
) -> BookingCreated:
    """预订 a resource (every occurrence of a recurring booking, or none). ``owners`` names the owner
    of each occurrence in turn (a 周期会议: one meeting per occurrence), else ``owner`` owns them all."""
    resource = get_resource(request.resource_id)
    span = check_span(parse_time(request.start, "开始"), parse_time(request.end, "结束"), resource.resource_kind)
    spans = occurrences(span, request)
    check_span(spans[-1].start, spans[-1].end, resource.resource_kind)
    unknown = set(request.participants) - set(directory.get_users(request.participants))
    if unknown:
        raise InvalidInput(f"参会人员 {'、'.join(sorted(unknown))} 不在组织机构中 (unknown participants)")
    series = f"S{secrets.token_hex(6)}" if len(spans) > 1 else ""
    planned = [
        _occurrence(n, s, resource, request, booker["user_id"], series, status, owners[n] if owners else owner)
        for n, s in enumerate(spans)
    ]
    done: list[list[_Occurrence]] = []
    first = planned[0].booking
    record = audit.audit_item(
        booker["user_id"],
        "book",
        first.booking_id,
        "ok",
        f"{resource.resource_id} {first.start}–{first.end} ×{len(planned)}",
    )
    batches = _batches(planned)
    for number, batch in enumerate(batches):
        try:
            # The audit record goes with the last batch: it exists exactly when the booking does.
            _write(batch, record if number == len(batches) - 1 else None)
        except TransactWriteError as exc:
            for committed in reversed(done):
                _undo(committed)
            if not lost_on_condition(exc):
                raise
            audit.record(booker["user_id"], "book", resource.resource_id, "conflict", request.title[:100])
            raise _conflict(resource, planned, {o.booking.booking_id for o in planned}) from None
        done.append(batch)
    return BookingCreated(
        booking_id=first.booking_id,
        status=status,
        occurrences=[o.booking.booking_id for o in planned] if series else [],
    )


def book_together(
    resources: list[ResourceItem], span: Span, title: str, booker: str, participants: list[str], owner: Owner
) -> list[str]:
    """Several resources for the same span in one transaction (a vehicle and its driver): all or none.

    Raises Conflict naming the resources already taken.
    """
    request = BookingRequest(
        resource_id=resources[0].resource_id,
        start=clock.iso(span.start),
        end=clock.iso(span.end),
        title=title,
        participants=participants,
    )
    planned = [_occurrence(0, span, resource, request, booker, "", "confirmed", owner) for resource in resources]
    if sum(o.items() for o in planned) > TRANSACTION_ITEMS:
        raise InvalidInput("时间太长，无法一次安排 (the span is too long to book together)")
    try:
        _write(planned)
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        taken = [
            resource.name
            for resource, occurrence in zip(resources, planned, strict=True)
            if conflicts.holders(resource.resource_id, [slot.SK for slot in occurrence.slots])
        ]
        raise Conflict(
            f"{'、'.join(taken) or '所选车辆或驾驶员'}在该时段已有安排，请另选 (already assigned then)",
            details={"taken": [r.resource_id for r in resources if r.name in taken]},
        ) from None
    return [o.booking.booking_id for o in planned]


def load_booking(booking_id: str, *, missing_ok: bool = False) -> BookingItem | None:
    try:
        pointer = PointerItem.get(f"BOOKING#{booking_id}", "META")
        return BookingItem.get(f"RES#{pointer.resource_id}", pointer.booking_sk, consistent_read=True)
    except (PointerItem.DoesNotExist, BookingItem.DoesNotExist):
        if missing_ok:
            return None
        raise NotFound("这项预订不存在或已取消 (no such booking)") from None


def cancel(booking_id: str, actor: dict[str, Any]) -> BookingCancelled:
    """取消预订 by its booker or an administrator: the slots are free again at once. Cancelling twice is
    not an error. A booking a meeting or a vehicle request owns is refused (409) by the write's own
    condition: only its owner's flow lets it go (``release``)."""
    booking = load_booking(booking_id)
    if booking is None:
        raise NotFound("这项预订不存在或已取消 (no such booking)")
    if booking.booker != actor["user_id"] and not MANAGERS & set(actor.get("roles", [])):
        audit.record(actor["user_id"], "cancel_booking", booking_id, "denied", "not the booker")
        raise Forbidden("只有预订人或系统管理员可以取消预订 (only the booker or a system administrator)")
    unowned = BookingItem.owner_kind.does_not_exist() | (BookingItem.owner_kind == "")
    if not _cancel(booking, unowned):
        booking = load_booking(booking_id)
        if booking is not None and booking.owner_kind:
            audit.record(actor["user_id"], "cancel_booking", booking_id, "refused", f"owned by {booking.owner_id}")
            raise conflicts.owned_elsewhere(booking)
        return BookingCancelled(booking_id=booking_id, status="cancelled")  # cancelled meanwhile
    audit.record(actor["user_id"], "cancel_booking", booking_id, "ok", booking.resource_id)
    return BookingCancelled(booking_id=booking_id, status="cancelled")


def _cancel(booking: BookingItem, condition: Any = None) -> bool:
    """Cancel the booking and free its slots in one transaction; False if refused (or cancelled before)."""
    if booking.status == "cancelled":
        return True
    now = clock.now_iso()
    live = BookingItem.status != "cancelled"
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                booking,
                actions=[BookingItem.status.set("cancelled"), BookingItem.cancelled_at.set(now)],
                condition=live if condition is None else live & condition,
            )
            for key in booking.slots or []:
                tx.delete(SlotItem(booking.PK, str(key)), condition=SlotItem.booking_id == booking.booking_id)
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        return False
    return True


def release(booking_id: str) -> None:
    """Free a booking's slots for its owner's flow (a vehicle assignment that lost its race)."""
    booking = load_booking(booking_id, missing_ok=True)
    if booking is not None and _cancel(booking):
        audit.record("system", "cancel_booking", booking_id, "ok", booking.resource_id)
