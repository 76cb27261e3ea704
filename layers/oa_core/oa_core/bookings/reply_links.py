"""回执链接: each participant's own link in the 会议通知, to answer 参加 / 不参加 without signing in.

Made like the approval links (workflow.links): 32 random bytes shown once in the email, only their
SHA-256 stored, never a task token, never logged. Unlike an approval link it is not single-use: the
answer may be changed until the meeting starts, and the link opens the meeting until it ends. Both
limits are read from the meeting as it is now, not from the link, so a 会议变更 that moves the meeting
moves them too; every invitation (the first and each 变更) carries a fresh link, and earlier ones keep
working (docs/decisions.md). The link names one meeting and one participant, and answers only for them.

item        PK                          SK
reply_link  REPLYLINK#<sha256(link id)>  REPLYLINK   (kept until 30 days after the meeting's end, TTL)
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from oa_core.bookings.storage import MeetingItem
from oa_core.platform import clock
from oa_core.platform.errors import Forbidden, Gone, NotFound
from oa_core.platform.storage import RecordItem, strs

LINK_ID_BYTES = 32
KEEP_AFTER_END = timedelta(days=30)
PATH = "/replies/"
UNKNOWN = "链接无效：请使用会议通知邮件中的完整链接 (this reply link is not valid)"


class ReplyLinkItem(RecordItem, discriminator="reply_link"):
    """回执链接: one participant's link to answer for one meeting. Only the link id's hash is stored."""

    meeting_id = UnicodeAttribute()
    participant = UnicodeAttribute()
    sequence = NumberAttribute()
    """The meeting's invitation SEQUENCE when this link was sent: a lower one than now says the
    arrangement changed since that email."""
    created_at = UnicodeAttribute()
    expires_at_epoch = NumberAttribute()


@dataclass(frozen=True)
class Opened:
    """A link that opens: its meeting as it is now, and whether an answer can still be given."""

    link: ReplyLinkItem
    meeting: MeetingItem
    started: bool
    changed_since_sent: bool


def _key(link_id: str) -> tuple[str, str]:
    return f"REPLYLINK#{hashlib.sha256(link_id.encode()).hexdigest()}", "REPLYLINK"


def new_link(meeting: MeetingItem, participant: str) -> tuple[str, ReplyLinkItem]:
    """A new link id and the item to save before the email that carries it is sent."""
    link_id = secrets.token_urlsafe(LINK_ID_BYTES)
    pk, sk = _key(link_id)
    item = ReplyLinkItem(
        pk,
        sk,
        meeting_id=meeting.meeting_id,
        participant=participant,
        sequence=int(meeting.sequence),
        created_at=clock.now_iso(),
        expires_at_epoch=int((clock.parse(meeting.end) + KEEP_AFTER_END).timestamp()),
    )
    return link_id, item


def url(base_url: str, link_id: str) -> str:
    return f"{base_url.rstrip('/')}{PATH}{link_id}"


def open_link(link_id: str) -> Opened:
    """The link and its meeting, or a DomainError that says why it cannot be used (no ids in it)."""
    if not link_id or len(link_id) > 128:
        raise NotFound(UNKNOWN)
    try:
        link = ReplyLinkItem.get(*_key(link_id), consistent_read=True)
    except ReplyLinkItem.DoesNotExist:
        raise NotFound(UNKNOWN) from None
    return opened(link)


def opened(link: ReplyLinkItem) -> Opened:
    """The link's meeting as it is now, or why the link no longer opens it."""
    try:
        meeting = MeetingItem.get(f"MTG#{link.meeting_id}", "META", consistent_read=True)
    except MeetingItem.DoesNotExist:
        raise Gone("该会议已不存在，无需回复") from None
    topic = f"“{meeting.topic}”"
    if meeting.status == "cancelled":
        raise Gone(f"会议{topic}已取消，无需回复")
    if meeting.status != "confirmed":  # links are sent for confirmed meetings only: this is not expected
        raise Gone(f"会议{topic}未确认，无需回复")
    if link.participant not in strs(meeting.participants):
        raise Forbidden(f"会议{topic}的参会人员已调整，您不在本次会议的参会人员名单中，无需回复")
    now = clock.now()
    if clock.parse(meeting.end) <= now:
        raise Gone(f"会议{topic}已于 {clock.to_minute(meeting.end)} 结束，回执链接已失效")
    return Opened(
        link=link,
        meeting=meeting,
        started=clock.parse(meeting.start) <= now,
        changed_since_sent=int(link.sequence) < int(meeting.sequence),
    )
