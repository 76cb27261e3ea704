"""收文 pages: one 收文 (the received file and its 签章 check, the 收文处理笺, the 办理过程 refreshing while
it runs, every step from 签收 to 办结 decided on the page, with 申请延期 and 改派: web.incoming_forms), its
polled progress, the received file, 文书登记 (the form for paper or email that arrived elsewhere, its scan
uploaded as 附件 are) and 转为收文 from a 发文's page. The rules are incoming's and worklist's, as in the
API: a page does nothing the API forbids."""

from __future__ import annotations

import base64
import json
from functools import partial
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from oa_core.identity import directory, sessions
from oa_core.incoming import intake, queries, sheet
from oa_core.incoming.models import IncomingRegistration, IncomingView
from oa_core.incoming.steps import STEPS
from oa_core.incoming.storage import SOURCE_NAMES
from oa_core.platform import audit, clock, filetypes
from oa_core.platform.errors import DomainError, NotFound
from oa_core.platform.http import SECURITY_HEADERS, content_disposition, error_body, humanize
from oa_core.web import incoming_forms as forms
from oa_core.web.pages import Reply, denied, form_value, headers, message, page, redirect
from oa_core.workflow import tasks

ENDED = ("refused", "failed", "archived")
PINNED = {
    "match": "与登记的该单位公钥一致",
    "mismatch": "与登记的该单位公钥不一致，请向来文单位核实",
    "unpinned": "该单位未登记签章公钥",
}
URGENCIES = ("", "加急", "特急")
JSON = "application/json; charset=utf-8"


def _names(view: IncomingView) -> dict[str, str]:
    ids = [*view.pending, *(h["actor"] for h in view.history), view.received_by, view.registered_by]
    found = directory.get_users([i for i in dict.fromkeys(ids) if i and ":" not in i and i != "system"])
    return {user_id: person["name"] for user_id, person in found.items()}


def _my_task(incoming_id: str, user_id: str) -> Any:
    return next((t for t in tasks.open_tasks(incoming_id) if t.assignee == user_id), None)


def _context(user: dict[str, Any], incoming_id: str, *, with_forms: bool = True) -> dict[str, Any]:
    """What the page shows; ``with_forms``: also what its forms offer (the polled progress part has no forms, and
    is spared their directory reads every few seconds)."""
    view = queries.view(user, incoming_id)
    task = _my_task(incoming_id, user["user_id"])
    return {
        **(forms.choices(user, view, task) if with_forms else {}),
        "item": view,
        "task": task,
        "people": _names(view),
        "running": view.status not in ENDED,
        "step_words": STEPS,
        "source_names": SOURCE_NAMES,
        "pinned_words": PINNED,
        "no_seal": view.source == "registered",
        "handling": getattr(view, "handling", None),
        "urgencies": URGENCIES,
        "file_size": f"{max(1, view.file_size // 1024)} KB" if view.file_size else "",
        "file_kind": kind.label if (kind := filetypes.kind_for_name(view.file_name)) else "",
        "has_sheet": bool(view.sheet_sha256),
    }


