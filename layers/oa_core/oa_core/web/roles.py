"""角色授权 page (/roles): the 安全管理员 sees who holds which role and grants or revokes one (三员分立)."""

from __future__ import annotations

from typing import Any

from oa_core.identity import directory, roles, sessions
from oa_core.platform.errors import DomainError, Forbidden
from oa_core.web.pages import Reply, form_value, page

ACTIONS = {"grant": "授予", "revoke": "撤销"}


def assignments_page(
    user: dict[str, Any], session: sessions.Session, *, notice: str = "", error: str = "", status: int = 200
) -> Reply:
    people = roles.assignments(user)
    return page(
        "roles.html",
        user,
        session,
        status=status,
        people=people,
        all_roles=directory.ROLES,
        admin_roles=directory.ADMIN_ROLES,
        dept_names={d["department_id"]: d["name"] for d in directory.list_departments()},
        notice=notice,
        error=error,
    )


def change(user: dict[str, Any], session: sessions.Session, form: dict[str, list[str]]) -> Reply:
    """One grant or revoke from the page's form; the page again with what happened."""
    user_id = form_value(form, "user_id", strip=True)
    role = form_value(form, "role", strip=True)
    action = form_value(form, "action", strip=True)
    if action not in ACTIONS:
        return assignments_page(user, session, error="请选择授予或撤销", status=422)
    try:
        changed = roles.change(user, user_id, role, "grant" if action == "grant" else "revoke")
    except Forbidden:
        raise
    except DomainError as exc:
        return assignments_page(user, session, error=exc.message, status=exc.status)
    name = directory.ROLE_NAMES.get(role, role)
    return assignments_page(user, session, notice=f"已为{changed.get('name', user_id)}{ACTIONS[action]}「{name}」角色")
