"""Every human step of every flow has a timeout that ends in a state people see, and every flow
ends far inside Step Functions' one-year execution limit (the definitions and the template's bounds).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from infra.local.template import Template
from oa_core.workflow.flow import EXECUTION_LIMIT, EXECUTION_MARGIN

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = Template.from_file(ROOT / "template.yaml")
MACHINES = {
    logical_id: json.loads((ROOT / str(TEMPLATE.properties(logical_id)["DefinitionUri"])).read_text(encoding="utf-8"))
    for logical_id in TEMPLATE.resources_of_type("AWS::Serverless::StateMachine")
}
CALLBACK = ":states:::lambda:invoke.waitForTaskToken"


def states(machine: dict[str, Any], enclosing: tuple[dict[str, Any], ...] = ()) -> Iterator[tuple[str, Any, tuple]]:
    """(name, state, the Map/Parallel states around it), through every iterator and branch."""
    for name, state in machine["States"].items():
        yield name, state, enclosing
        if state["Type"] == "Map":
            yield from states(state.get("ItemProcessor") or state["Iterator"], (*enclosing, state))
        for branch in state.get("Branches", []):
            yield from states(branch, (*enclosing, state))


def human_steps() -> list[tuple[str, str, dict[str, Any], tuple]]:
    return [
        (machine_id, name, state, enclosing)
        for machine_id, machine in MACHINES.items()
        for name, state, enclosing in states(machine)
        if state.get("Resource", "").endswith(CALLBACK)
    ]


def catcher(state: dict[str, Any], error: str) -> dict[str, Any] | None:
    """The first Catch of a state that takes ``error`` (by name or through States.ALL)."""
    for catch in state.get("Catch", []):
        if error in catch["ErrorEquals"] or "States.ALL" in catch["ErrorEquals"]:
            return dict(catch)
    return None


def parameter_bound(name: str, key: str = "MaxValue") -> float:
    return float(TEMPLATE.document["Parameters"][name][key])


def test_the_human_steps_are_the_ones_we_know() -> None:
    found = {(machine, name) for machine, name, _, _ in human_steps()}
    assert found == {
        ("DocumentFlow", "Review"),
        ("DocumentFlow", "CountersignParallelItem"),
        ("DocumentFlow", "CountersignSerialItem"),
        ("DocumentFlow", "Sign"),
        ("DocumentFlow", "AwaitRevision"),
        ("MeetingFlow", "AwaitApproval"),
        ("IncomingFlow", "Receive"),
        ("IncomingFlow", "Register"),
        ("IncomingFlow", "Propose"),
        ("IncomingFlow", "Instruct"),
        ("IncomingFlow", "HandleItem"),
        ("IncomingFlow", "Check"),
        ("IncomingFlow", "Conclude"),
    }


def timeout_outcome(machine: str, state: dict[str, Any], enclosing: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    """The state of the machine a timeout of ``state`` leads to: its own Catch's target or, inside a
    Map, the Fail state that ends its iteration and then the Map's Catch of that Fail's error."""
    catch = catcher(state, "States.Timeout")
    assert catch is not None, f"{machine}: a timeout is not caught where it happens"
    if not enclosing:
        return dict(MACHINES[machine]["States"][catch["Next"]])
    (outer,) = enclosing
    fail = outer["ItemProcessor"]["States"][catch["Next"]]
    assert fail["Type"] == "Fail"
    outer_catch = catcher(outer, fail["Error"])
    assert outer_catch is not None, f"{machine}: the Map lets {fail['Error']} end the execution"
    return dict(MACHINES[machine]["States"][outer_catch["Next"]])


@pytest.mark.parametrize(("machine", "name", "state", "enclosing"), human_steps(), ids=lambda v: str(v)[:30])
def test_every_human_step_times_out_into_a_caught_state_that_is_not_a_failure(
    machine: str, name: str, state: dict[str, Any], enclosing: tuple[dict[str, Any], ...]
) -> None:
    assert "TimeoutSecondsPath" in state or "TimeoutSeconds" in state, f"{machine}.{name} waits forever"
    outcome = timeout_outcome(machine, state, enclosing)
    assert outcome["Type"] != "Fail", f"{machine}.{name}: a timeout goes straight to a Fail state"
    if enclosing:
        # Inside a Map the timeout ends the iteration with our own error name, never a States.* one.
        inner = catcher(state, "States.Timeout")
        assert inner is not None
        fail = enclosing[-1]["ItemProcessor"]["States"][inner["Next"]]
        flow_name = {"DocumentFlow": "Document", "IncomingFlow": "Incoming"}[machine]
        assert fail["Type"] == "Fail" and fail["Error"] == f"{flow_name}.TimedOut"


def test_document_timeouts_come_from_the_execution_input_and_reach_the_guard() -> None:
    for machine, name, state, _ in human_steps():
        if machine != "DocumentFlow":
            continue
        assert state["TimeoutSecondsPath"] == "$.human_task_timeout_seconds", name
        payload = state["Parameters"]["Payload"]
        assert payload["timeout_seconds.$"] == "$.human_task_timeout_seconds", name
        assert payload["execution_started_at.$"] == "$$.Execution.StartTime", name
    for map_name in ("CountersignParallel", "CountersignSerial"):
        selector = MACHINES["DocumentFlow"]["States"][map_name]["ItemSelector"]
        assert selector["human_task_timeout_seconds.$"] == "$.human_task_timeout_seconds"


def test_a_timed_out_document_step_ends_in_the_failed_and_resumable_path() -> None:
    document = MACHINES["DocumentFlow"]["States"]
    for name in ("Review", "CountersignParallel", "CountersignSerial", "Sign", "AwaitRevision"):
        catch = catcher(document[name], "States.Timeout")
        assert catch is not None and catch["ResultPath"] == "$.error"
        pass_state = document[catch["Next"]]
        assert pass_state["Type"] == "Pass" and pass_state["Next"] == "MarkFailed", name
    assert document["MarkFailed"]["Parameters"]["Payload"]["error.$"] == "$.error"


def test_a_meeting_approval_times_out_into_expire() -> None:
    meeting = MACHINES["MeetingFlow"]["States"]
    assert meeting["AwaitApproval"]["TimeoutSecondsPath"] == "$.hold_seconds"
    assert catcher(meeting["AwaitApproval"], "States.Timeout") == {
        "ErrorEquals": ["States.Timeout"],
        "ResultPath": "$.timeout",
        "Next": "Expire",
    }


def test_the_longest_human_wait_leaves_the_first_step_of_an_execution_room_in_its_year() -> None:
    """HumanTaskTimeoutHours' MaxValue plus the margin fits a year: a fresh execution's first step
    always opens; later ones open only while their whole wait still fits (ensure_time_left)."""
    longest = timedelta(hours=parameter_bound("HumanTaskTimeoutHours"))
    assert longest + EXECUTION_MARGIN < EXECUTION_LIMIT - timedelta(days=7)
    assert parameter_bound("HumanTaskTimeoutHours", "MinValue") >= 1
    assert timedelta(seconds=parameter_bound("MeetingHoldSeconds")) <= timedelta(days=30)
    # A meeting has one human step: its wait (the hold) is the whole execution, give or take a minute.
