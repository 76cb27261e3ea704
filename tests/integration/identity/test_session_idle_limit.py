"""身份鉴别: a web session ends after the idle limit (SESSION_IDLE_MINUTES, 30 by default) and each page
slides it; an idle session is sent to sign in again, and its POSTs are refused."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from infra.local.stack import LocalStack
from oa_core.identity.storage import SessionItem
from oa_core.platform import clock
from oa_core.platform.config import settings
from tests.integration.kit import users_with
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration


def session_of(browser: Browser) -> SessionItem:
    key = "SESSION#" + hashlib.sha256(browser.cookies["oa_web"].encode()).hexdigest()
    return SessionItem.get(key, "SESSION", consistent_read=True)


def last_seen_ago(browser: Browser, minutes: int) -> str:
    when = clock.iso(clock.now() - timedelta(minutes=minutes))
    session_of(browser).update(actions=[SessionItem.last_seen.set(when)])
    return when


def test_a_page_within_the_idle_limit_slides_it(stack: LocalStack) -> None:
    browser = Browser(stack)
    browser.sign_in(users_with("drafter")[0])
    idle = settings().session_idle_minutes
    assert idle == 30, "the default idle limit"
    before = last_seen_ago(browser, idle - 5)
    assert browser.get("/").status == 200
    assert session_of(browser).last_seen > before, "the page moved the idle window on"
    last_seen_ago(browser, idle - 5)
    assert browser.get("/").status == 200, "still within the limit, counted from the last page"


def test_an_idle_session_is_refused_and_sent_to_sign_in(stack: LocalStack) -> None:
    browser = Browser(stack)
    browser.sign_in(users_with("drafter")[0])
    page = browser.get("/archive")
    csrf = browser.csrf(page)
    last_seen_ago(browser, settings().session_idle_minutes + 1)
    refused = browser.get("/archive")
    assert refused.status == 303
    assert refused.headers["Location"].endswith("/login?next=/archive")
    posted = browser.post("/roles", {"csrf": csrf, "user_id": "lina", "role": "clerk", "action": "grant"})
    assert posted.status == 401 and "登录已超时" in posted.text
