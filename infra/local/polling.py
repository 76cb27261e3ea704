"""Waiting for an asynchronous outcome (a task, an email, a status), shared by tests and the bench."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

WAIT_SECONDS = 30.0
POLL_SECONDS = 0.05


def wait_for(check: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS) -> Any:
    """Call `check` until it returns something truthy and return that; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(POLL_SECONDS)
