"""Pydantic models of a human step's edges: a decision, its result, a task in a list."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    StringConstraints,
    model_validator,
)

from oa_core.platform.fields import MULTI_LINE, multi_line
from oa_core.platform.models import OutputModel, StrictModel

Opinion = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2_000), MULTI_LINE, multi_line(0, 2_000, "意见：")
]


Decision = Literal["approve", "return", "reject"]


class DecisionRequest(StrictModel):
    """A decider's decision on a pending task: 同意 / 退回修改 / 不同意."""

    decision: Decision
    opinion: Opinion = ""

    @model_validator(mode="after")
    def _opinion_to_return_or_reject(self) -> DecisionRequest:
        if self.decision in ("return", "reject") and not self.opinion:
            raise ValueError("退回或不同意时请填写意见，写明理由")
        return self


class HistoryEntry(OutputModel):
    step: str
    actor: str
    actor_name: str = ""
    decision: str
    opinion: str = ""
    at: str
    annotations: list[dict[str, str]] = []


class TaskView(OutputModel):
    task_id: str
    document_id: str
    step: str
    due_at: str
    title: str = ""
    overdue: bool = False
    facts: dict[str, str] = {}
    """What the list row shows besides the title (收文: ``sender``, ``sender_number``, ``number``, ``urgency``,
    ``seal`` valid|doubtful|"" (not exchanged), ``deadline``), as stored when the task opened."""


class DecisionResult(OutputModel):
    task_id: str
    document_id: str
    step: str
    decision: str
    status: str
