"""What a 收文's edges accept: real calendar dates only, and every refusal in Chinese naming the field in
Chinese (no pydantic English, no English key, no wrong hint)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from oa_core.incoming.intake import PaperRegistration
from oa_core.incoming.models import (
    ExchangePayload,
    ExtensionRequest,
    IncomingPlan,
    IncomingRegistration,
    Reassignment,
)
from oa_core.outgoing.concluded import ConcludedReceipt
from oa_core.platform.http import FIELD_LABELS, humanize

EDGE_MODELS: tuple[type[BaseModel], ...] = (
    ExchangePayload,
    ConcludedReceipt,
    IncomingRegistration,
    IncomingPlan,
    ExtensionRequest,
    Reassignment,
    PaperRegistration,
)
IMPOSSIBLE = ("2026-02-30", "2026-13-45", "2026-2-3", "abc", "20261231")
LATIN = re.compile(r"[A-Za-z]+")
ALLOWED_LATIN = {"SHA", "JSON", "T"}


def _said(model: type[BaseModel], data: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return humanize(caught.value.errors())


def _fields(model: type[BaseModel]) -> set[str]:
    names = set()
    for name, field in model.model_fields.items():
        names.add(name)
        for inner in (field.annotation, *getattr(field.annotation, "__args__", ())):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                names |= _fields(inner)
    return names


@pytest.mark.parametrize("model", EDGE_MODELS, ids=lambda m: m.__name__)
def test_every_field_of_every_incoming_edge_model_has_a_chinese_label(model: type[BaseModel]) -> None:
    assert sorted(_fields(model) - set(FIELD_LABELS)) == []


@pytest.mark.parametrize("bad", IMPOSSIBLE)
def test_an_impossible_date_is_refused_by_every_incoming_model_naming_the_field(bad: str) -> None:
    assert "“办理时限”" in _said(IncomingRegistration, {"deadline": bad})
    plan = {"lead": {"department": "a", "deadline": bad}, "assist": [{"department": "b", "deadline": bad}]}
    said = _said(IncomingPlan, plan)
    assert "“主办部门”的“办理时限”" in said and "“协办部门”第 1 项的“办理时限”" in said
    assert _said(ExtensionRequest, {"until": bad, "reason": "等数据"}).startswith("“延期至”请填写真实存在的日期")
    paper = {"incoming_id": "I" + "0" * 20, "upload": "0" * 32, "sender": "甲", "title": "乙", "received_on": bad}
    assert "“收文日期”" in _said(PaperRegistration, paper)
    assert "“办理时限”" in _said(PaperRegistration, {**paper, "received_on": "2026-01-05", "deadline": bad})


def test_real_dates_pass_and_an_empty_registration_deadline_clears_it() -> None:
    assert IncomingRegistration.model_validate({"deadline": "2028-02-29"}).deadline == "2028-02-29"
    assert IncomingRegistration.model_validate({"deadline": ""}).deadline == ""
    assert ExtensionRequest.model_validate({"until": " 2099-12-31 ", "reason": "x"}).until == "2099-12-31"


def test_the_extension_message_names_延期至_and_理由_without_the_user_id_hint() -> None:
    said = _said(ExtensionRequest, {"until": "", "reason": ""})
    assert said == "“延期至”请填写真实存在的日期，如 2026-12-31；“理由”不能为空"


@pytest.mark.parametrize(
    ("model", "data", "expected"),
    [
        (ExchangePayload, [], "请求体类型错误，应为JSON 对象"),
        (ExchangePayload, "text", "请求体类型错误，应为JSON 对象"),
        (
            ExchangePayload,
            {"delivery_id": "d", "sender": {"name": "甲"}, "document": {"title": "乙", "urgency": "急"}, "pdf": []},
            "“来文”的“紧急程度”取值无效，可选值：普通、加急、特急；“来文文件”类型错误，应为JSON 对象",
        ),
        (
            ExchangePayload,
            {"delivery_id": "d", "sender": [], "document": {"title": "乙"}, "pdf": {"sha256": "x", "base64": "A"}},
            "“来文单位”类型错误，应为JSON 对象；“来文文件”的“SHA-256 摘要”格式不正确（应为 64 位十六进制数字）",
        ),
        (
            ConcludedReceipt,
            {"delivery_id": "d", "kind": "concluded", "incoming_number": "", "concluded_at": "x", "unit": 1},
            "“收文编号”不能为空；“办结时间”日期或时间无效，请填写真实存在的时间，如 2026-12-31T09:00:00+08:00；"
            "“单位”类型错误，应为文本",
        ),
        (IncomingRegistration, {"urgency": "急", "copies": "多"}, "“紧急程度”取值无效，可选值：普通、加急、特急"),
        (Reassignment, {"department": "", "reason": ""}, "“部门”不能为空；“理由”不能为空"),
    ],
)
def test_no_english_pydantic_text_reaches_a_person(model: type[BaseModel], data: Any, expected: str) -> None:
    said = _said(model, data)
    assert said.startswith(expected), said
    assert set(LATIN.findall(said)) <= ALLOWED_LATIN, said


def test_an_unknown_error_kind_says_the_field_is_invalid_never_pydantics_own_words() -> None:
    said = humanize([{"type": "something_new", "loc": ("body", "document", "title"), "msg": "Input is bad"}])
    assert said == "“来文”的“标题”的值无效"
    assert humanize([{"type": "value_error", "loc": ("x",), "msg": "Value error, bad input"}]) == "“x”的值无效"
