"""三员分立 on the local stack: 系统管理员, 安全管理员 and 安全审计员 are three different people, none of
them reads documents by that role, and only a 安全管理员 changes roles (never their own, never so that one
person holds two of the three), through the JSON API and the 角色授权 page, every change audited."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.stack import DEMO_ORG_PATH, LocalStack
from oa_core.identity import directory
from oa_core.platform.audit import AuditItem
from oa_core.platform.errors import InvalidInput
from tests.integration.kit import Api, at_once, submit, users_with
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration

ADMIN_ROLES = ("sysadmin", "secadmin", "auditor")


def audited(action: str, target: str) -> list[AuditItem]:
    return [item for item in AuditItem.scan(consistent_read=True) if item.action == action and item.target == target]


def roles_of(user_id: str) -> list[str]:
    user = directory.get_user(user_id)
    assert user is not None, user_id
    return sorted(user["roles"])


def test_the_demo_organisation_gives_the_three_administrator_roles_to_different_people() -> None:
    import json

    users = json.loads(DEMO_ORG_PATH.read_text(encoding="utf-8"))["users"]
    holders = {role: {u["user_id"] for u in users if role in u["roles"]} for role in ADMIN_ROLES}
    assert all(holders.values()), holders
    assert not holders["sysadmin"] & holders["secadmin"]
    assert not holders["sysadmin"] & holders["auditor"]
    assert not holders["secadmin"] & holders["auditor"]
    assert "admin" not in {r for u in users for r in u["roles"]}, "the single admin role is gone"


def test_an_organisation_file_where_one_person_holds_two_administrator_roles_is_refused(stack: LocalStack) -> None:
    org = {
        "departments": [{"department_id": "bgs", "name": "办公室"}],
        "users": [
            {
                "user_id": "dual1",
                "name": "甲",
                "email": "dual1@example.gov.cn",
                "department": "bgs",
                "roles": ["drafter"],
            },
            {
                "user_id": "dual2",
                "name": "乙",
                "email": "dual2@example.gov.cn",
                "department": "bgs",
                "roles": ["sysadmin", "auditor"],
            },
        ],
    }
    with pytest.raises(InvalidInput) as refused:
        stack.seed(org)
    assert "三员分立" in refused.value.message and "dual2" in refused.value.message
    assert directory.get_user("dual1") is None, "nothing of a refused file is written"


def test_no_administrator_reads_a_document_by_that_role(api: Api) -> None:
    doc_id = submit(api, users_with("drafter")[0], distribute_to=[])
    for role in ADMIN_ROLES:
        for user_id in users_with(role):
            status, reply = api.call("GET", f"/api/documents/{doc_id}", user_id)
            assert status == 403, (role, user_id, reply)
            assert reply["error"]["message"]


def test_only_a_security_administrator_lists_the_role_assignments(api: Api) -> None:
    secadmin = users_with("secadmin")[0]
    status, reply = api.call("GET", "/api/roles", secadmin)
    assert status == 200, reply
    assert {"sysadmin", "secadmin", "auditor"} <= {r["role"] for r in reply["roles"]}
    assert {u["user_id"] for u in reply["users"]} >= set(users_with("drafter"))
    for other in (users_with("sysadmin")[0], users_with("auditor")[0], users_with("drafter")[0]):
        status, reply = api.call("GET", "/api/roles", other)
        assert status == 403, (other, reply)
        assert "安全管理员" in reply["error"]["message"]


def test_a_security_administrator_grants_and_revokes_a_role_and_it_holds_at_once(api: Api) -> None:
    secadmin, person = users_with("secadmin")[0], "liuyang"
    doc_id = submit(api, users_with("drafter")[0], distribute_to=[])
    assert api.call("GET", f"/api/documents/{doc_id}", person)[0] == 403
    status, reply = api.call("PUT", f"/api/users/{person}/roles/clerk", secadmin)
    assert status == 200, reply
    assert "clerk" in reply["roles"]
    assert api.call("GET", f"/api/documents/{doc_id}", person)[0] == 200, "the role holds on the next request"
    assert audited("role_grant", f"USER#{person}")[-1].outcome == "ok"
    status, reply = api.call("DELETE", f"/api/users/{person}/roles/clerk", secadmin)
    assert status == 200, reply
    assert roles_of(person) == ["countersigner"]
    assert audited("role_revoke", f"USER#{person}")[-1].actor == secadmin


def test_a_security_administrator_cannot_grant_themselves_anything(api: Api) -> None:
    secadmin = users_with("secadmin")[0]
    for role in ("drafter", "clerk", "sysadmin"):
        status, reply = api.call("PUT", f"/api/users/{secadmin}/roles/{role}", secadmin)
        assert status == 403, reply
        assert "自己" in reply["error"]["message"]
    assert roles_of(secadmin) == ["secadmin"]
    denied = [a for a in audited("role_grant", f"USER#{secadmin}") if a.outcome == "denied"]
    assert len(denied) == 3, "each refused attempt is audited"


def test_nobody_but_a_security_administrator_changes_roles(api: Api) -> None:
    for actor in (users_with("sysadmin")[0], users_with("auditor")[0], users_with("drafter")[0]):
        status, reply = api.call("PUT", "/api/users/liuyang/roles/signer", actor)
        assert status == 403, (actor, reply)
    assert roles_of("liuyang") == ["countersigner"]


def test_a_grant_that_would_give_one_person_two_administrator_roles_is_refused(api: Api) -> None:
    secadmin, sysadmin = users_with("secadmin")[0], users_with("sysadmin")[0]
    status, reply = api.call("PUT", f"/api/users/{sysadmin}/roles/auditor", secadmin)
    assert status == 409, reply
    assert "三员分立" in reply["error"]["message"]
    assert roles_of(sysadmin) == ["sysadmin"]


def test_unknown_roles_and_people_are_a_clear_4xx(api: Api) -> None:
    secadmin = users_with("secadmin")[0]
    status, reply = api.call("PUT", "/api/users/liuyang/roles/admin", secadmin)
    assert status == 422 and "没有这个角色" in reply["error"]["message"], reply
    status, reply = api.call("PUT", "/api/users/nobody/roles/clerk", secadmin)
    assert status == 404 and "没有这个人" in reply["error"]["message"], reply
    status, reply = api.call("PUT", f"/api/users/{'x' * 3000}/roles/clerk", secadmin)
    assert status == 404, reply


def test_two_security_administrators_changing_one_person_at_once_lose_neither_change(api: Api) -> None:
    first, second = users_with("secadmin")[:2]
    person = "yangfan"
    for _ in range(3):
        results: list[Any] = at_once(
            [
                lambda: api.call("PUT", f"/api/users/{person}/roles/reviewer", first),
                lambda: api.call("PUT", f"/api/users/{person}/roles/signer", second),
            ]
        )
        assert [status for status, _ in results] == [200, 200], results
        assert roles_of(person) == ["countersigner", "reviewer", "signer"]
        at_once(
            [
                lambda: api.call("DELETE", f"/api/users/{person}/roles/reviewer", first),
                lambda: api.call("DELETE", f"/api/users/{person}/roles/signer", second),
            ]
        )
        assert roles_of(person) == ["countersigner"]


def test_the_role_page_is_the_security_administrators_and_grants_from_its_form(stack: LocalStack) -> None:
    browser = Browser(stack)
    browser.sign_in(users_with("secadmin")[0])
    page = browser.get("/roles")
    assert page.status == 200
    assert "角色授权" in page.text and "系统管理员" in page.text and "安全审计员" in page.text
    done = browser.post(
        "/roles", {"csrf": browser.csrf(page), "user_id": "chenjing", "role": "archivist", "action": "grant"}
    )
    assert done.status == 200 and "已为陈静授予「档案员」角色" in done.text
    assert roles_of("chenjing") == ["archivist", "countersigner"]
    own = browser.post(
        "/roles", {"csrf": browser.csrf(page), "user_id": users_with("secadmin")[0], "role": "clerk", "action": "grant"}
    )
    assert own.status == 403 and "自己" in own.text
    for role in ("sysadmin", "auditor", "drafter"):
        other = Browser(stack)
        other.sign_in(users_with(role)[0])
        assert other.get("/roles").status == 403, role
        assert "角色授权" not in other.get("/").text, "the menu shows the page to 安全管理员 only"


def test_the_system_administrator_keeps_the_resources_page(stack: LocalStack) -> None:
    browser = Browser(stack)
    browser.sign_in(users_with("sysadmin")[0])
    assert 'id="resource-form"' in browser.get("/resources").text
    secadmin = Browser(stack)
    secadmin.sign_in(users_with("secadmin")[0])
    assert 'id="resource-form"' not in secadmin.get("/resources").text
