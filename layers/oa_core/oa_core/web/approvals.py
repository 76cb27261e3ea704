"""审批页面: what a leader sees after clicking the link in an email.

GET only shows the document and a form (mail scanners prefetch links, so a GET never decides);
the form's POST decides once. Every problem is a page that says why and what to do next.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from pydantic import ValidationError

from oa_core.identity import directory
from oa_core.outgoing import documents
from oa_core.outgoing.storage import load_document
from oa_core.platform import audit
from oa_core.platform.config import settings
from oa_core.platform.errors import Conflict, DomainError, Forbidden, Gone, NotFound
from oa_core.platform.http import humanize
from oa_core.web.pages import render
from oa_core.web.sheet import attendees, sheet
from oa_core.workflow import decisions, links, tasks
from oa_core.workflow.models import DecisionRequest
from oa_core.worklist.decisions import INCOMING_PREFIX, decide

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
ADVICE = {
    NotFound: ("链接无效", "请从邮件中完整复制链接，或登录系统在“我的待办”中处理。"),
    Gone: ("链接已过期", "请登录系统在“我的待办”中处理，或联系拟稿人重新发送。"),
    Conflict: ("无需再处理", "如需了解办理结果，请登录系统查看该文件。"),
    Forbidden: ("无权使用此链接", "此链接只能由收到邮件的本人使用。"),
}
NEXT_STEP = {
    ("review", "approve"): "文件将进入会签或签发环节。",
    ("countersign", "approve"): "其他会签人完成后，文件将送签发。",
    ("sign", "approve"): "文件将自动编号、分发并归档。",
    ("review", "return"): "文件已退回拟稿人修改，修改后会再次送您核稿。",
    ("countersign", "return"): "文件已退回拟稿人修改。",
    ("sign", "return"): "文件已退回拟稿人修改。",
}


def page(status: int, template: str, **context: Any) -> tuple[int, dict[str, str], str]:
    return status, HEADERS, render(template, org_name=settings().org_name, **context)


def problem(exc: DomainError) -> tuple[int, dict[str, str], str]:
    headline, advice = next(
        (value for kind, value in ADVICE.items() if isinstance(exc, kind)),
        ("无法处理", "请稍后再试。"),
    )
    return page(exc.status, "pages/link_problem.html", headline=headline, message=exc.message, advice=advice)


def _form(
    link: links.LinkItem, *, status: int = 200, error: str = "", opinion: str = "", link_id: str = ""
) -> tuple[int, dict[str, str], str]:
    task = tasks.load_task(link.task_id)
    if task.status != "pending":
        raise Conflict(decisions.closed_message(task))
    if link.step == "meeting":
        return _meeting_form(link, task, status=status, error=error, opinion=opinion)
    if link.document_id.startswith(INCOMING_PREFIX):
        from oa_core.web import incoming_approval  # 收文 links only: a 发文's or a meeting's link never loads it

        shown = incoming_approval.context(link, task, error=error, opinion=opinion, link_id=link_id)
        return page(status, "pages/incoming_approval.html", **shown)
    decider = directory.get_user(link.decider) or {
        "user_id": link.decider,
        "name": link.decider,
        "roles": [],
        "department": "",
    }
    doc = documents.view(link.document_id, decider)
    drafter = directory.get_user(doc.drafter)
    return page(
        status,
        "pages/approval.html",
        doc=doc,
        sheet=sheet(doc),
        task=task,
        error=error,
        opinion=opinion,
        decider_name=decider["name"],
        drafter_name=drafter["name"] if drafter else doc.drafter,
        attachment_href=f"{link_id}/attachments/" if link_id else "",  # relative: the page is /approvals/<link_id>
    )


def _meeting_changes(current: Any, new: Any) -> list[tuple[str, str, str]]:
    """会议变更: (what, before, after) for each thing the change alters."""
    from oa_core.bookings import meetings

    def names(view: Any) -> str:
        return "、".join(a["name"] for a in attendees(view.organizer, [str(p) for p in view.participants]))

    rows = [
        ("会议主题", current.topic, new.topic),
        ("会议室", current.room_name, new.room_name),
        ("时间", meetings.when(current), meetings.when(new)),
        ("参会人员", names(current), names(new)),
        ("会议说明", current.description, new.description),
    ]
    return [row for row in rows if row[1] != row[2]]


def _meeting_form(
    link: links.LinkItem, task: Any, *, status: int, error: str, opinion: str
) -> tuple[int, dict[str, str], str]:
    """会议室预订审批 (and 会议变更审批): the application, and 同意 / 不同意."""
    from oa_core.bookings import meetings

    meeting = meetings.load(link.document_id)
    current, new = meetings.view(meeting), meetings.proposed(meeting)
    changes = _meeting_changes(current, new) if meeting.pending_booking_id else []
    return page(
        status,
        "pages/meeting_approval.html",
        meeting=new,  # a 会议变更: as it would be once approved; `changes` shows before and after
        when=meetings.when(new),
        changes=changes,
        task=task,
        error=error,
        opinion=opinion,
        organizer=(directory.get_user(meeting.organizer) or {}).get("name", ""),
        attendees=attendees(meeting.organizer, [str(p) for p in new.participants or []]),
        decider_name=(directory.get_user(link.decider) or {}).get("name", ""),
    )


def _guessed(exc: DomainError) -> None:
    """An unknown link (a guess, or a mangled copy): counted per source, never with the link id."""
    if isinstance(exc, NotFound):
        audit.refused("anonymous", "open_link", "approval link", "unknown link")


def open_attachment(link_id: str, no: str) -> tuple[int, dict[str, str], str]:
    """打开附件 from the link: for its decider, while the link is usable, by a link no longer-lived than it."""
    from oa_core.outgoing import attaching
    from oa_core.outgoing.attachments import number_of

    try:
        link = links.resolve(link_id)
        if link.step == "meeting":
            raise NotFound("没有这个附件。")
        task = tasks.load_task(link.task_id)
        if task.status != "pending":  # decided elsewhere (我的待办, the API): the link's page is closed too
            raise Conflict(decisions.closed_message(task))
        if link.document_id.startswith(INCOMING_PREFIX):  # 查看来文 and 办理结果附件 (worklist.link_files)
            from oa_core.worklist import link_files

            url = link_files.open_for_link(link, no)
        else:
            url = attaching.open_for_link(link.document_id, link.decider, link.expires_at, number_of(no))
    except DomainError as exc:
        _guessed(exc)
        return problem(exc)
    return 302, {"Location": url, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}, ""


def show(link_id: str) -> tuple[int, dict[str, str], str]:
    try:
        return _form(links.resolve(link_id), link_id=link_id)
    except DomainError as exc:
        _guessed(exc)
        return problem(exc)


def submit(link_id: str, body: str) -> tuple[int, dict[str, str], str]:
    try:
        link = links.resolve(link_id)
    except DomainError as exc:
        _guessed(exc)
        return problem(exc)
    form = {key: values[0] for key, values in parse_qs(body or "", keep_blank_values=True).items()}
    opinion = form.get("opinion", "")
    if form.get("task_id") != link.task_id:
        audit.record(link.decider, "decide:link", link.task_id, "denied", "task_id does not match the link")
        return problem(Forbidden("此链接不属于您提交的事项，未作任何更改 (this link belongs to another task)"))
    try:
        request = DecisionRequest(decision=form.get("decision", ""), opinion=opinion)  # type: ignore[arg-type]
    except ValidationError as exc:
        try:
            return _form(link, status=422, error=humanize(exc.errors()), opinion=opinion, link_id=link_id)
        except DomainError as inner:
            return problem(inner)
    try:
        result = decide(link.task_id, link.decider, request, via="link", link=link)
    except DomainError as exc:
        return problem(exc)
    if result.step == "meeting":
        from oa_core.bookings import meetings

        title = meetings.load(result.document_id).topic
        next_step = (
            "会议已确认，参会人员将收到会议通知。"
            if request.decision == "approve"
            else "会议室已释放，申请人会收到通知。"
        )
        return page(
            200,
            "pages/approval_done.html",
            title=title,
            decision=request.decision,
            opinion=request.opinion,
            next_step=next_step,
        )
    if result.document_id.startswith(INCOMING_PREFIX):
        from oa_core.web import incoming_approval

        shown = incoming_approval.done(result.document_id, result.step, request.decision)
        return page(200, "pages/approval_done.html", decision=request.decision, opinion=request.opinion, **shown)
    doc = load_document(result.document_id)
    return page(
        200,
        "pages/approval_done.html",
        title=doc.title,
        decision=request.decision,
        opinion=request.opinion,
        next_step=NEXT_STEP.get((result.step, request.decision), "文件流程已结束，拟稿人会收到通知。"),
    )
