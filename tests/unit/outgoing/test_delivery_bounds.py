"""对外发送 ends far inside Step Functions' one-year limit: the worst case, from the template's bounds
(DeliveryMaxAttempts, DeliveryRetrySeconds), the code's backoff and the ASL's retries and timeouts."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from infra.local.template import Template
from oa_core.outgoing.delivery import MAX_WAIT_SECONDS, backoff_seconds

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = Template.from_file(ROOT / "template.yaml")
FLOW = json.loads((ROOT / "statemachines" / "delivery.asl.json").read_text(encoding="utf-8"))["States"]


def bound(name: str) -> int:
    spec = TEMPLATE.document["Parameters"][name]
    assert "MaxValue" in spec, f"{name} needs a MaxValue: the worst case depends on it"
    return int(spec["MaxValue"])


def longest_run(state: dict[str, Any], each_try_seconds: float) -> float:
    """A Task's longest time: every try at its longest, with every Retry interval between them."""
    tries, waits = 1, 0.0
    for retry in state.get("Retry", []):
        interval, rate = retry.get("IntervalSeconds", 1), retry.get("BackoffRate", 2.0)
        waits += sum(interval * rate**n for n in range(retry.get("MaxAttempts", 3)))
        tries += retry.get("MaxAttempts", 3)
    return tries * each_try_seconds + waits


def test_the_backoff_doubles_and_stops_at_a_day() -> None:
    assert [backoff_seconds(n, 60) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff_seconds(20, 3600) == MAX_WAIT_SECONDS == 24 * 3600


def test_the_worst_case_delivery_ends_within_three_weeks() -> None:
    attempts, first_wait = bound("DeliveryMaxAttempts"), bound("DeliveryRetrySeconds")
    lambda_seconds = float(TEMPLATE.properties("DeliverFunction")["Timeout"])
    assert FLOW["Backoff"]["SecondsPath"] == "$.result.wait_seconds"  # the code's answer is the wait
    waits = sum(backoff_seconds(n, first_wait) for n in range(1, attempts))  # none after the last
    attempt = longest_run(FLOW["Attempt"], lambda_seconds)
    dead_letter = longest_run(FLOW["DeadLetter"], float(FLOW["DeadLetter"]["TimeoutSeconds"]))
    give_up = longest_run(FLOW["GiveUp"], lambda_seconds)
    worst = timedelta(seconds=waits + attempts * attempt + dead_letter + give_up)
    # 20 attempts, 3600 s first: 3600 × (1 + 2 + 4 + 8 + 16) + 14 days of one-day waits, plus tries.
    assert timedelta(days=15) < worst < timedelta(days=21), worst
    assert worst < timedelta(days=365) / 10
