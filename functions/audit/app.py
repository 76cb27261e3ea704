"""安全审计员's reading of the audit trail, the one function allowed to read the audit table
(template.yaml, AuditFunction): the page /audit and its export /audit/export (a session, like the staff
pages), and GET /api/audit (JSON, paged) and GET /api/audit/export (the API's bearer token). Exports are
CSV (UTF-8 with BOM, for Excel) or JSON lines (what `make verify-audit` checks). Only the 审计员 (role
``auditor``) reads the trail; every search and export, and every refusal, is itself audited."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from oa_core.identity import directory, sessions
from oa_core.identity.caller import caller
from oa_core.platform import audit, audit_trail, clock
from oa_core.platform.errors import DomainError, Forbidden, InvalidInput
from oa_core.platform.http import CONTENT_JSON, SECURITY_HEADERS, base_url, content_disposition, error_body
from oa_core.web import pages
from oa_core.web.audit_names import action_name, outcome_name

logger = Logger(service="oa")
AUDITOR = "auditor"
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def _reply(status: int, body: str, content_type: str = CONTENT_JSON, **headers: str) -> dict[str, Any]:
    all_headers = {**SECURITY_HEADERS, "Content-Type": content_type, **headers}
    return {"statusCode": status, "headers": all_headers, "body": body}


def _page_reply(reply: pages.Reply) -> dict[str, Any]:
    headers = {k: v for k, v in reply.headers.items() if isinstance(v, str)}
    lists = {k: v for k, v in reply.headers.items() if isinstance(v, list)}
    return {
        "statusCode": reply.status,
        "headers": {**headers, "Content-Type": reply.content_type},
        "multiValueHeaders": lists,
        "body": reply.body,
        "isBase64Encoded": reply.base64_encoded,
    }


def check_auditor(user: dict[str, Any], what: str) -> None:
    if AUDITOR not in (user.get("roles") or []):
        audit.record(user["user_id"], what, "audit", "denied", "not an auditor")
        raise Forbidden("只有安全审计员可以查阅审计记录 (auditors only)")


def _params(event: dict[str, Any]) -> dict[str, str]:
    query = event.get("queryStringParameters") or {}
    return {k: v for k, v in query.items() if isinstance(v, str) and k != "format" and v != ""}


def export(user: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """导出: every record the query selects, as a file, and an audit record saying what was exported."""
    check_auditor(user, "audit_export")
    query = audit_trail.parse_query(_params(event))
    fmt = str((event.get("queryStringParameters") or {}).get("format") or "csv")
    if fmt not in FORMATS:
        raise InvalidInput("导出格式只能是 csv 或 jsonl (format)")
    rows = audit_trail.everything(query)
    data = audit_trail.as_csv(rows) if fmt == "csv" else audit_trail.as_jsonl(rows)
    audit.record(user["user_id"], "audit_export", "audit", "ok", f"{fmt} {query.model_dump_json(exclude={'cursor'})}")
    name = f"审计记录-{clock.now().strftime('%Y%m%d%H%M')}.{fmt}"
    reply = _reply(
        200, base64.b64encode(data).decode("ascii"), FORMATS[fmt], **{"Content-Disposition": content_disposition(name)}
    )
    reply["isBase64Encoded"] = True
    return reply


def search(user: dict[str, Any], event: dict[str, Any]) -> tuple[audit_trail.AuditQuery, dict[str, Any]]:
    """查询: one page of records, and an audit record of the search."""
    check_auditor(user, "audit_search")
    query = audit_trail.parse_query(_params(event))
    found = audit_trail.search(query)
    audit.record(user["user_id"], "audit_search", "audit", "ok", query.model_dump_json(exclude={"cursor"}))
    return query, found


def api(event: dict[str, Any], path: str) -> dict[str, Any]:
    try:
        user = caller(event)
        if path.endswith("/export"):
            return export(user, event)
        _query, found = search(user, event)
        return _reply(200, json.dumps(found, ensure_ascii=False))
    except DomainError as exc:
        return _reply(exc.status, error_body(exc.code, exc.message, exc.details))


def _words(found: dict[str, Any] | None) -> dict[str, Any]:
    """What the page needs to show records in words: names of the people in them, actions, outcomes."""
    actors = sorted({str(r.get("actor", "")) for r in (found or {}).get("records", [])} - {"", "system"})
    found_users = {uid: directory.get_user(uid) for uid in actors[:50]}  # GetItem: what the role may do
    people = {uid: str(u["name"]) for uid, u in found_users.items() if u}
    return {"people": {**people, "system": "系统"}, "action_name": action_name, "outcome_name": outcome_name}


def page(event: dict[str, Any], path: str) -> dict[str, Any]:
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    cookies = dict(part.strip().partition("=")[::2] for part in headers.get("cookie", "").split(";"))
    session = sessions.resolve(cookies.get(sessions.COOKIE))
    if session is None:
        return _page_reply(pages.redirect(f"/login?next={quote(path)}"))
    user = directory.get_user(session.user_id)
    if user is None:
        return _page_reply(pages.message(None, None, 403, "账号不可用", "您的账号不在组织机构中，请联系管理员。"))
    criteria = dict.fromkeys(("actor", "action", "document_id", "start", "end"), "") | _params(event)
    try:
        if path.endswith("/export"):
            return export(user, event)
        _query, found = search(user, event)
        return _page_reply(
            pages.page("audit.html", user, session, criteria=criteria, results=found, error="", **_words(found))
        )
    except Forbidden as exc:
        return _page_reply(pages.denied(user, session, exc))
    except DomainError as exc:
        reply = pages.page(
            "audit.html", user, session, criteria=criteria, results=None, error=exc.message, **_words(None)
        )
        reply.status = exc.status
        return _page_reply(reply)


def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    path = str(event.get("resource") or event.get("path") or "")
    token = pages.SITE.set(base_url(event))
    try:
        with audit.from_event(event):
            return api(event, path) if path.startswith("/api/") else page(event, path)
    finally:
        pages.SITE.reset(token)
