"""登录会话: server-side sessions for the staff pages.

The browser holds only a random cookie value; the records table holds its SHA-256 with the user,
a CSRF token, and two limits: an absolute lifetime (SESSION_HOURS) and an idle timeout
(SESSION_IDLE_MINUTES), as 等保 2.0 asks for session timeouts. Signing out deletes the item, so a
copied cookie stops working at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from oa_core.identity.storage import SessionItem
from oa_core.platform import audit, clock
from oa_core.platform.config import settings

COOKIE = "oa_web"
"""The session cookie's name (the local API stand-in uses another one for bearer tokens)."""
IDLE_WRITE_MINUTES = 5
"""``last_seen`` is written at most this often, so reading pages stays one GetItem."""


@dataclass(frozen=True)
class Session:
    user_id: str
    csrf: str
    expires_at: str


def _key(cookie_value: str) -> str:
    return "SESSION#" + hashlib.sha256(cookie_value.encode("utf-8")).hexdigest()


def start(user_id: str) -> tuple[str, Session]:
    """Open a session for a user who has just signed in; returns the cookie value and the session."""
    value = secrets.token_urlsafe(32)
    now = clock.now()
    expires = now + timedelta(hours=settings().session_hours)
    session = Session(user_id=user_id, csrf=secrets.token_urlsafe(24), expires_at=clock.iso(expires))
    SessionItem(
        _key(value),
        "SESSION",
        user_id=user_id,
        csrf=session.csrf,
        created_at=clock.iso(now),
        last_seen=clock.iso(now),
        expires_at=session.expires_at,
        expires_at_epoch=int(expires.timestamp()),
    ).save(condition=SessionItem.PK.does_not_exist())
    audit.record(user_id, "sign_in", user_id, "ok", "web")
    return value, session


def resolve(cookie_value: str | None) -> Session | None:
    """The live session behind a cookie, or None (unknown, expired, idle too long)."""
    if not cookie_value or len(cookie_value) > 200:
        return None
    try:
        item = SessionItem.get(_key(cookie_value), "SESSION", consistent_read=True)
    except SessionItem.DoesNotExist:
        return None
    now = clock.now()
    idle_limit = now - timedelta(minutes=settings().session_idle_minutes)
    if item.expires_at <= clock.iso(now) or item.last_seen <= clock.iso(idle_limit):
        return None
    if item.last_seen <= clock.iso(now - timedelta(minutes=IDLE_WRITE_MINUTES)):
        item.update(actions=[SessionItem.last_seen.set(clock.iso(now))])
    return Session(user_id=item.user_id, csrf=item.csrf, expires_at=item.expires_at)


def end(cookie_value: str | None, user_id: str) -> None:
    """Sign out: the session item is deleted, whatever copies of the cookie exist."""
    if cookie_value:
        SessionItem(_key(cookie_value), "SESSION").delete()
    audit.record(user_id, "sign_out", user_id, "ok", "web")


def max_age() -> int:
    return settings().session_hours * 3600


def csrf_ok(session: Session, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(session.csrf.encode(), str(token).encode())


def cookie(value: str, *, max_age: int, base: str, name: str = COOKIE) -> str:
    """A Set-Cookie value: HttpOnly, SameSite=Lax, and Secure whenever the site is served over HTTPS."""
    secure = "; Secure" if base.startswith("https://") else ""
    return f"{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
