"""发文 pages: 拟稿 (the form, 草稿, 送核稿), the document page (text, 办理过程, 会签进度, versions with
痕迹, what I may do now) and its polled progress, deciding on the page (with the reviewer's edits and
批注), 修改稿, the issued PDF (印制) and 签收. The rules are outgoing's and worklist's, as in the API."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from oa_core.identity import directory, sessions
from oa_core.incoming import queries
from oa_core.outgoing import direction, drafting
from oa_core.outgoing.doctypes import DOC_TYPES, URGENCIES
from oa_core.outgoing.models import DocumentDecision, DraftSubmission, RevisionRequest
from oa_core.outgoing.storage import load_document
from oa_core.outgoing.wordimport import MAX_BYTES as WORD_IMPORT_MAX
from oa_core.platform import audit
from oa_core.platform.config import settings
from oa_core.platform.errors import DomainError, InvalidInput
from oa_core.platform.http import humanize
from oa_core.web.incoming import take_up_state
from oa_core.web.pages import Reply, denied, form_value, message, page, redirect, site
from oa_core.web.sheet import COUNTERSIGN_STATES, sheet, version_diff
from oa_core.workflow import tasks

RUNNING = {"in_review", "countersigning", "signing", "numbering", "distributing", "returned"}
_ANNOTATION = re.compile(r"^「(.+?)」\s*(.+)$")


def form_fields(form: dict[str, list[str]]) -> dict[str, Any]:
    """The 拟稿 form as the fields DraftSubmission reads (lists from one-per-line text or repeats)."""

    one = partial(form_value, form)

    def many(name: str) -> list[str]:
        values = form.get(name) or []
        if len(values) == 1:
            values = direction.unit_names(values[0])
        return [v.strip() for v in values if v.strip()]

    return {
        "doc_type": one("doc_type"),
        "title": one("title").strip(),
        "body": one("body").replace("\r\n", "\n"),
        "main_recipients": many("main_recipients"),
        "cc": many("cc"),
        "urgency": one("urgency"),
        "classification": one("classification"),
        "attachment_note": one("attachment_note").strip(),
        # 版式 (GB/T 9704 §10): blank follows the 文种.
        "letter_format": {"true": True, "false": False}.get(one("letter_format")),
        "sealed": not one("unsealed"),
        "co_issuers": many("co_issuers"),
        "remarks": one("remarks").strip(),
        "signer_title": one("signer_title").strip(),
        "attendees": many("attendees"),
        "on_leave": many("on_leave"),
        "observers": many("observers"),
        # 附件 uploaded from the form live under the id the form reserved (outgoing.attaching).
        "document_id": one("document_id").strip() or None,
        "reviewer": one("reviewer"),
        "countersigners": list(dict.fromkeys(form.get("countersigners") or [])),
        "countersign_mode": one("countersign_mode") or "parallel",
        "signer": one("signer"),
        # 对外发送 to a unit not listed (only offered when the 政务协同平台 routes by name): one per line.
        "distribute_to": list(dict.fromkeys([*(form.get("distribute_to") or []), *many("distribute_to_other")])),
    }


def annotations_of(text: str) -> list[dict[str, str]]:
    """批注 lines as the form has them: 「quoted text」remark."""
    notes = []
    for line in text.splitlines():
        match = _ANNOTATION.match(line.strip())
        if match:
            notes.append({"quote": match.group(1).strip(), "note": match.group(2).strip()})
        elif line.strip():
            raise InvalidInput(f"批注“{line.strip()[:30]}”格式应为：「原文」批注内容")
    return notes


def new_document(
    user: dict[str, Any],
    session: sessions.Session,
    fields: dict[str, Any] | None = None,
    *,
    template_key: str = "",
    draft_id: str = "",
    reply_to: str = "",
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> Reply:
    """拟稿: the form, empty, from a 文种 template, as a saved draft left it, or a 复文 to a 收文 (拟写复文)."""
    if "drafter" not in user["roles"]:
        return message(user, session, 403, "没有拟稿权限", "您的账号没有拟稿权限，如需拟稿请联系管理员。")
    replying = None
    if reply_to:
        try:
            replying = queries.readable(user, reply_to)
        except DomainError as exc:
            return denied(user, session, exc)
        if fields is None:
            fields = reply_fields(replying)
    if fields is None and draft_id:
        fields = drafting.load_draft(user["user_id"], draft_id)
    if fields is None:
        chosen = drafting.TEMPLATE_BY_KEY.get(template_key) or drafting.TEMPLATE_BY_KEY["通知"]
        fields = {"doc_type": chosen.doc_type, "title": chosen.title, "body": chosen.body, "template": chosen.key}
    from oa_core.outgoing import attaching
    from oa_core.outgoing.attachments import RESERVED_ID, view
    from oa_core.outgoing.documents import new_document_id

    if not RESERVED_ID.match(str(fields.get("document_id") or "")):
        fields = {**fields, "document_id": new_document_id()}
    attached = view(str(fields["document_id"]), attaching.load(str(fields["document_id"])))
    people = directory.list_users()
    departments = directory.list_departments()
    units = directory.list_external_units()
    listed = {d["department_id"] for d in departments} | {u["name"] for u in units} | {u["unit_id"] for u in units}
    return page(
        "new.html",
        user,
        session,
        status=status,
        fields=fields,
        draft_id=draft_id,
        word_import_max=WORD_IMPORT_MAX,
        error=error,
        notice=notice,
        doc_types=DOC_TYPES,
        urgencies=URGENCIES,
        templates=drafting.TEMPLATES,
        templates_json=json.dumps(
            {t.key: {"doc_type": t.doc_type, "title": t.title, "body": t.body} for t in drafting.TEMPLATES},
            ensure_ascii=False,
        ),
        # 职责分离: the drafter is offered for none of the document's steps.
        reviewers=[p for p in people if "reviewer" in p["roles"] and p["user_id"] != user["user_id"]],
        countersigners=[p for p in people if "countersigner" in p["roles"] and p["user_id"] != user["user_id"]],
        signers=[p for p in people if "signer" in p["roles"] and p["user_id"] != user["user_id"]],
        departments=departments,
        dept_names={d["department_id"]: d["name"] for d in departments},
        external_units=units,
        # The 政务协同平台 (webhook) routes by the unit's name; email reaches registered mailboxes only.
        routes_by_name=settings().delivery_channel == "webhook",
        other_recipients=[entry for entry in fields.get("distribute_to", []) if entry not in listed],
        checks=drafting.check(fields, {u["name"]: u["relation"] for u in units if u["relation"]}),
        attached=attached,
        replying=replying,
    )


def reply_fields(item: Any) -> dict[str, Any]:
    """复文's draft: a 函 to the 来文单位, titled after the 收文 (关于…的复函)."""
    core = re.sub(r"的(通知|函|请示|报告|意见|通报|决定)$", "", re.sub(r"^关于", "", item.title))
    return {
        "doc_type": "函",
        "title": f"关于{core}的复函",
        "body": f"你单位《{item.title}》（{item.sender_number or '无字号'}）收悉。现函复如下：\n……\n\n特此函复。",
        "main_recipients": [item.sender],
        "template": "函-告知",
    }


