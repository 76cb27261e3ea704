"""The organisation's and the sign-in's items in the records table: users, departments,
external units (外部单位) and sessions (登录会话)."""

from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from oa_core.platform.storage import RecordItem


class UserItem(RecordItem, discriminator="user"):
    """用户: a member of the organisation directory."""

    user_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    department = UnicodeAttribute()
    roles = ListAttribute(of=UnicodeAttribute, default=list)


class DepartmentItem(RecordItem, discriminator="department"):
    """部门: a department (处室) of the unit."""

    department_id = UnicodeAttribute()
    name = UnicodeAttribute()


class ExternalUnitItem(RecordItem, discriminator="external_unit"):
    """外部单位: another unit documents are sent to (对外发送), with its 政务协同平台 code or mailbox."""

    unit_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(default="")
    platform_code = UnicodeAttribute(default="")
    seal_key_fingerprint = UnicodeAttribute(default="")
    """收文: the SHA-256 fingerprint (16 or 64 hex digits) of the unit's seal key, pinned; a 收文 whose seal
    was made with another key is flagged to the 文书."""
    relation = UnicodeAttribute(default="")
    """行文关系: ``superior`` (上级机关), ``subordinate`` (下级机关) or empty (不相隶属机关); decides 上行文
    and the 拟稿 checks on 主送 and 抄送 (outgoing.direction)."""
    receipt_url = UnicodeAttribute(default="")
    """收文: where its system takes our 办结回执 (its ``/exchange/receipts``); empty: none is sent."""


class SessionItem(RecordItem, discriminator="session"):
    """登录会话: a signed-in browser. Only the cookie's hash is stored; TTL removes it after expiry."""

    user_id = UnicodeAttribute()
    csrf = UnicodeAttribute()
    created_at = UnicodeAttribute()
    last_seen = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    expires_at_epoch = NumberAttribute()
