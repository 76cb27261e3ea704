"""HTTP edge helpers: who is calling, readable validation messages, the contract's error shape."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from oa_core.platform.config import settings
from oa_core.platform.errors import Unauthorized
from oa_core.platform.models import FieldProblem
from oa_core.platform.wording import HAN, for_people

FIELD_LABELS = {
    "doc_type": "文种",
    "title": "标题",
    "body": "正文",
    "main_recipients": "主送机关",
    "cc": "抄送机关",
    "urgency": "紧急程度",
    "classification": "密级",
    "reviewer": "核稿人",
    "countersigners": "会签人",
    "countersign_mode": "会签方式",
    "signer": "签发人",
    "distribute_to": "分发范围",
    "decision": "决定",
    "opinion": "意见",
    "edits": "修改内容",
    "note": "修改说明",
    "annotations": "批注",
    "topic": "会议主题",
    "room_id": "会议室",
    "resource_id": "会议室/车辆",
    "start": "开始时间",
    "end": "结束时间",
    "participants": "参会人员",
    "equipment": "设备",
    "recurrence": "周期",
    "description": "说明",
    "kind": "类型",
    "name": "名称",
    "capacity": "容纳人数",
    "purpose": "事由",
    "passengers": "乘车人数",
    "origin": "出发地",
    "destination": "目的地",
    "vehicle_id": "车辆",
    "driver_id": "驾驶员",
    # 收文 (文书登记 and 登记)
    "sender": "来文单位",
    "sender_number": "来文字号",
    "received_on": "收文日期",
    "copies": "份数",
    "deadline": "办理时限",
    "upload": "来文扫描件",
    "incoming_id": "来文扫描件的收文号（上传扫描件时取得）",
    "registration": "登记信息",
    # 收文 拟办/批办, 延期, 改派
    "plan": "拟办方案",
    "leader": "批办领导",
    "lead": "主办部门",
    "assist": "协办部门",
    "readers": "传阅人员",
    "department": "部门",
    "until": "延期至",
    "reason": "理由",
    # 收文 by exchange (POST /exchange/inbound) and 办结回执 (POST /exchange/receipts)
    "delivery_id": "交换编号",
    "recipient": "收文单位",
    "document": "来文",
    "fonds_code": "全宗号",
    "platform_code": "平台编码",
    "document_id": "文件编号",
    "number": "发文字号",
    "sign_date": "成文日期",
    "seal_digest": "签章摘要",
    "pdf": "来文文件",
    "filename": "文件名",
    "sha256": "SHA-256 摘要",
    "base64": "文件内容",
    "receipt_id": "回执编号",
    "status": "状态",
    "concluded_at": "办结时间",
    "files": "附件",
    "incoming_number": "收文编号",
    "unit": "单位",
    # 拟稿 beyond the contract's fields (版式, 联合行文, 纪要)
    "attachment_note": "附件说明",
    "letter_format": "信函格式",
    "co_issuers": "联合发文机关",
    "sealed": "加盖印章",
    "remarks": "附注",
    "signer_title": "签发人职务",
    "attendees": "出席人员",
    "on_leave": "请假人员",
    "observers": "列席人员",
    "quote": "批注原文",
    # 附件 (change, reorder) and 发文字号 rules
    "rev": "附件版本",
    "order": "附件顺序",
    "code": "机关代字",
    "doc_types": "适用文种",
    "departments": "适用部门",
    # 会议室, 车辆, 驾驶员 and 周期
    "building": "楼宇",
    "needs_approval": "是否需要审批",
    "plate": "车牌号",
    "seats": "座位数",
    "phone": "电话",
    "email": "电子邮箱",
    "freq": "重复方式",
    # 打印份数 (POST /api/documents/{id}/copies); a 周期's count is its own (``recurrence.count``)
    "count": "打印份数",
    "recurrence.count": "重复次数",
    "run": "打印批次",
    "size": "文件大小",
    "content_type": "文件类型",
    "task_id": "待办事项",
    "assignee": "承办人",
    "no": "序号",
    # query strings: 全文检索 (GET /api/search), 档案检索 (GET /api/archive), 审计 (GET /api/audit)
    "q": "检索词",
    "scope": "检索范围",
    "page": "页码",
    "min_capacity": "最少容纳人数",
    "year": "年度",
    "next": "翻页位置",
    "from": "开始时间",
    "to": "结束时间",
    "day": "日期",
    "actor": "操作人",
    "action": "操作",
}
LOCATIONS = ("body", "query", "path", "header", "cookie")
"""Where Powertools says a problem is (the first part of its ``loc``): not shown, the field names it."""


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}
HSTS = "max-age=31536000; includeSubDomains"
"""Strict-Transport-Security of every answer served over https (API Gateway serves https only)."""
CONTENT_JSON = "application/json; charset=utf-8"
"""The content type of the JSON API's bodies (its 201s and errors, and /openapi.json)."""