def submit_new(user: dict[str, Any], session: sessions.Session, form: dict[str, list[str]]) -> Reply:
    """The 拟稿 form's POST: save as 草稿, or submit (送核稿) and go to the new document."""
    from oa_core.outgoing import documents as outgoing_documents
    from oa_core.worklist import replies

    fields = form_fields(form)
    draft_id = form_value(form, "draft_id")
    reply_to = form_value(form, "in_reply_to", strip=True)
    action = form_value(form, "action") or "submit"
    if action == "save":
        saved = drafting.save_draft(user["user_id"], fields, draft_id)
        audit.record(user["user_id"], "save_draft", saved, "ok")
        return redirect(f"/documents/new?draft={saved}&saved=1")
    found = drafting.check(fields, directory.unit_relations())
    if not found["ok"]:
        problems = "；".join(c["message"] for c in found["checks"] if c["level"] == "error")
        return new_document(user, session, fields, draft_id=draft_id, reply_to=reply_to, error=problems, status=422)
    again = partial(new_document, user, session, fields, draft_id=draft_id, reply_to=reply_to)
    try:
        submission = DraftSubmission.model_validate(fields)
        if reply_to:
            created = replies.start_reply(reply_to, submission, user, site())
        else:
            created = outgoing_documents.submit_draft(submission, user, site())
    except ValidationError as exc:
        return again(error=humanize(exc.errors()), status=422)
    except DomainError as exc:
        return again(error=exc.message, status=exc.status)
    if draft_id:
        drafting.delete_draft(user["user_id"], draft_id)
    return redirect(f"/documents/{quote(created.document_id)}?submitted=1")


