"""Every field of every edge model is named in Chinese when it is refused, and every integer of an edge model
takes a JSON number only (``true`` is no 份数, ``"3"`` no 打印份数): walked over every input model of oa_core,
the exchange's bodies and the JSON API's OpenAPI document (its bodies and query parameters)."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import oa_core
from oa_core.incoming.models import ExchangePayload
from oa_core.outgoing.concluded import ConcludedReceipt
from oa_core.platform.http import FIELD_LABELS, humanize
from oa_core.platform.models import StrictModel, wants_integer
from oa_core.platform.wording import HAN

ROOT = Path(__file__).resolve().parents[3]


def _edge_models() -> list[type[BaseModel]]:
    for module in pkgutil.walk_packages(oa_core.__path__, "oa_core."):
        importlib.import_module(module.name)
    found: list[type[BaseModel]] = [ExchangePayload, ConcludedReceipt]
    pending: list[type[BaseModel]] = [StrictModel]
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                pending.append(sub)
    return sorted(found, key=lambda m: f"{m.__module__}.{m.__qualname__}")


EDGE_MODELS = _edge_models()


def _fields(model: type[BaseModel], parent: str = "") -> set[str]:
    names = set()
    for name, field in model.model_fields.items():
        names.add(f"{parent}.{name}" if parent and f"{parent}.{name}" in FIELD_LABELS else name)
        for inner in (field.annotation, *getattr(field.annotation, "__args__", ())):
            for kind in (inner, *getattr(inner, "__args__", ())):
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    names |= _fields(kind, name)
    return names


def _label_problems(names: set[str]) -> list[str]:
    return sorted(n for n in names if not HAN.search(FIELD_LABELS.get(n, "")))


@pytest.mark.parametrize("model", EDGE_MODELS, ids=lambda m: m.__name__)
def test_every_field_of_every_edge_model_has_a_chinese_label(model: type[BaseModel]) -> None:
    assert _label_problems(_fields(model)) == []


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    """The JSON API's OpenAPI document, built by its handler in a fresh interpreter (its routes/ package)."""
    script = (
        "import sys; sys.path[:0] = ['functions/api', 'layers/oa_core']; import app; "
        "print(app.app.get_openapi_json_schema(title='t', version='1'))"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout[done.stdout.index("{") :]))


def test_every_body_field_and_query_parameter_of_the_api_has_a_chinese_label(openapi: dict[str, Any]) -> None:
    names: set[str] = set()
    for operations in openapi["paths"].values():
        for operation in operations.values():
            names |= {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    for schema_name, schema in openapi["components"]["schemas"].items():
        if schema_name.endswith(("Request", "Submission", "Input", "Registration", "Application", "Change")):
            names |= set(schema.get("properties", {}))
    assert _label_problems(names) == []


INTEGER_FIELDS = [
    (model, name)
    for model in EDGE_MODELS
    if issubclass(model, StrictModel)
    for name, field in model.model_fields.items()
    if wants_integer(field.annotation)
]


def test_the_edge_models_have_integer_fields_to_check() -> None:
    assert {name for _, name in INTEGER_FIELDS} >= {"copies", "capacity", "passengers", "count", "size"}


@pytest.mark.parametrize("given", [True, False, "3", "1"])
@pytest.mark.parametrize(("model", "name"), INTEGER_FIELDS, ids=lambda x: getattr(x, "__name__", x))
def test_an_integer_of_an_edge_model_refuses_a_boolean_or_a_string_in_chinese(
    model: type[StrictModel], name: str, given: object
) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate({name: given})
    problems = [e for e in caught.value.errors() if e["loc"][-1] == name]
    assert [e["type"] for e in problems] == ["int_type"], problems
    said = humanize(problems)
    assert said.endswith("类型错误，应为整数") and HAN.search(said) and name not in said, said


def test_the_messages_the_review_found_name_the_field_people_know() -> None:
    copies = [{"type": "greater_than_equal", "loc": ("body", "count"), "ctx": {"ge": 1}}]
    assert humanize(copies) == "“打印份数”不能小于 1"
    page = [{"type": "int_parsing", "loc": ("query", "page"), "msg": "Input should be a valid integer"}]
    assert humanize(page) == "“页码”应为整数"
    repeat = [{"type": "less_than_equal", "loc": ("body", "recurrence", "count"), "ctx": {"le": 52}}]
    assert humanize(repeat) == "“周期”的“重复次数”不能大于 52"
    missing = [{"type": "missing", "loc": ("body", "incoming_id")}]
    assert "扫描件" in humanize(missing) and "登记表" not in humanize(missing)


def test_an_impossible_day_with_a_time_zone_is_called_an_invalid_date_not_a_missing_zone() -> None:
    receipt = {"delivery_id": "d-1", "kind": "concluded", "incoming_number": "收〔2026〕1号", "unit": "示例市教育局"}
    with pytest.raises(ValidationError) as caught:
        ConcludedReceipt.model_validate({**receipt, "concluded_at": "2026-02-30T10:00:00+08:00"})
    said = humanize(caught.value.errors())
    assert "时间无效" in said and "须带时区" not in said, said
    with pytest.raises(ValidationError) as caught:
        ConcludedReceipt.model_validate({**receipt, "concluded_at": "2026-02-03T10:00:00"})
    assert "须带时区" in humanize(caught.value.errors())


@pytest.mark.parametrize("model", [m for m in EDGE_MODELS if "urgency" in m.model_fields], ids=lambda m: m.__name__)
def test_every_urgency_takes_the_word_it_offers_and_keeps_it_as_plain(model: type[BaseModel]) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate({"urgency": "超急"})
    offered = humanize([e for e in caught.value.errors() if e["loc"] == ("urgency",)])
    assert offered == "“紧急程度”取值无效，可选值：普通、加急、特急", offered
    try:
        assert model.model_validate({"urgency": "普通"}).model_dump()["urgency"] == ""
    except ValidationError as refused:
        assert not [e for e in refused.errors() if e["loc"] == ("urgency",)], refused.errors()
