"""Booking moves inside a caller's transaction: put a new booking, let an old one go, or both at once.

A 会议变更 writes the meeting (conditioned on the version it read), the new booking and the release of
the old one in ONE DynamoDB transaction, so a meeting owns exactly the bookings it points to whatever
the timing. Slots the old and the new booking share (same room, overlapping times) cannot be deleted
and put in one transaction (one operation per item): they change hands instead, conditioned on still
being the old booking's.
"""

from __future__ import annotations

from pynamodb.transactions import TransactWrite

from oa_core.bookings import reservations
from oa_core.bookings.storage import BookingItem, PointerItem, SlotItem
from oa_core.platform import clock

MAX_ITEMS = reservations.TRANSACTION_ITEMS


def keys_of(booking: BookingItem) -> list[str]:
    """Every slot the booking's span covers (a held change holds only those its meeting does not)."""
    span = reservations.Span(clock.parse(booking.start), clock.parse(booking.end))
    return reservations.slot_keys(span)


def shared(resource_id: str, keys: list[str], old: BookingItem | None) -> set[str]:
    """The slots of ``keys`` (on ``resource_id``) that ``old`` holds now."""
    if old is None or old.resource_id != resource_id or old.status == "cancelled":
        return set()
    return set(keys) & {str(k) for k in old.slots or []}


def put(tx: TransactWrite, new: reservations.Occurrence, old: BookingItem | None, *, take: bool) -> None:
    """Write ``new`` with its pointer. Slots ``old`` holds are taken over (``take``) or left to it
    (a held change: the new booking then holds only the other slots until it is approved)."""
    common = shared(new.booking.resource_id, [s.SK for s in new.slots], old)
    mine: list[str] = []
    for slot in new.slots:
        if slot.SK in common:
            if take and old is not None:
                tx.update(
                    slot,
                    actions=[SlotItem.booking_id.set(new.booking.booking_id)],
                    condition=SlotItem.booking_id == old.booking_id,
                )
                mine.append(slot.SK)
            continue
        tx.save(slot, condition=SlotItem.PK.does_not_exist())
        mine.append(slot.SK)
    new.booking.slots = mine  # type: ignore[assignment]
    tx.save(new.booking, condition=BookingItem.PK.does_not_exist())
    tx.save(new.pointer, condition=PointerItem.PK.does_not_exist())


def drop(tx: TransactWrite, booking: BookingItem, now: str, *, keep: set[str] | None = None) -> None:
    """Cancel ``booking`` and free its slots, except ``keep`` (handed to the booking that replaces it)."""
    tx.update(
        booking,
        actions=[BookingItem.status.set("cancelled"), BookingItem.cancelled_at.set(now)],
        condition=BookingItem.status != "cancelled",
    )
    for key in booking.slots or []:
        if str(key) not in (keep or set()):
            tx.delete(SlotItem(booking.PK, str(key)), condition=SlotItem.booking_id == booking.booking_id)


def confirm_over(tx: TransactWrite, held: BookingItem, old: BookingItem | None, now: str) -> None:
    """An approved change: ``held`` becomes confirmed and takes the slots ``old`` shared with it; ``old`` goes."""
    everything = keys_of(held)
    common = shared(held.resource_id, everything, old)
    for key in sorted(common):
        tx.update(
            SlotItem(held.PK, key),
            actions=[SlotItem.booking_id.set(held.booking_id)],
            condition=SlotItem.booking_id == (old.booking_id if old else ""),
        )
    tx.update(
        held,
        actions=[BookingItem.status.set("confirmed"), BookingItem.slots.set(everything)],  # type: ignore[arg-type]
        condition=BookingItem.status == "held",
    )
    if old is not None and old.status != "cancelled":
        drop(tx, old, now, keep=common)


def items_needed(*bookings: BookingItem | reservations.Occurrence | None) -> int:
    """How many items a move of these writes: each slot and the booking (and a new one's pointer)."""
    total = 0
    for booking in bookings:
        if isinstance(booking, BookingItem):
            total += len(booking.slots or []) + 1
        elif booking is not None:
            total += booking.items()
    return total
