"""What a text field at the edge accepts: one-line fields refuse line breaks and control characters,
multi-line fields take line feeds only, times stay inside the calendar, and the OpenAPI says so."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from oa_core.bookings.models import DispatchRequest, MeetingApplication, MeetingChange, ResourceInput
from oa_core.outgoing.models import DraftSubmission, RevisionRequest
from oa_core.platform.http import humanize
from oa_core.platform.mail import subject_line
from oa_core.workflow.models import DecisionRequest

BREAKERS = ["\r\n", "\n", "\r", "\u2028", "\u2029", "\x00", "\x1b", "\t", "\x85", "\u202e", "\u200b", "\ufeff"]


def _draft(**overrides: Any) -> dict[str, Any]:
    return {
        "doc_type": "通知",
        "title": "关于开展检查的通知",
        "body": "一、总体要求。",
        "main_recipients": ["各处室"],
        "reviewer": "wangfang",
        "signer": "zhaolei",
        **overrides,
    }


def _dispatch(**overrides: Any) -> dict[str, Any]:
    times = {"start": "2026-12-20T09:00+08:00", "end": "2026-12-20T10:00+08:00"}
    return {"purpose": "接待", "passengers": 2, "origin": "机关", "destination": "市政府", **times, **overrides}


def _meeting(**overrides: Any) -> dict[str, Any]:
    times = {"start": "2026-12-20T09:00+08:00", "end": "2026-12-20T10:00+08:00"}
    return {"topic": "周例会", "room_id": "room-301", "participants": ["lina"], **times, **overrides}


def _refusal(model: type[BaseModel], data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return humanize(caught.value.errors())


@pytest.mark.parametrize("breaker", BREAKERS)
def test_a_one_line_field_refuses_line_breaks_and_control_characters_saying_what_it_takes(breaker: str) -> None:
    cases: list[tuple[type[BaseModel], dict[str, Any], str]] = [
        (DraftSubmission, _draft(title=f"关于{breaker}检查"), "标题"),
        (DraftSubmission, _draft(main_recipients=[f"各{breaker}处室"]), "主送机关"),
        (DraftSubmission, _draft(distribute_to=[f"市{breaker}财政局"]), "分发范围"),
        (RevisionRequest, {"title": f"新{breaker}标题"}, "标题"),
        (MeetingApplication, _meeting(topic=f"周{breaker}例会"), "会议主题"),
        (MeetingChange, {"topic": f"周{breaker}例会"}, "会议主题"),
        (DispatchRequest, _dispatch(purpose=f"接{breaker}待"), "事由"),
        (DispatchRequest, _dispatch(destination=f"市{breaker}政府"), "目的地"),
        (ResourceInput, {"resource_id": "room-9", "kind": "room", "name": f"九{breaker}号"}, "名称"),
    ]
    for model, data, label in cases:
        message = _refusal(model, data)
        assert label in message and "只能是一行文字" in message, (model.__name__, message)


@pytest.mark.parametrize("breaker", ["\r\n", "\n", "\u2028"])
def test_a_one_line_field_drops_breaks_at_its_ends_only(breaker: str) -> None:
    assert DraftSubmission.model_validate(_draft(title=f"关于检查{breaker}")).title == "关于检查"


def test_a_multi_line_field_takes_line_feeds_and_reads_crlf_as_lf() -> None:
    submission = DraftSubmission.model_validate(_draft(body="一、要求。\r\n二、步骤。\r三、结尾。"))
    assert submission.body == "一、要求。\n二、步骤。\n三、结尾。"
    assert DecisionRequest(decision="return", opinion="第一点\r\n第二点").opinion == "第一点\n第二点"


@pytest.mark.parametrize("breaker", ["\u2028", "\x00", "\t", "\x1b", "\u202e"])
def test_a_multi_line_field_refuses_other_control_characters(breaker: str) -> None:
    assert "可以换行，但不能包含" in _refusal(DraftSubmission, _draft(body=f"正文{breaker}内容"))
    message = _refusal(DecisionRequest, {"decision": "reject", "opinion": f"意{breaker}见"})
    assert "意见" in message and "不能包含" in message


@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:00+14:00", "0001-01-01T00:00", "9999-12-31T23:59:59+14:00", "9999-12-31T23:00-12:00", "1900-01-01"],
)
def test_a_time_at_the_calendars_ends_is_refused_in_chinese(moment: str) -> None:
    for model, data in ((DispatchRequest, _dispatch(start=moment)), (MeetingApplication, _meeting(end=moment))):
        assert "超出可用范围" in _refusal(model, data)


@pytest.mark.parametrize("breaker", BREAKERS)
def test_a_subject_cannot_be_broken_even_by_text_saved_before_the_edge_refused_it(breaker: str) -> None:
    subject = subject_line(f"关于{breaker}Bcc: x@example.org{breaker}检查", "特急", "请签发")
    message = EmailMessage()
    message["Subject"] = subject  # raises on CR/LF
    assert message["Subject"] == "【特急】请签发：关于 Bcc: x@example.org 检查"


def _properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(schema.get("properties") or {})


def _described(schema: dict[str, Any], definitions: dict[str, Any]) -> bool:
    if "description" in schema or "enum" in schema or "const" in schema or schema.get("type") in ("integer", "boolean"):
        return True
    if "$ref" in schema:
        return True  # a nested model: its own fields are checked
    for key in ("anyOf", "allOf", "oneOf"):
        if key in schema:
            return all(_described(s, definitions) for s in schema[key] if s.get("type") != "null")
    if schema.get("type") == "array":
        return _described(schema.get("items") or {}, definitions)
    return False


@pytest.mark.parametrize(
    "model", [DraftSubmission, RevisionRequest, MeetingApplication, MeetingChange, DispatchRequest, ResourceInput]
)
def test_every_input_field_says_in_the_openapi_what_it_accepts(model: type[BaseModel]) -> None:
    schema = model.model_json_schema()
    definitions = schema.get("$defs") or {}
    for owner in (schema, *definitions.values()):
        for name, field in _properties(owner).items():
            assert _described(field, definitions), f"{model.__name__}.{name} has no description: {field}"
