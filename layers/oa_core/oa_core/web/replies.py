"""回执页面: what a participant sees after clicking the 回执链接 in a 会议通知, without signing in.

GET only shows the meeting and the two buttons (mail scanners prefetch links, so a GET never answers);
the form's POST answers through ``bookings.replies.answer``, one conditional write, and may be sent
again to change the answer until the meeting starts. Every problem is a page that says why, no ids.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from oa_core.bookings import meetings, replies, reply_links
from oa_core.identity import directory
from oa_core.platform import audit, clock
from oa_core.platform.errors import Conflict, DomainError, Forbidden, Gone, InvalidInput, NotFound
from oa_core.web.approvals import page
from oa_core.web.sheet import attendees

VIA = "reply link"
"""The audit records' source of an answer given here."""
ADVICE = {
    NotFound: ("链接无效", "请从会议通知邮件中完整复制链接，或登录系统在“会议”中回复。"),
    Gone: ("无需回复", "如有疑问，请联系会议召集人。"),
    Forbidden: ("无需回复", "如有疑问，请联系会议召集人。"),
    Conflict: ("回执未能提交", "如需更改，请联系会议召集人。"),
}

Page = tuple[int, dict[str, str], str]


def problem(exc: DomainError) -> Page:
    headline, advice = next(
        (value for kind, value in ADVICE.items() if isinstance(exc, kind)), ("无法处理", "请稍后再试。")
    )
    return page(exc.status, "pages/link_problem.html", headline=headline, message=exc.message, advice=advice)


def _opened(link_id: str) -> reply_links.Opened:
    try:
        return reply_links.open_link(link_id)
    except NotFound:
        audit.refused("anonymous", "open_link", "reply link", "unknown link")  # counted per source, no link id
        raise


def _form(opened: reply_links.Opened, *, status: int = 200, error: str = "", done: str = "", reason: str = "") -> Page:
    meeting = opened.meeting
    person = directory.get_user(opened.link.participant) or {"name": ""}
    entry = replies.entry_of(meeting, opened.link.participant)
    current = (entry.reply or "") if entry else ""
    return page(
        status,
        "pages/meeting_reply.html",
        meeting=meetings.view(meeting),
        when=meetings.when(meeting),
        organizer=(directory.get_user(meeting.organizer) or {}).get("name", ""),
        attendees=attendees(meeting.organizer, [str(p) for p in meeting.participants or []]),
        name=person.get("name", ""),
        current=current,
        current_name=replies.REPLY_NAMES[current],
        current_reason=(entry.reply_reason or "") if entry else "",
        replied_at=clock.to_minute(entry.replied_at) if entry and entry.replied_at else "",
        seen=int(entry.reply_version or 0) if entry else 0,
        started=opened.started,
        starts_at=clock.to_minute(meeting.start),
        changed=opened.changed_since_sent,
        error=error,
        done=done,
        reason=reason,
    )


def show(link_id: str) -> Page:
    try:
        return _form(_opened(link_id))
    except DomainError as exc:
        return problem(exc)


def submit(link_id: str, body: str) -> Page:
    try:
        opened = _opened(link_id)
    except DomainError as exc:
        return problem(exc)
    form = {key: values[0] for key, values in parse_qs(body or "", keep_blank_values=True).items()}
    choice, reason, seen = form.get("reply", ""), form.get("reason", "").strip(), form.get("seen", "")
    if choice not in ("attending", "absent"):
        return _again(opened, 422, "请选择“参加”或“不参加”", reason)
    participant = directory.get_user(opened.link.participant) or {"user_id": opened.link.participant}
    try:
        replies.answer(
            opened.meeting.meeting_id,
            participant,
            choice,  # type: ignore[arg-type]
            reason=reason,
            via=VIA,
            seen=int(seen) if seen.isdigit() else None,
        )
    except (Conflict, InvalidInput) as exc:
        return _again(opened, exc.status, exc.message, reason)
    except DomainError as exc:
        return problem(exc)
    done = f"已回复：{replies.REPLY_NAMES[choice]}。召集人会看到您的回执"
    return _again(opened, 200, "", "", done=done)


def _again(opened: reply_links.Opened, status: int, error: str, reason: str, *, done: str = "") -> Page:
    """The page again, as the meeting and the answer are now (it may have started or moved meanwhile)."""
    try:
        fresh = reply_links.opened(opened.link)
    except DomainError as exc:
        return problem(exc)
    return _form(fresh, status=status, error=error, done=done, reason=reason)