def _names() -> dict[str, str]:
    return {u["user_id"]: u["name"] for u in directory.list_users()}


def _my_open_task(document_id: str, user_id: str) -> Any:
    return next((t for t in tasks.open_tasks(document_id) if t.assignee == user_id), None)


def document_page(
    user: dict[str, Any],
    session: sessions.Session,
    document_id: str,
    *,
    version: int = 0,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> Reply:
    """文件页: the text, 办理过程, 会签进度 (refreshing itself), versions with 痕迹, what I may do now."""
    from oa_core.outgoing import documents as outgoing_documents
    from oa_core.web import copies

    doc = outgoing_documents.view(document_id, user)
    task = _my_open_task(document_id, user["user_id"])
    latest = max((v.version for v in doc.versions), default=1)
    shown = version or (latest if latest > 1 else 0)
    return page(
        "document.html",
        user,
        session,
        status=status,
        doc=doc,
        task=task,
        departments={d["department_id"]: d["name"] for d in directory.list_departments()},
        people=_names(),
        diff=version_diff(doc, shown) if shown else None,
        sheet=sheet(doc) if task is not None else None,
        running=doc.status in RUNNING,
        countersign_states=COUNTERSIGN_STATES,
        can_sign_receipt=any(d.recipient == user["department"] and d.status == "delivered" for d in doc.deliveries),
        take_up=take_up_state(user, doc),
        copy_runs=copies.runs_for(user, document_id, bool(doc.pdf_sha256)),
        # 档案包 and 四性检测 report: as records.retrieval.readable_package allows (the archive page's rule).
        archive_downloads=doc.status == "archived"
        and (directory.reads_every_department(user) or user["department"] == doc.drafter_department),
        notice=notice,
        error=error,
    )


def progress(user: dict[str, Any], session: sessions.Session, document_id: str) -> Reply:
    """The part of the document page that changes while the flow runs (polled by the page)."""
    from oa_core.outgoing import documents as outgoing_documents

    doc = outgoing_documents.view(document_id, user)
    reply = page(
        "progress.html",
        user,
        session,
        doc=doc,
        people=_names(),
        running=doc.status in RUNNING,
        countersign_states=COUNTERSIGN_STATES,
    )
    reply.headers["X-OA-Status"] = doc.status
    return reply


def decide(user: dict[str, Any], session: sessions.Session, document_id: str, form: dict[str, list[str]]) -> Reply:
    """The decision form on the document page: 同意 / 退回修改 / 不同意, with the reviewer's edits and 批注."""
    from oa_core.worklist import decisions

    one = partial(form_value, form)

    task = _my_open_task(document_id, user["user_id"])
    if task is None or task.task_id != one("task_id"):
        return document_page(user, session, document_id, error="该事项已处理或已撤销，无需再处理。", status=409)
    payload: dict[str, Any] = {"decision": one("decision"), "opinion": one("opinion")}
    try:
        payload["annotations"] = annotations_of(one("annotations"))
        if task.step == "review" and "body" in form:
            doc = load_document(document_id)
            edits = {
                key: value
                for key, value in (("title", one("title").strip()), ("body", one("body").replace("\r\n", "\n")))
                if value and value != getattr(doc, key)
            }
            if edits:
                payload["edits"] = edits
        request = DocumentDecision.model_validate(payload)
        result = decisions.decide(task.task_id, user["user_id"], request, via="web")
    except ValidationError as exc:
        return document_page(user, session, document_id, error=humanize(exc.errors()), status=422)
    except DomainError as exc:
        return document_page(user, session, document_id, error=exc.message, status=exc.status)
    done = {"approve": "您已同意", "return": "您已退回修改", "reject": "您已不同意"}[result.decision]
    return redirect(f"/documents/{quote(document_id)}?done={quote(done)}")


def revise(user: dict[str, Any], session: sessions.Session, document_id: str, form: dict[str, list[str]]) -> Reply:
    """提交修改稿 from the document page (the drafter, after a return)."""
    from oa_core.outgoing import decisions

    fields = form_fields(form)
    payload = {
        "title": fields["title"] or None,
        "body": fields["body"] or None,
        "main_recipients": fields["main_recipients"] or None,
        "cc": fields["cc"],
        "urgency": fields["urgency"],
        "note": form_value(form, "note"),
    }
    try:
        request = RevisionRequest.model_validate(payload)
        decisions.revise(document_id, user["user_id"], request)
    except ValidationError as exc:
        return document_page(user, session, document_id, error=humanize(exc.errors()), status=422)
    except DomainError as exc:
        return document_page(user, session, document_id, error=exc.message, status=exc.status)
    return redirect(f"/documents/{quote(document_id)}?done={quote('修改稿已提交，重新送核稿')}")


def import_word(user: dict[str, Any], read: Callable[[], bytes]) -> Reply:
    """从 Word 导入: the form's fields from a .docx (``read()``: the request's body) as JSON, errors as JSON too;
    the page fills the form, nothing is saved."""
    from oa_core.outgoing import wordimport
    from oa_core.web.pages import headers

    try:
        answer: dict[str, Any] = wordimport.import_for(user, read()).as_dict()
        status = 200
    except DomainError as exc:
        answer, status = exc.as_body(), exc.status
    return Reply(status, json.dumps(answer, ensure_ascii=False), "application/json; charset=utf-8", headers())


def document_pdf(user: dict[str, Any], document_id: str) -> Reply:
    """The issued PDF (印制), shown in the browser; the reader's access is the document's."""
    import base64

    from oa_core.outgoing import printing
    from oa_core.platform.http import SECURITY_HEADERS, content_disposition

    data, filename = printing.download(document_id, user)
    return Reply(
        200,
        base64.b64encode(data).decode("ascii"),
        "application/pdf",
        {**SECURITY_HEADERS, "Content-Disposition": content_disposition(filename, inline=True)},
        base64_encoded=True,
    )


def document_ofd(user: dict[str, Any], document_id: str) -> Reply:
    """The issued OFD (印制, GB/T 33190), a download; the reader's access is the document's."""
    import base64

    from oa_core.outgoing import printing
    from oa_core.platform.http import SECURITY_HEADERS, content_disposition

    data, filename = printing.download_ofd(document_id, user)
    return Reply(
        200,
        base64.b64encode(data).decode("ascii"),
        printing.OFD_CONTENT_TYPE,
        {**SECURITY_HEADERS, "Content-Disposition": content_disposition(filename, inline=False)},
        base64_encoded=True,
    )


def document_docx(user: dict[str, Any], document_id: str) -> Reply:
    """The issued document as a Word file (a download; the reader's access is the document's)."""
    import base64

    from oa_core.outgoing import printing
    from oa_core.platform.http import SECURITY_HEADERS, content_disposition

    data, filename = printing.download_docx(document_id, user)
    return Reply(
        200,
        base64.b64encode(data).decode("ascii"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        {**SECURITY_HEADERS, "Content-Disposition": content_disposition(filename, inline=False)},
        base64_encoded=True,
    )


def confirm_receipt(user: dict[str, Any], session: sessions.Session, document_id: str) -> Reply:
    """签收 from the dashboard or the document page."""
    from oa_core.outgoing import receipts

    try:
        receipts.confirm(document_id, user)
    except DomainError as exc:
        return denied(user, session, exc)
    return redirect(f"/documents/{quote(document_id)}?done={quote('已签收')}")
