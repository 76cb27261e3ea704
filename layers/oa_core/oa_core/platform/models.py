"""Pydantic models for every input and output at the edges of the system."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

UserId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$"),
    Field(description="用户名：1–64 个字母、数字或 . _ @ -。A user id: 1-64 of letters, digits and . _ @ -."),
]


MAX_LIST = 50


class FieldProblem(ValueError):
    """A validator's complaint about one field's value, shown after the field's Chinese name
    (platform.http.humanize): ``FieldProblem("请填写真实存在的日期")`` → “办理时限”请填写真实存在的日期."""


class StrictModel(BaseModel):
    # defer_build: a model's validator is built on first use, not at import (cold start).
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, defer_build=True)


class OutputModel(BaseModel):
    model_config = ConfigDict(defer_build=True)


class ErrorDetail(OutputModel):
    code: str
    message: str


class ErrorBody(OutputModel):
    error: ErrorDetail
