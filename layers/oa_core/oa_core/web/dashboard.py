"""工作台: a person's start page — my pending decisions (待办, every flow, and 派车 for dispatchers), 收文's
待签收/待拟办/待批办/待承办/待阅 counts, my documents and drafts, what reached my department, my meetings and my
applications."""

from __future__ import annotations

from typing import Any

from oa_core.identity import directory, sessions
from oa_core.outgoing import drafting
from oa_core.outgoing.storage import DocumentItem, InboxItem
from oa_core.platform.errors import DomainError
from oa_core.platform.storage import RecordItem
from oa_core.web.pages import WORDS, Reply, denied, page, redirect

INCOMING_WAITING = (
    ("receive", "待签收"),
    ("propose", "待拟办"),
    ("instruct", "待批办"),
    ("handle", "待承办"),
    ("read", "待阅"),
)
"""收文's steps on the 工作台, by the step their tasks carry: counted from 我的待办 (the one Query of the tasks
index the 发文 tasks come from), so a count is never another read."""


SEAL_WORDS = {"valid": "签章有效", "doubtful": "签章存疑"}
"""An exchanged 收文's seal on its row (TaskView.facts ``seal``); a registered one has none."""


def incoming_counts(tasks: list[Any], chosen: str = "") -> list[dict[str, Any]]:
    """待签收, 待拟办, 待批办, 待承办, 待阅: how many of my tasks wait at each; each count filters 我的待办 to it."""
    counts = []
    for step, label in INCOMING_WAITING:
        mine = [t for t in tasks if t.step == step and t.document_id.startswith("I")]
        counts.append({"step": step, "label": label, "count": len(mine), "chosen": step == chosen})
    return counts


def chosen_step(asked: str) -> str:
    """The 收文 step 我的待办 is filtered to (``?step=``), or "" for every task; anything else is ignored."""
    return asked if asked in dict(INCOMING_WAITING) else ""


def dashboard(user: dict[str, Any], session: sessions.Session, notice: str = "", step: str = "") -> Reply:
    """工作台: my pending decisions (``step``: only the 收文 tasks of one step), my documents and drafts, what
    reached my department."""
    from oa_core.bookings import dispatch, meetings
    from oa_core.incoming.steps import STEPS as INCOMING_STEPS
    from oa_core.worklist import decisions

    # 派车 waits on the dispatcher like any 待办 (a request is no task of the workflow: its own queue).
    dispatch_waiting = dispatch.pending() if dispatch.is_dispatcher(user) else []
    requesters = directory.get_users(list({item.requester for item in dispatch_waiting}))

    mine = [
        item
        for item in RecordItem.gsi1.query(f"DRAFTER#{user['user_id']}", scan_index_forward=False, limit=20)
        if isinstance(item, DocumentItem)
    ]
    inbox = [
        item
        for item in RecordItem.query(f"INBOX#{user['department']}", scan_index_forward=False, limit=10)
        if isinstance(item, InboxItem)
    ]
    tasks = decisions.my_tasks(user["user_id"])
    chosen = chosen_step(step)
    shown = [t for t in tasks if t.step == chosen and t.document_id.startswith("I")] if chosen else tasks
    return page(
        "dashboard.html",
        user,
        session,
        tasks=shown,
        all_tasks=len(tasks),
        chosen_step=chosen,
        chosen_label=dict(INCOMING_WAITING).get(chosen, ""),
        seal_words=SEAL_WORDS,
        incoming_counts=incoming_counts(tasks, chosen),
        registers_incoming=directory.is_office_clerk(user),
        step_names={**INCOMING_STEPS, **WORDS["step_names"]},
        dispatch_waiting=[] if chosen else dispatch_waiting,
        requester_names={user_id: person["name"] for user_id, person in requesters.items()},
        documents=mine,
        drafts=drafting.my_drafts(user["user_id"]),
        inbox=inbox,
        meetings=meetings.mine(user["user_id"]),
        applications=[m for m in meetings.organised_by(user["user_id"]) if m.status != "confirmed"][:10],
        meeting_status_names=meetings.STATUS_NAMES,
        notice=notice,
    )


def confirm_delete_draft(user: dict[str, Any], session: sessions.Session, draft_id: str) -> Reply:
    """删除草稿, first step: a page naming the draft and asking before it is deleted."""
    try:
        title = drafting.draft_title(user["user_id"], draft_id)
    except DomainError as exc:
        return denied(user, session, exc)
    return page("draft_delete.html", user, session, draft_id=draft_id, title=title)


def delete_draft(user: dict[str, Any], session: sessions.Session, draft_id: str) -> Reply:
    """删除草稿: the confirmed POST; back to the 工作台 saying so."""
    from urllib.parse import quote

    try:
        drafting.discard_draft(user["user_id"], draft_id)
    except DomainError as exc:
        return denied(user, session, exc)
    return redirect(f"/?notice={quote('草稿已删除')}")
