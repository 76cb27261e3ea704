"""Pydantic model of the events MeetingFlow sends to its step Lambda."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class MeetingStepEvent(BaseModel):
    """A MeetingFlow step: which meeting, what to do, and for the approval step the task token."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True, defer_build=True)

    meeting_id: str = Field(min_length=1, max_length=64)
    action: Literal["open_approval", "confirm", "reject", "expire", "void"]
    task_token: str = Field(default="", repr=False)
    execution: str = Field(default="", max_length=80)
    """The run's name: the meeting id for its application, ``<meeting id>-v<n>`` for a 会议变更."""
