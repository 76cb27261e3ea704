"""Pydantic models of the events DocumentFlow sends to each 发文 step Lambda."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class StepEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True, defer_build=True)
    document_id: str = Field(min_length=1, max_length=64)


class HumanStepEvent(StepEvent):
    """A waitForTaskToken invocation: the token is stored, never logged or returned."""

    task_token: str = Field(min_length=1, repr=False)


class CountersignEvent(HumanStepEvent):
    countersigner: str
    index: int = 0


class DraftEvent(StepEvent):
    """拟稿 side of the flow."""

    action: Literal["submit", "resume", "await_revision", "mark_rejected", "mark_failed"]
    task_token: str | None = Field(default=None, repr=False)
    resume_at: str | None = None
    step: str | None = None
    error: dict[str, Any] | None = None
