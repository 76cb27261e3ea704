"""Bookings on the in-process local stack: the 50-way race, and DynamoDB requests per booking and
per occupancy query (counted at botocore, by the handler that made them)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from infra.bench.flow import DynamoCounter
from infra.local.stack import LocalStack

RACERS = 50


@dataclass
class BookingCosts:
    race_seconds: float
    race_created: int
    race_conflicts: int
    booking_requests: dict[str, int]
    recurring_requests: dict[str, int]
    occupancy_requests: dict[str, int]
    scans: list[str]


def _at(day: Any, hhmm: str) -> str:
    from oa_core.platform.clock import local_zone

    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=local_zone()).isoformat()


def expect(status: int, wanted: int, what: str) -> None:
    if status != wanted:
        raise RuntimeError(f"bench: {what} answered {status}, not {wanted}")


def _ops(counter: DynamoCounter) -> dict[str, int]:
    """Requests the API function made (the local stand-in's sign-in lookups are not counted)."""
    totals: dict[str, int] = {}
    for (source, operation), n in counter.snapshot().items():
        if source.startswith("ApiFunction"):
            totals[operation] = totals.get(operation, 0) + n
    return dict(sorted(totals.items()))


def measure() -> BookingCosts:
    counter = DynamoCounter()
    with LocalStack() as stack, counter.installed():
        from oa_core.platform.clock import local_zone

        day = datetime.now(local_zone()).date() + timedelta(days=10)

        def book(user: str, start: str, end: str, **extra: Any) -> int:
            body = {"resource_id": "room-305", "start": start, "end": end, "title": "测速", **extra}
            return stack.invoke_http("POST", "/api/bookings", user_id=user, body=body).status

        # DynamoDB requests of one booking, and of a weekly booking of 4 occurrences.
        counter.reset()
        expect(book("zhangwei", _at(day, "08:00"), _at(day, "09:00")), 201, "one booking")
        single = _ops(counter)
        counter.reset()
        weekly = {"freq": "weekly", "count": 4}
        expect(book("zhangwei", _at(day, "18:00"), _at(day, "19:00"), recurrence=weekly), 201, "a weekly booking")
        recurring = _ops(counter)

        # One room's week: one request.
        counter.reset()
        week = f"from={quote(_at(day, '00:00'))}&to={quote(_at(day + timedelta(days=7), '00:00'))}"
        answer = stack.invoke_http("GET", f"/api/resources/room-305/bookings?{week}", user_id="zhangwei")
        expect(answer.status, 200, "the occupancy query")
        occupancy = _ops(counter)

        # 50 overlapping requests released together.
        barrier = threading.Barrier(RACERS + 1)
        statuses: list[int] = []
        lock = threading.Lock()

        def racer(n: int) -> None:
            barrier.wait()
            status = book("lina", _at(day, f"{10 + n % 3}:00"), _at(day, "14:00"))
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
        for thread in threads:
            thread.start()
        barrier.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join(120)
        race = time.perf_counter() - began
        scans = list(counter.scans)
    return BookingCosts(
        race_seconds=race,
        race_created=statuses.count(201),
        race_conflicts=statuses.count(409),
        booking_requests=single,
        recurring_requests=recurring,
        occupancy_requests=occupancy,
        scans=scans,
    )


def report(costs: BookingCosts) -> str:
    def ops(counts: dict[str, int]) -> str:
        return ", ".join(f"{op} {n}" for op, n in counts.items()) + f" (total {sum(counts.values())})"

    verdict = "exactly one booking" if costs.race_created == 1 else f"**{costs.race_created} bookings — BROKEN**"
    return "\n".join(
        [
            "## 4. Bookings (in-process local stack)",
            "",
            "| measure | value |",
            "|---|---|",
            f"| {RACERS} overlapping `POST /api/bookings` released together: seconds until all answered "
            f"| {costs.race_seconds:.2f} ({costs.race_created}× 201, {costs.race_conflicts}× 409: {verdict}) |",
            f"| DynamoDB requests of one 1-hour booking | {ops(costs.booking_requests)} |",
            f"| DynamoDB requests of a weekly booking, 4 occurrences | {ops(costs.recurring_requests)} |",
            f"| DynamoDB requests of one room's week of occupancy | {ops(costs.occupancy_requests)} |",
            f"| Scans | {len(costs.scans)} |",
            "",
            "Counted: the API function's own requests (the caller's directory entry, the resource, the"
            " participants if any, then one TransactWriteItems holding slots, booking, pointer and audit"
            " record); the occupancy is one Query of the resource's partition.",
            "",
        ]
    )
