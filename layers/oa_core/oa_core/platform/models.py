"""Pydantic models for every input and output at the edges of the system."""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

UserId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$"),
    Field(description="用户名：1–64 个字母、数字或 . _ @ -。A user id: 1-64 of letters, digits and . _ @ -."),
]


MAX_LIST = 50


def _plain_urgency(value: Any) -> Any:
    return "" if isinstance(value, str) and value.strip() == "普通" else value


Urgency = Annotated[Literal["", "加急", "特急"], BeforeValidator(_plain_urgency)]
"""紧急程度 of a 发文 or a 收文: "" (普通), 加急 or 特急; 普通 as a word is taken and kept as "" (the
error lists 普通 among the choices, so a person may well type it)."""


class FieldProblem(ValueError):
    """A validator's complaint about one field's value, shown after the field's Chinese name
    (platform.http.humanize): ``FieldProblem("请填写真实存在的日期")`` → “办理时限”请填写真实存在的日期."""


def wants_integer(annotation: Any) -> bool:
    """Whether a field's type is an integer (``int``, ``Annotated[int, …]``, ``int | None``), never a bool."""
    if annotation is int:
        return True
    origin = get_origin(annotation)
    if origin is Annotated:
        return wants_integer(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return bool(args) and all(wants_integer(a) for a in args)
    return False


class StrictModel(BaseModel):
    """Every input model at an edge: unknown fields refused, and a number is a JSON number: ``true`` or
    ``"3"`` for an integer (份数, 打印份数, 容纳人数…) is refused, never read as 1 or 3 (JSON's true is no count)."""

    # defer_build: a model's validator is built on first use, not at import (cold start).
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def _integers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, (bool, str)) and field is not None and wants_integer(field.annotation):
            raise PydanticCustomError("int_type", "Input should be a valid integer")
        return value


class OutputModel(BaseModel):
    model_config = ConfigDict(defer_build=True)


class ErrorDetail(OutputModel):
    code: str
    message: str


class ErrorBody(OutputModel):
    error: ErrorDetail