PATH_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
"""What an id in a path may be: every id the system makes fits (documents, tasks, meetings, bookings,
resources, approval links), and a key built from it stays far inside DynamoDB's key limits."""


def path_problem(event: Mapping[str, Any]) -> str | None:
    """Why the request's path names nothing the system could hold, or None: every segment of every route
    (``/api/documents/<id>``, ``/rooms/<room_id>``, ``/static/<name>``) is a word or an id of PATH_ID."""
    for segment in str(event.get("path") or "").strip("/").split("/"):
        if segment and not PATH_ID.fullmatch(segment):
            shown = segment[:40] + ("…" if len(segment) > 40 else "")
            return f"没有这个对象：路径中的编号“{shown}”只能是 1–128 个字母、数字或 . _ - (no such object)"
    return None


def served_over_https(event: Mapping[str, Any]) -> bool:
    """Whether the client reached us over https: the scheme API Gateway (or a proxy in front of the local
    stack) puts in X-Forwarded-Proto; API Gateway always says https, the local gateway http."""
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == "x-forwarded-proto":
            return str(value).split(",")[0].strip().lower() == "https"
    return False


def with_edge_headers(event: Mapping[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """A Lambda proxy result with the headers every answer carries: JSON is never cached or sniffed
    (Cache-Control: no-store, X-Content-Type-Options: nosniff), and over https HSTS. Headers the route
    set itself win."""
    single: dict[str, Any] = result.get("headers") or {}
    multi: dict[str, list[Any]] = result.get("multiValueHeaders") or {}
    present = {name.lower(): value for name, value in single.items()}
    present.update({name.lower(): (values or [""])[0] for name, values in multi.items()})
    extra: dict[str, str] = {}
    if str(present.get("content-type", "application/json")).lower().startswith("application/json"):
        extra.update({"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})
    if served_over_https(event):
        extra["Strict-Transport-Security"] = HSTS
    missing = {name: value for name, value in extra.items() if name.lower() not in present}
    if multi:
        result["multiValueHeaders"] = {**multi, **{name: [value] for name, value in missing.items()}}
    else:
        result["headers"] = {**single, **missing}
    return result


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A download's file name, ASCII fallback plus the UTF-8 name (RFC 6266 / RFC 5987)."""
    from urllib.parse import quote

    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def error_body(code: str, message: str, details: Mapping[str, Any] | None = None) -> str:
    return json.dumps({"error": {"code": code, "message": message, **(details or {})}}, ensure_ascii=False)


def _label(loc: Iterable[Any]) -> str:
    """Where the problem is, in Chinese: “来文”的“紧急程度”, “协办部门”第 2 项的“办理时限”; a key the system
    does not know is quoted as the caller sent it."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in LOCATIONS:
        parts = parts[1:]
    if not parts:
        return "请求体"
    shown, parent = "", ""
    for part in parts:
        if part.isdigit():
            shown += f"第 {int(part) + 1} 项"
        else:
            name = FIELD_LABELS.get(f"{parent}.{part}", FIELD_LABELS.get(part, part))
            shown += ("的" if shown else "") + f"“{name}”"
            parent = part
    return shown


USER_ID_PATTERN = r"^[A-Za-z0-9._@-]+$"
PATTERN_HINTS = {
    USER_ID_PATTERN: "只能包含字母、数字和 . _ @ -",
    r"^[0-9a-fA-F]{64}$": "应为 64 位十六进制数字",
}
TYPE_NAMES = {
    "string_type": "文本",
    "list_type": "列表",
    "int_type": "整数",
    "float_type": "数字",
    "bool_type": "布尔值",
    "date_type": "日期",
    "datetime_type": "时间",
}
"""Any other ``*_type`` error (dict_type, model_type, model_attributes_type, dataclass_type…) wants a JSON 对象."""
LITERAL_NAMES = {"紧急程度": {"": "普通"}}
"""A choice shown by its name where its value is no word (紧急程度 "" is 普通)."""


def _choices(label: str, expected: str) -> str:
    names = LITERAL_NAMES.get(label.split("“")[-1].rstrip("”"), {})
    values = re.findall(r"'([^']*)'", expected)
    return "、".join(names.get(v, v or "空") for v in values) if values else expected.replace(" or ", "、")


def _describe(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    label = _label(error.get("loc", ()))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"缺少必填项{label}"
    if kind == "extra_forbidden":
        return f"不认识的字段{label}"
    if kind == "string_too_long":
        return f"{label}不能超过 {ctx.get('max_length')} 个字"
    if kind == "string_too_short":
        return f"{label}不能为空"
    if kind == "too_short":
        return f"{label}至少需要 {ctx.get('min_length')} 项"
    if kind == "too_long":
        return f"{label}最多 {ctx.get('max_length')} 项"
    if kind == "literal_error":
        return f"{label}取值无效，可选值：{_choices(label, str(ctx.get('expected', '')))}"
    if kind in TYPE_NAMES or kind.endswith("_type"):
        return f"{label}类型错误，应为{TYPE_NAMES.get(kind, 'JSON 对象')}"
    if kind == "string_pattern_mismatch":
        hint = PATTERN_HINTS.get(str(ctx.get("pattern", "")), "")
        return f"{label}格式不正确" + (f"（{hint}）" if hint else "")
    if kind in ("single_line", "multi_line"):
        return f"{label}{error.get('msg', '')}"
    if kind == "iso_time":
        return f"{label}：{error.get('msg', '')}"
    if kind == "string_unicode":
        return f"{label}不是合法的文本（含无法识别的字符）"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{label}不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"{label}不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind in ("int_parsing", "int_from_float"):
        return f"{label}应为整数"
    if kind.startswith("date_"):
        return f"{label}请填写真实存在的日期，如 2026-12-31"
    if kind in ("timezone_aware", "timezone_naive"):
        return f"{label}须带时区，如 2026-12-31T09:00:00+08:00"
    if kind.startswith("datetime_"):
        return f"{label}日期或时间无效，请填写真实存在的时间，如 2026-12-31T09:00:00+08:00"
    if kind == "json_invalid":
        return "请求体不是合法的 JSON"
    said = str(error.get("msg", "")).removeprefix("Value error, ")
    if kind == "value_error" and isinstance(ctx.get("error"), FieldProblem):
        return f"{label}{ctx['error']}"
    if kind == "value_error" and HAN.search(said):
        return said
    return f"{label}的值无效"  # never pydantic's own msg: it is English, and a person reads this


def humanize(errors: Iterable[Mapping[str, Any]]) -> str:
    """One message naming every problem, in Chinese: a field by its Chinese name (``FIELD_LABELS``), never
    its English key (a key the caller sent that the system does not know is quoted as sent)."""
    messages = list(dict.fromkeys(_describe(e) for e in errors))
    shown = for_people("；".join(messages))
    return shown if HAN.search(shown) else "请求无效，请检查填写的内容"


def caller_id(event: Mapping[str, Any]) -> str:
    """The signed-in user id that the API's authorizer (functions/authorizer) put into the request
    context: its context's ``username``, which API Gateway passes on as ``requestContext.authorizer``."""
    context = (event.get("requestContext") or {}).get("authorizer") or {}
    user_id = context.get("username")
    if not user_id:
        raise Unauthorized("请先登录 (sign in first)")
    return str(user_id)


def base_url(event: Mapping[str, Any]) -> str:
    """Where links in emails point: configuration first, else the API Gateway stage URL."""
    configured = settings().public_base_url
    if configured:
        return configured
    context = event.get("requestContext") or {}
    domain, stage = context.get("domainName", ""), context.get("stage", "")
    return f"https://{domain}/{stage}".rstrip("/") if domain else ""
