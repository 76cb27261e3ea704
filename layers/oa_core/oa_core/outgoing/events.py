"""Pydantic models of the events DocumentFlow sends to each 发文 step Lambda."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class StepEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True, defer_build=True)
    document_id: str = Field(min_length=1, max_length=64)


class WaitClock(BaseModel):
    """When a human step's execution started ($$.Execution.StartTime) and how long the step may wait
    (its TimeoutSecondsPath): whether the wait still ends inside the execution's year."""

    execution_started_at: AwareDatetime | None = None
    timeout_seconds: int | None = Field(default=None, ge=1)


class HumanStepEvent(StepEvent, WaitClock):
    """A waitForTaskToken invocation: the token is stored, never logged or returned."""

    task_token: str = Field(min_length=1, repr=False)


class CountersignEvent(HumanStepEvent):
    countersigner: str
    index: int = 0


class DraftEvent(StepEvent, WaitClock):
    """拟稿 side of the flow."""

    action: Literal["submit", "resume", "await_revision", "mark_rejected", "mark_failed"]
    task_token: str | None = Field(default=None, repr=False)
    resume_at: str | None = None
    step: str | None = None
    error: dict[str, Any] | None = None