def incoming_page(
    user: dict[str, Any],
    session: sessions.Session,
    incoming_id: str,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> Reply:
    """收文 page: the 收文, its file and 签章, the 收文处理笺, 办理过程, and my 签收 or 登记 form."""
    try:
        context = _context(user, incoming_id)
    except DomainError as exc:
        return denied(user, session, exc)
    return page("incoming.html", user, session, status=status, notice=notice, error=error, **context)


def progress(user: dict[str, Any], session: sessions.Session, incoming_id: str) -> Reply:
    """The part of the 收文 page that changes while its flow runs (polled by the page)."""
    try:
        context = _context(user, incoming_id, with_forms=False)
    except DomainError as exc:
        return denied(user, session, exc)
    reply = page("incoming_progress.html", user, session, **context)
    reply.headers["X-OA-Status"] = context["item"].status
    return reply


def _registration(form: dict[str, list[str]]) -> IncomingRegistration:
    one = partial(form_value, form)
    copies = one("copies", strip=True)
    return IncomingRegistration.model_validate(
        {
            "sender": one("sender", strip=True),
            "sender_number": one("sender_number", strip=True),
            "title": one("title", strip=True),
            "urgency": one("urgency"),
            "classification": one("classification"),
            "copies": int(copies) if copies.isdigit() else copies or None,
            "deadline": one("deadline", strip=True),
        }
    )


def decide(user: dict[str, Any], session: sessions.Session, incoming_id: str, form: dict[str, list[str]]) -> Reply:
    """Any step's form on the 收文 page (签收 to 办结, 延期审批): the same decision as
    ``/api/tasks/{id}/decision``, for the task's own assignee only (anyone else: 403, audited)."""
    from oa_core.worklist import decisions

    one = partial(form_value, form)
    try:
        task = tasks.load_task(one("task_id"))
    except DomainError:
        task = None
    if task is None or task.document_id != incoming_id or task.assignee != user["user_id"]:
        audit.record(user["user_id"], "decide:incoming", incoming_id, "denied", "not the task's assignee")
        return message(user, session, 403, "无权办理", "这份收文的这一环节不由您办理。")
    if task.status != "pending":
        return incoming_page(user, session, incoming_id, error="该事项已处理或已撤销，无需再处理。", status=409)
    decision = one("decision")
    try:
        registration = _registration(form) if task.step == "register" else None
        plan = None
        if task.step == "propose" and decision == "approve":
            plan = forms.plan_of(form, with_leader=True)
        elif task.step == "instruct" and decision == "approve" and one("change_plan") == "1":
            plan = forms.plan_of(form, with_leader=False)
        if task.step == "receive" and decision == "reject" and not one("opinion").strip():
            raise ValueError("拒收时请写明理由")
        files = [f for f in form.get("files", []) if f.strip()] if task.step == "handle" else []
        request = decisions.TaskDecision.model_validate(
            {
                "decision": decision,
                "opinion": one("opinion").strip(),
                "registration": registration,
                "plan": plan,
                "files": files,
            }
        )
        result = decisions.decide(task.task_id, user["user_id"], request, via="web")
    except ValidationError as exc:
        return incoming_page(user, session, incoming_id, error=humanize(exc.errors()), status=422)
    except ValueError as exc:
        return incoming_page(user, session, incoming_id, error=str(exc), status=422)
    except DomainError as exc:
        return incoming_page(user, session, incoming_id, error=exc.message, status=exc.status)
    done = forms.DONE.get(result.step, {}).get(result.decision, "已办理")
    return redirect(f"/incoming/{quote(incoming_id)}?done={quote(done)}")


def ask_extension(
    user: dict[str, Any], session: sessions.Session, incoming_id: str, form: dict[str, list[str]]
) -> Reply:
    """申请延期 from the 收文 page: what ``POST /api/incoming/{id}/extensions`` does (the 批办 leader decides)."""
    from oa_core.incoming import extensions

    try:
        extensions.request(user, incoming_id, forms.extension_of(form))
    except ValidationError as exc:
        return incoming_page(user, session, incoming_id, error=humanize(exc.errors()), status=422)
    except DomainError as exc:
        return incoming_page(user, session, incoming_id, error=exc.message, status=exc.status)
    return redirect(f"/incoming/{quote(incoming_id)}?done={quote('延期申请已提交，等待领导审批')}")


def reassign(user: dict[str, Any], session: sessions.Session, incoming_id: str, form: dict[str, list[str]]) -> Reply:
    """改派主办 from the 收文 page (the office's 文书): what ``POST /api/incoming/{id}/reassign`` does."""
    from oa_core.incoming import extensions

    try:
        extensions.reassign(user, incoming_id, forms.reassignment_of(form))
    except ValidationError as exc:
        return incoming_page(user, session, incoming_id, error=humanize(exc.errors()), status=422)
    except DomainError as exc:
        return incoming_page(user, session, incoming_id, error=exc.message, status=exc.status)
    return redirect(f"/incoming/{quote(incoming_id)}?done={quote('已改派主办部门')}")


def resume(user: dict[str, Any], session: sessions.Session, incoming_id: str) -> Reply:
    """继续办理 a failed 收文 from its page (the office's 文书, the 系统管理员): POST /api/incoming/{id}/resume."""
    from oa_core.incoming import resume as resumed

    try:
        resumed.resume_failed(incoming_id, user)
    except DomainError as exc:
        return incoming_page(user, session, incoming_id, error=exc.message, status=exc.status)
    return redirect(f"/incoming/{quote(incoming_id)}?done={quote(forms.RESUMED)}")


def received_file(user: dict[str, Any], session: sessions.Session, incoming_id: str) -> Reply:
    """The received file as it arrived, shown in the browser (PDF, images) or downloaded (OFD)."""
    try:
        name, data = queries.received_file(user, incoming_id)
    except DomainError as exc:
        return denied(user, session, exc)
    return _file_reply(*filetypes.served(name, data), data)


def handling_sheet(user: dict[str, Any], session: sessions.Session, incoming_id: str) -> Reply:
    """收文处理笺 (PDF) as drawn before 归档, downloaded (audited by incoming.sheet)."""
    try:
        name, data = sheet.sheet_file(user, incoming_id)
    except DomainError as exc:
        return denied(user, session, exc)
    return _file_reply(name, "application/pdf", False, data)


def _file_reply(name: str, content_type: str, inline: bool, data: bytes) -> Reply:
    return Reply(
        200,
        base64.b64encode(data).decode("ascii"),
        content_type,
        {**SECURITY_HEADERS, "Content-Disposition": content_disposition(name, inline=inline)},
        base64_encoded=True,
    )


def new_form(
    user: dict[str, Any],
    session: sessions.Session,
    fields: dict[str, str] | None = None,
    *,
    error: str = "",
    status: int = 200,
) -> Reply:
    """文书登记: the form for a 收文 that arrived on paper or by email (only the office's 文书)."""
    if not directory.is_office_clerk(user):
        return message(user, session, 403, "无权登记来文", "只有办公室文书可以登记来文。")
    today = clock.now().date().isoformat()
    chosen = dict.fromkeys(FIELDS, "")
    chosen.update({"incoming_id": intake.new_incoming_id(), "received_on": today, "copies": "1"})
    chosen.update({k: v for k, v in (fields or {}).items() if v or k not in ("incoming_id", "received_on", "copies")})
    return page(
        "incoming_new.html",
        user,
        session,
        status=status,
        fields=chosen,
        error=error,
        today=today,
        urgencies=URGENCIES,
        scan_text=intake.SCAN_TEXT,
    )


FIELDS = (
    "incoming_id",
    "upload",
    "upload_name",
    "sender",
    "sender_number",
    "title",
    "urgency",
    "classification",
    "received_on",
    "copies",
    "deadline",
)


def submit_new(user: dict[str, Any], session: sessions.Session, form: dict[str, list[str]]) -> Reply:
    """文书登记's POST: the 收文 registered and its flow started, or the form again saying what is wrong."""
    from oa_core.worklist import intake as registering

    fields = {name: form_value(form, name, strip=True) for name in FIELDS}
    if not fields["upload"]:
        return new_form(user, session, fields, error="请先上传来文扫描件（" + intake.SCAN_TEXT + "）", status=422)
    payload: dict[str, Any] = {k: v for k, v in fields.items() if k != "upload_name"}
    payload["deadline"] = payload["deadline"] or None
    payload["copies"] = int(payload["copies"]) if payload["copies"].isdigit() else payload["copies"]
    try:
        created = registering.register(user, intake.PaperRegistration.model_validate(payload))
    except ValidationError as exc:
        return new_form(user, session, fields, error=humanize(exc.errors()), status=422)
    except DomainError as exc:
        return new_form(user, session, fields, error=exc.message, status=exc.status)
    return redirect(f"/incoming/{quote(created.incoming_id)}?done={quote('来文已登记，请签收')}")


def scan_ticket(user: dict[str, Any], body: str) -> Reply:
    """The registration form's script asks for a presigned POST for the scan (JSON in, JSON out)."""
    from oa_core.worklist import intake as registering

    reply_headers = {**headers(), "Cache-Control": "no-store"}
    try:
        asked = json.loads(body or "{}")
        if not isinstance(asked, dict):
            raise ValueError
        size = asked.get("size")
        ticket = registering.scan_ticket(
            user,
            str(asked.get("incoming_id") or ""),
            str(asked.get("filename") or "")[:200],
            size if isinstance(size, int) and size >= 0 else None,
        )
    except ValueError:
        refused = error_body("invalid_input", "请求内容不是有效的 JSON，请刷新页面后重试。")
        return Reply(422, refused, JSON, reply_headers)
    except DomainError as exc:
        return Reply(exc.status, error_body(exc.code, exc.message, exc.details), JSON, reply_headers)
    return Reply(201, ticket.model_dump_json(), JSON, reply_headers)


def result_ticket(user: dict[str, Any], incoming_id: str, body: str) -> Reply:
    """The 承办 form's script asks for a presigned POST for one 办理结果 附件 (JSON in, JSON out)."""
    from oa_core.worklist import results

    reply_headers = {**headers(), "Cache-Control": "no-store"}
    try:
        asked = json.loads(body or "{}")
        if not isinstance(asked, dict):
            raise ValueError
        task_id, size = str(asked.get("task_id") or ""), asked.get("size")
        if tasks.subject_of(task_id) != incoming_id:
            raise NotFound("这份收文没有这一承办事项，请刷新页面后重试")
        ticket = results.sign_upload(
            user, task_id, str(asked.get("filename") or "")[:200], size if isinstance(size, int) and size >= 0 else None
        )
    except ValueError:
        refused = error_body("invalid_input", "请求内容不是有效的 JSON，请刷新页面后重试。")
        return Reply(422, refused, JSON, reply_headers)
    except DomainError as exc:
        return Reply(exc.status, error_body(exc.code, exc.message, exc.details), JSON, reply_headers)
    return Reply(201, ticket.model_dump_json(), JSON, reply_headers)


def result_file(user: dict[str, Any], session: sessions.Session, incoming_id: str, task_id: str, no: str) -> Reply:
    """打开办理结果附件: a redirect to its short-lived link, for those who may read the 收文 (audited)."""
    from oa_core.outgoing.attachments import number_of
    from oa_core.worklist import results

    try:
        url = results.open_file(user, incoming_id, task_id, number_of(no))
    except DomainError as exc:
        return denied(user, session, exc)
    return redirect(url, absolute=True)


def take_up(user: dict[str, Any], session: sessions.Session, document_id: str) -> Reply:
    """转为收文 from the 发文's page: the department's 文书 makes its distribution a 收文, once."""
    from oa_core.worklist import intake as registering

    try:
        created = registering.take_up(user, document_id)
    except DomainError as exc:
        return denied(user, session, exc)
    done = quote("已转为收文，由办公室文书签收登记后办理")
    try:
        queries.readable(user, created.incoming_id)
    except DomainError:
        return redirect(f"/documents/{quote(document_id)}?done={done}")
    return redirect(f"/incoming/{quote(created.incoming_id)}?done={done}")


def take_up_state(user: dict[str, Any], doc: Any) -> str:
    """转为收文 on a 发文's page: "offered" to the 文书 of a department it was distributed to, "done" once
    taken up, "" for anyone else."""
    department = str(user.get("department") or "")
    delivered = any(
        d.recipient == department and d.channel == "internal" and d.status in ("delivered", "received")
        for d in doc.deliveries
    )
    if not delivered or not directory.is_department_clerk(user, department):
        return ""
    from oa_core.incoming.storage import IncomingItem, incoming_key

    try:
        IncomingItem.get(*incoming_key(intake.internal_id(doc.document_id, department)))
    except IncomingItem.DoesNotExist:
        return "offered"
    return "done"
