"""工作台: a person's start page — my pending decisions (待办, every flow, and 派车 for dispatchers), my
documents and drafts, what reached my department, my meetings and my applications."""

from __future__ import annotations

from typing import Any

from oa_core.identity import directory, sessions
from oa_core.outgoing import drafting
from oa_core.outgoing.storage import DocumentItem, InboxItem
from oa_core.platform.errors import DomainError
from oa_core.platform.storage import RecordItem
from oa_core.web.pages import Reply, denied, page, redirect


def dashboard(user: dict[str, Any], session: sessions.Session, notice: str = "") -> Reply:
    """工作台: my pending decisions, my documents and drafts, what reached my department."""
    from oa_core.bookings import dispatch, meetings
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
    return page(
        "dashboard.html",
        user,
        session,
        tasks=decisions.my_tasks(user["user_id"]),
        dispatch_waiting=dispatch_waiting,
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
