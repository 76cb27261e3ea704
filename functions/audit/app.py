"""安全审计员's reading of the audit trail: GET /api/audit (JSON, paged) and GET /api/audit/export (CSV or
JSON lines for `make verify-audit`). Only the 审计员 (role ``auditor``) reads it; every search and export is
itself audited. This is the one function allowed to read the audit table (template.yaml, AuditFunction)."""

from __future__ import annotations

import base64
import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from oa_core.identity.caller import caller
from oa_core.platform import audit, audit_trail, clock
from oa_core.platform.errors import DomainError, Forbidden
from oa_core.platform.http import CONTENT_JSON, SECURITY_HEADERS, content_disposition, error_body

logger = Logger(service="oa")
AUDITOR = "auditor"


def _reply(status: int, body: str, content_type: str = CONTENT_JSON, **headers: str) -> dict[str, Any]:
    all_headers = {**SECURITY_HEADERS, "Content-Type": content_type, **headers}
    return {"statusCode": status, "headers": all_headers, "body": body}


def _auditor(event: dict[str, Any], what: str) -> dict[str, Any]:
    user = caller(event)
    if AUDITOR not in (user.get("roles") or []):
        audit.record(user["user_id"], what, "audit", "denied", "not an auditor")
        raise Forbidden("只有安全审计员可以查阅审计记录 (auditors only)")
    return user


def _params(event: dict[str, Any]) -> dict[str, str]:
    query = event.get("queryStringParameters") or {}
    return {k: v for k, v in query.items() if isinstance(v, str) and k != "format"}


def route(event: dict[str, Any]) -> dict[str, Any]:
    path = str(event.get("resource") or event.get("path") or "")
    if path.endswith("/export"):
        user = _auditor(event, "audit_export")
        query = audit_trail.parse_query(_params(event))
        fmt = str((event.get("queryStringParameters") or {}).get("format") or "csv")
        if fmt not in ("csv", "jsonl"):
            raise DomainError("导出格式只能是 csv 或 jsonl (format)", code="invalid_input")
        rows = audit_trail.everything(query)
        data = audit_trail.as_csv(rows) if fmt == "csv" else audit_trail.as_jsonl(rows)
        audit.record(user["user_id"], "audit_export", "audit", "ok", query.model_dump_json(exclude={"cursor"}))
        name = f"审计记录-{clock.now().strftime('%Y%m%d%H%M')}.{fmt}"
        reply = _reply(
            200,
            base64.b64encode(data).decode("ascii"),
            "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8",
            **{"Content-Disposition": content_disposition(name)},
        )
        reply["isBase64Encoded"] = True
        return reply
    user = _auditor(event, "audit_search")
    query = audit_trail.parse_query(_params(event))
    page = audit_trail.search(query)
    audit.record(user["user_id"], "audit_search", "audit", "ok", query.model_dump_json(exclude={"cursor"}))
    return _reply(200, json.dumps(page, ensure_ascii=False))


def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with audit.from_event(event):
        try:
            return route(event)
        except DomainError as exc:
            return _reply(exc.status, error_body(exc.code, exc.message, exc.details))
