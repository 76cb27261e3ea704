"""Bookings on the in-process local stack: the 50-way race, what one room booking and one meeting
application with its approval ask of AWS (counted by ``infra.bench.meter``), and the DynamoDB
requests of the booking routes themselves."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from infra.bench.flow import Driver, flow_figures, wait_finished
from infra.bench.meter import Meter, Records
from infra.bench.units import summarize
from infra.local.polling import wait_for
from infra.local.stack import LocalStack

RACERS = 50
WAIT_SECONDS = 60.0
BOOKER, RACER = "zhangwei", "lina"
ROOM, APPROVAL_ROOM = "room-305", "room-301"
"""A room anyone books at once, and one whose meetings the office's 文书 approves."""
ORGANIZER, APPROVER, PARTICIPANTS = "zhangwei", "zhouqiang", ["lina", "wangfang"]


@dataclass
class BookingCosts:
    race_seconds: float
    race_created: int
    race_conflicts: int
    booking_requests: dict[str, int]
    recurring_requests: dict[str, int]
    occupancy_requests: dict[str, int]
    scans: list[str]
    booking: dict[str, Any]
    meeting: dict[str, Any]

    def units(self) -> dict[str, dict[str, Any]]:
        return {"booking": self.booking, "meeting_approval": self.meeting}


def _at(day: date, hhmm: str) -> str:
    from oa_core.platform.clock import local_zone

    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=local_zone()).isoformat()


def _week(day: date) -> str:
    return f"from={quote(_at(day, '00:00'))}&to={quote(_at(day + timedelta(days=7), '00:00'))}"


def _dynamodb_of(records: Records, label: str) -> dict[str, int]:
    """DynamoDB requests of one route's handler, by operation."""
    counted = Counter(c.operation for c in records.calls if c.service == "dynamodb" and c.source == label)
    return dict(sorted(counted.items()))


def measure_booking(driver: Driver, meter: Meter, day: date) -> tuple[dict[str, Any], dict[str, int]]:
    """One 1-hour booking as a person makes it: the rooms, the room's week, the booking."""
    meter.take()
    driver.expect("GET", "/api/resources?kind=room", BOOKER)
    driver.expect("GET", f"/api/resources/{ROOM}/bookings?{_week(day)}", BOOKER)
    body = {"resource_id": ROOM, "start": _at(day, "08:00"), "end": _at(day, "09:00"), "title": "测速"}
    driver.expect("POST", "/api/bookings", BOOKER, body, status=201)
    records = meter.take()
    unit = summarize(records, description="one 1-hour room booking: the room list, the room's week, the booking")
    return unit, _dynamodb_of(records, "ApiFunction POST /api/bookings")


def measure_meeting(stack: LocalStack, driver: Driver, meter: Meter, day: date) -> dict[str, Any]:
    """A meeting application for a room that needs approval, approved by the office's 文书."""
    meter.take()
    body = {
        "topic": "2026年度工作总结会",
        "room_id": APPROVAL_ROOM,
        "start": _at(day, "09:00"),
        "end": _at(day, "10:30"),
        "participants": PARTICIPANTS,
        "equipment": ["投影仪"],
        "description": "请各处室准备书面材料。",
    }
    meeting_id = str(driver.expect("POST", "/api/meetings", ORGANIZER, body, status=201)["meeting_id"])
    task = driver.wait_task(APPROVER, meeting_id, "meeting")
    driver.expect("GET", "/api/tasks", APPROVER)
    driver.expect("GET", f"/api/meetings/{meeting_id}", APPROVER)
    driver.expect("POST", f"/api/tasks/{task['task_id']}/decision", APPROVER, {"decision": "approve", "opinion": ""})
    wait_for(
        lambda: driver.call("GET", f"/api/meetings/{meeting_id}", ORGANIZER, phase="poll")[1]["status"] == "confirmed",
        f"meeting {meeting_id} confirmed",
        WAIT_SECONDS,
    )
    with meter.phase("local"):
        wait_finished(stack, meeting_id)
        figures = flow_figures(stack, meeting_id)
    return summarize(
        meter.take(),
        transitions=figures.transitions,
        history_events=figures.history_events,
        executions=figures.executions,
        description=f"one meeting application for a room that needs approval ({len(PARTICIPANTS)} participants): "
        "applied, approved through the JSON API, confirmed and invitations sent",
    )


def measure() -> BookingCosts:
    meter = Meter()
    with meter.installed():
        stack = LocalStack()
        with meter.phase("local"):
            stack.start()
        try:
            from oa_core.platform.clock import local_zone

            driver = Driver(stack, meter)
            day = datetime.now(local_zone()).date() + timedelta(days=10)
            booking, single = measure_booking(driver, meter, day)
            meeting = measure_meeting(stack, driver, meter, day + timedelta(days=1))

            weekly = {"freq": "weekly", "count": 4}
            body = {"resource_id": ROOM, "start": _at(day, "18:00"), "end": _at(day, "19:00"), "title": "例会"}
            driver.expect("POST", "/api/bookings", BOOKER, {**body, "recurrence": weekly}, status=201)
            taken = meter.take()
            recurring = _dynamodb_of(taken, "ApiFunction POST /api/bookings")
            driver.expect("GET", f"/api/resources/{ROOM}/bookings?{_week(day)}", BOOKER)
            looked = meter.take()
            occupancy = _dynamodb_of(looked, "ApiFunction GET /api/resources/{id}/bookings")
            race_seconds, statuses = _race(driver, day)
            scans = [*booking_scans(booking, meeting), *taken.scans, *looked.scans, *meter.take().scans]
        finally:
            stack.stop()
    return BookingCosts(
        race_seconds=race_seconds,
        race_created=statuses.count(201),
        race_conflicts=statuses.count(409),
        booking_requests=single,
        recurring_requests=recurring,
        occupancy_requests=occupancy,
        scans=scans,
        booking=booking,
        meeting=meeting,
    )


def booking_scans(*units: dict[str, Any]) -> list[str]:
    return [unit["description"] for unit in units if unit["dynamodb"]["scans"]]


def _race(driver: Driver, day: date) -> tuple[float, list[int]]:
    """50 overlapping requests for one room released together."""
    barrier = threading.Barrier(RACERS + 1)
    statuses: list[int] = []
    lock = threading.Lock()

    def racer(n: int) -> None:
        body = {"resource_id": ROOM, "start": _at(day, f"{10 + n % 3}:00"), "end": _at(day, "14:00"), "title": "抢"}
        barrier.wait()
        status = driver.call("POST", "/api/bookings", RACER, body)[0]
        with lock:
            statuses.append(status)

    driver.call("GET", "/api/tasks", RACER, phase="local")  # sign the racer in before the start
    threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(120)
    return time.perf_counter() - began, statuses


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
            " record); the occupancy is one Query of the resource's partition. What a whole booking and a"
            " meeting with its approval ask of AWS is in section 5.",
            "",
        ]
    )
