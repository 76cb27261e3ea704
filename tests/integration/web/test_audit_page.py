"""The 审计员's page (/audit): search and export with a session; escaped; nobody else reads it."""

from __future__ import annotations

import pytest

from infra.local.stack import LocalStack
from oa_core.platform import audit
from tests.integration.kit import users_with
from tests.integration.web.webkit import Browser, location_path

pytestmark = pytest.mark.integration

AUDITOR = "hanbing"
"""One of the demo organisation's 安全审计员 (infra/demo_org.json)."""


def test_the_page_asks_for_a_session_and_refuses_everyone_but_the_auditor(stack: LocalStack) -> None:
    assert location_path(Browser(stack).get("/audit")).startswith("/login?next=/audit")
    other = Browser(stack)
    other.sign_in(users_with("sysadmin")[0])
    assert other.get("/audit").status == 403
    assert other.get("/audit/export?format=csv").status == 403


def test_the_auditor_searches_by_person_and_sees_user_text_escaped(stack: LocalStack) -> None:
    audit.record("someone", "probe", "<script>alert(1)</script>", "ok", "<b>bold</b>")
    browser = Browser(stack)
    browser.sign_in(AUDITOR)
    page = browser.get("/audit?actor=someone")
    assert page.status == 200, page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    assert "审计记录" in page.text
    mine = browser.get(f"/audit?actor={AUDITOR}&action=audit_search")
    assert "audit_search" in mine.text  # the search just made is itself in the trail
    assert browser.get("/audit?start=2026-02-30").status == 422


def test_the_audit_page_names_people_actions_and_outcomes_in_chinese_with_their_codes(stack: LocalStack) -> None:
    browser = Browser(stack)
    browser.sign_in(AUDITOR)
    browser.get(f"/audit?actor={AUDITOR}")
    page = browser.get(f"/audit?actor={AUDITOR}&action=audit_search")
    assert "<td>查询审计记录（audit_search）</td>" in page.text  # the code stays: the auditor searches by it
    assert ">成功</td>" in page.text and ">ok</td>" not in page.text
    assert f"<td>韩冰（{AUDITOR}）</td>" in page.text


def test_the_auditor_exports_csv_from_the_page(stack: LocalStack) -> None:
    audit.record("someone", "probe", "csv-export", "ok")  # its own record: the test holds alone
    browser = Browser(stack)
    browser.sign_in(AUDITOR)
    response = browser.get("/audit/export?format=csv&actor=someone")
    assert response.status == 200
    assert response.body.startswith(b"\xef\xbb\xbf") and "probe" in response.body.decode("utf-8-sig")
    assert "attachment" in response.headers["Content-Disposition"]


def test_refused_sign_ins_are_counted_per_source_in_one_record(stack: LocalStack) -> None:
    for _ in range(3):
        refused = Browser(stack).get("/auth/callback?error=access_denied&state=x")
        assert refused.status == 401
    browser = Browser(stack)
    browser.sign_in(AUDITOR)
    page = browser.get("/audit?actor=anonymous&action=sign_in")
    assert page.status == 200
    assert page.text.count("<td>登录（sign_in）</td>") == 1 and "<td>3</td>" in page.text
