"""审批链接: opaque, expiring, single-use links bound to one decider and one step.

The link id is 32 random bytes, shown once in the email; only its SHA-256 is stored, so the
table alone cannot be used to decide. The link never carries a task token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from pynamodb.expressions.condition import Condition

from oa_core.platform import clock
from oa_core.platform.config import settings
from oa_core.platform.errors import Conflict, Gone, NotFound
from oa_core.workflow.storage import LinkItem

LINK_ID_BYTES = 32
KEEP_AFTER_EXPIRY = timedelta(days=30)


def _key(link_id: str) -> tuple[str, str]:
    return f"LINK#{hashlib.sha256(link_id.encode()).hexdigest()}", "LINK"


def new_link(task_id: str, document_id: str, decider: str, step: str) -> tuple[str, LinkItem]:
    """A new link id and the item to save with the task it belongs to."""
    link_id = secrets.token_urlsafe(LINK_ID_BYTES)
    created = clock.now()
    expires = created + timedelta(hours=settings().link_ttl_hours)
    pk, sk = _key(link_id)
    item = LinkItem(
        pk,
        sk,
        task_id=task_id,
        document_id=document_id,
        decider=decider,
        step=step,
        created_at=clock.iso(created),
        expires_at=clock.iso(expires),
        expires_at_epoch=int((expires + KEEP_AFTER_EXPIRY).timestamp()),
    )
    return link_id, item


def url(base_url: str, link_id: str) -> str:
    return f"{base_url.rstrip('/')}/approvals/{link_id}"


def resolve(link_id: str) -> LinkItem:
    """The link's record, or a DomainError that says why it cannot be used."""
    if not link_id or len(link_id) > 128:
        raise NotFound("链接无效：请使用邮件中的完整链接 (this link is not valid)")
    try:
        item = LinkItem.get(*_key(link_id), consistent_read=True)
    except LinkItem.DoesNotExist:
        raise NotFound("链接无效：请使用邮件中的完整链接 (this link is not valid)") from None
    if item.used_at:
        raise Conflict(f"该链接已于 {clock.to_minute(item.used_at)} 使用过，不能重复处理 (this link was already used)")
    if clock.parse(item.expires_at) <= clock.now():
        raise Gone("该链接已过期。请登录系统在“我的待办”中处理，或联系发起人重新发送 (this link has expired)")
    return item


def consume_condition() -> Condition:
    """Condition for the transaction that uses the link: not used yet, not expired."""
    condition: Condition = LinkItem.used_at.does_not_exist() & (LinkItem.expires_at > clock.now_iso())
    return condition
