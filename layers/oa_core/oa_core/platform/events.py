"""Pydantic models of the events the state machine sends to each step Lambda."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ScheduledEvent(BaseModel):
    """An EventBridge schedule's event (催办 runs); only its time is of interest, for the logs."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True, defer_build=True)
    time: str | None = None
