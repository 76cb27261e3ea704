"""The OpenAPI document as the API answers: Powertools' generated schema, completed with what it cannot
see — every error any route gives (``{"error": {"code", "message"}}``, never Powertools' own
validation shape), what a path id may be, and the ``from``/``to`` query window read from the raw
query (Python names cannot be ``from``). Schemathesis checks answers against this document."""

from __future__ import annotations

import json
from typing import Any

from oa_core.platform.fields import EARLIEST_YEAR, LATEST_YEAR
from oa_core.platform.http import PATH_ID
from oa_core.platform.models import ErrorBody

ERRORS = {
    "400": "请求体不是 UTF-8 文本 (the body is not UTF-8)",
    "401": "未登录或登录已失效 (not signed in)",
    "403": "无权操作 (forbidden)",
    "404": "没有这个对象或接口 (not found)",
    "409": "与当前状态冲突 (conflict)",
    "422": "输入无效，message 说明哪一项、应当怎样 (invalid input, the message says which field and why)",
}
QUERY = {
    "q": "标题中的词（单行文本）。Words of the title.",
    "number": "发文字号或其一部分。A 发文字号 or part of one.",
    "doc_type": "文种，15 种之一（如 通知、函）；空即全部。One of the 15 文种, or empty for all.",
    "year": "年份（整数，如 2026）。The year.",
    "department": "部门编号；空即全部（有权查看时）。A department id, or empty for all (when allowed).",
    "next": "上一页返回的 next，原样传回；其他值为 422。The previous page's next, as it was.",
    "kind": "room、vehicle 或 driver；空即全部。room, vehicle or driver, or empty for all.",
    "min_capacity": "至少容纳的人数（整数）。At least this many seats.",
    "equipment": "需要的设备，逗号分隔（如 投影仪,视频会议）。Equipment needed, comma-separated.",
    "status": "收文状态：receiving、registering、registered、refused 或 failed；空即全部。A 收文 status or empty.",
    "rev": "附件列表的 rev（上次读到的）；列表已变则 409，重复点击不会多删。The list's rev as last read.",
}
"""What each query parameter accepts (Powertools' generated schema has none)."""
WINDOWED = {
    "/api/archive": ("成文日期", "date"),
    "/api/resources": ("空闲时段", "date-time"),
    "/api/resources/{resource_id}/bookings": ("查询时段", "date-time"),
}
"""Operations that read `from` and `to` (routes/common.window)."""


def _window_parameters(what: str, fmt: str) -> list[dict[str, Any]]:
    text = (
        f"{what}的%s：ISO 8601（如 2026-12-03 或 2026-12-03T09:00+08:00），{EARLIEST_YEAR}–{LATEST_YEAR} 年。"
        "ISO 8601 date or time."
    )
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "schema": {"type": "string", "format": fmt},
            "description": text % label,
        }
        for name, label in (("from", "起点"), ("to", "终点"))
    ]


def complete(document: str) -> str:
    """The generated document with every operation's errors, path ids and query window declared."""
    schema: dict[str, Any] = json.loads(document)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_schema.pop("$defs", {}))
    components["ErrorBody"] = error_schema
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                declared = (responses.get(status) or {}).get("description") if status != "422" else None
                responses[status] = {"description": declared or description, "content": error_content}
            for status in [s for s in responses if s.startswith("3")]:
                responses[status].pop("content", None)  # a redirect has no body, only its Location
            if "302" in responses:
                responses.pop("200", None)
            parameters = operation.setdefault("parameters", [])
            for parameter in parameters:
                if parameter.get("in") == "query" and parameter.get("name") in QUERY:
                    parameter.setdefault("description", QUERY[parameter["name"]])
                if parameter.get("in") == "path" and parameter.get("name") == "no":
                    parameter["schema"] = {"type": "string", "pattern": "^[0-9]{1,9}$"}
                    parameter["description"] = (
                        "附件序号 no（从 1 起，删除后不复用；其他值为 404）。The attachment's number (never reused)."
                    )
                elif parameter.get("in") == "path":
                    parameter["schema"] = {"type": "string", "pattern": f"^{PATH_ID.pattern}$", "maxLength": 128}
                    parameter["description"] = "编号：1–128 个字母、数字或 . _ -。An id: 1-128 of A-Z a-z 0-9 . _ -."
            if path in WINDOWED and operation is operations.get("get"):
                parameters.extend(_window_parameters(*WINDOWED[path]))
            if not parameters:
                operation.pop("parameters")
    return json.dumps(schema, ensure_ascii=False)
