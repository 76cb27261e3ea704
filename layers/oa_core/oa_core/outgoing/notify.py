"""Who is told what, by email. Templates live in templates/email (HTML + text)."""

from __future__ import annotations

from typing import Any

from oa_core.outgoing.names import STEP_NAMES
from oa_core.outgoing.storage import DocumentItem
from oa_core.platform import clock, mail

ACTIONS = {"review": "请核稿", "countersign": "请会签", "sign": "请签发", "revise": "请修改"}


def _summary(doc: DocumentItem, limit: int = 160) -> str:
    text = " ".join(doc.body.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _doc_context(doc: DocumentItem) -> dict[str, Any]:
    return {
        "document_id": doc.document_id,
        "title": doc.title,
        "doc_type": doc.doc_type,
        "urgency": doc.urgency,
        "summary": _summary(doc),
        "number": doc.number or "",
        "main_recipients": list(doc.main_recipients or []),
    }


def task_assigned(
    doc: DocumentItem,
    user: dict[str, Any],
    step: str,
    link_url: str,
    due_at: str,
    opinion: str = "",
) -> None:
    action = ACTIONS.get(step, "请处理")
    mail.send(
        [user["email"]],
        mail.subject_line(doc.title, doc.urgency, action),
        "task_assigned",
        {
            **_doc_context(doc),
            "name": user["name"],
            "action": action,
            "step_name": STEP_NAMES.get(step, step),
            "link": link_url,
            "due_at": clock.to_minute(due_at),
            "opinion": opinion,
            "base_url": doc.base_url,
        },
    )


def flow_outcome(doc: DocumentItem, drafter: dict[str, Any], outcome: str, detail: str = "") -> None:
    """Tell the drafter the document was rejected (不同意), failed, or archived (归档)."""
    headline = {"rejected": "未通过", "failed": "处理失败", "archived": "已办结归档"}[outcome]
    mail.send(
        [drafter["email"]],
        mail.subject_line(doc.title, doc.urgency, headline),
        "flow_outcome",
        {
            **_doc_context(doc),
            "name": drafter["name"],
            "outcome": outcome,
            "headline": headline,
            "detail": detail,
        },
    )


def distributed(doc: DocumentItem, recipients: list[dict[str, Any]], department_name: str) -> None:
    mail.send(
        [user["email"] for user in recipients],
        mail.subject_line(doc.title, doc.urgency, f"收文（{doc.number}）"),
        "distributed",
        {
            **_doc_context(doc),
            "department_name": department_name,
            "base_url": doc.base_url,
            "link": f"{doc.base_url.rstrip('/')}/documents/{doc.document_id}",
        },
    )


def _overdue_context(
    doc: DocumentItem, reader: dict[str, Any], step: str, due_at: str, overdue: str, reminders_sent: int
) -> dict[str, Any]:
    """What both overdue emails (催办 to the assignee, 督办 to the signer) say about the task."""
    return {
        **_doc_context(doc),
        "name": reader["name"],
        "step_name": STEP_NAMES.get(step, step),
        "due_at": clock.to_minute(due_at),
        "overdue": overdue,
        "reminders_sent": reminders_sent,
    }


def task_overdue(
    doc: DocumentItem,
    user: dict[str, Any],
    step: str,
    link_url: str,
    due_at: str,
    overdue: str,
    reminders_sent: int,
) -> None:
    """催办: remind the assignee that a pending task is past its due time (a fresh link for deciders)."""
    context = _overdue_context(doc, user, step, due_at, overdue, reminders_sent)
    mail.send(
        [user["email"]],
        mail.subject_line(doc.title, doc.urgency, f"催办（{context['step_name']}）"),
        "task_overdue",
        {**context, "link": link_url},
    )


def task_escalated(
    doc: DocumentItem,
    signer: dict[str, Any],
    overdue_name: str,
    step: str,
    due_at: str,
    overdue: str,
    reminders_sent: int,
) -> None:
    """督办: tell the signer (签发人) who has let which step run overdue despite reminders."""
    context = _overdue_context(doc, signer, step, due_at, overdue, reminders_sent)
    mail.send(
        [signer["email"]],
        mail.subject_line(doc.title, doc.urgency, f"督办（{context['step_name']}超时）"),
        "task_escalated",
        {**context, "overdue_name": overdue_name},
    )
