"""Waiting for an asynchronous outcome (a task, an email, a status), shared by tests and the bench.

Every wait polls a condition until a deadline and, when it gives up, says what it waited for, how
long, and what it saw last. Deadlines are sized to the work (``flows_seconds(n)`` for n documents
flowing at once) and to a slow machine: the base figures below already allow for a loaded two-core
machine (CI's, busy with other work), and ``OA_TEST_TIME_SCALE`` multiplies every one of them (and
the tests' pytest-timeout guard, see tests/conftest.py) for a machine slower still, e.g.
``OA_TEST_TIME_SCALE=3``. Only a failing wait ever reaches its deadline, so generous figures cost a
passing run nothing.

A poll is a request that costs the stack about as much CPU as a step of the flow it waits for, so
polling backs off (50 ms at first, then a fifth of the time waited so far, at most 1 s): a tight
loop would slow, on a loaded machine, the very work it waits for.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

TIME_SCALE_ENV = "OA_TEST_TIME_SCALE"
"""Multiplies every deadline below (a positive number; default 1)."""

STEP_SECONDS = 60.0
"""One asynchronous step: a task opened, an email sent, a status reached (well under 1 s idle)."""
FLOW_SECONDS = 120.0
"""One document from its last decision to archived: 编号, 印制 (≈4 s of CPU idle), 用印, 分发, 归档."""
EACH_MORE_FLOW_SECONDS = 20.0
"""Each further document flowing at the same time (they share the stack's one interpreter)."""
REQUEST_SECONDS = 30.0
"""One HTTP request or call, for a client's own timeout (a guard, not a wait)."""

POLL_SECONDS = 0.05
MAX_POLL_SECONDS = 1.0


def time_scale() -> float:
    """``OA_TEST_TIME_SCALE`` (default 1): how much slower than a loaded two-core machine this one is."""
    raw = os.environ.get(TIME_SCALE_ENV, "").strip()
    if not raw:
        return 1.0
    try:
        scale = float(raw)
    except ValueError:
        raise ValueError(f"{TIME_SCALE_ENV}={raw!r} is not a number") from None
    if not scale > 0:
        raise ValueError(f"{TIME_SCALE_ENV}={raw!r} must be positive")
    return scale


def scaled(seconds: float) -> float:
    """A base figure in seconds, for this machine."""
    return seconds * time_scale()


def flows_seconds(count: int) -> float:
    """Base seconds for ``count`` documents' flows started together to all finish."""
    return FLOW_SECONDS + max(0, count - 1) * EACH_MORE_FLOW_SECONDS


class Deadline:
    """A point in time ``scaled(seconds)`` from now, shared by several waits."""

    def __init__(self, seconds: float) -> None:
        self.base_seconds = seconds
        self.seconds = scaled(seconds)
        self.started = time.monotonic()
        self.at = self.started + self.seconds

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def passed(self) -> bool:
        return time.monotonic() > self.at

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def describe(self) -> str:
        scale = time_scale()
        sizing = f"{self.base_seconds:.0f} s × {TIME_SCALE_ENV} {scale:g}" if scale != 1 else f"{self.seconds:.0f} s"
        return f"after {self.elapsed():.0f} s (deadline {sizing})"


def _shown(value: Any, limit: int = 2000) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def wait_for(
    check: Callable[[], Any],
    what: str,
    seconds: float = STEP_SECONDS,
    *,
    deadline: Deadline | None = None,
    saw: Callable[[], Any] | None = None,
) -> Any:
    """Call ``check`` until it returns something truthy and return that.

    Gives up at ``deadline`` (or ``scaled(seconds)`` from now) with an AssertionError that names
    ``what`` and what was seen last: ``saw()`` if given, else the last value ``check`` returned.
    An exception raised by ``check`` is not retried: it fails the wait at once.
    """
    limit = deadline or Deadline(seconds)
    started = time.monotonic()
    while True:
        result = check()
        if result:
            return result
        if limit.passed():
            try:
                seen = saw() if saw is not None else result
            except Exception as error:  # the report must not hide the timeout
                seen = f"(could not look: {error!r})"
            raise AssertionError(
                f"timed out {limit.describe()} waiting for {what}; last saw: "
                + (seen if isinstance(seen, str) else _shown(seen))
            )
        waited = time.monotonic() - started
        time.sleep(min(MAX_POLL_SECONDS, max(POLL_SECONDS, waited / 5), limit.remaining() + POLL_SECONDS))


def join_all(threads: Iterable[threading.Thread], what: str, seconds: float = STEP_SECONDS) -> None:
    """Join every thread by one deadline; fail naming those still running (never give up silently)."""
    threads = list(threads)
    limit = Deadline(seconds)
    for thread in threads:
        thread.join(limit.remaining())
    running = [thread.name for thread in threads if thread.is_alive()]
    if running:
        raise AssertionError(
            f"timed out {limit.describe()} waiting for {what}: {len(running)} of {len(threads)} threads "
            f"still running ({', '.join(running)})"
        )
