"""组织机构 in the JSON API: departments and people, for pickers; 角色授权 by the 安全管理员 (三员分立)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.identity import directory, roles
from oa_core.identity.caller import caller

router = APIGatewayRouter()


@router.get("/api/directory")
def organisation() -> dict[str, Any]:
    """组织机构: departments and people, for pickers."""
    caller(router.current_event.raw_event)
    return {"departments": directory.list_departments(), "users": directory.list_users()}


@router.get("/api/roles")
def role_assignments() -> dict[str, Any]:
    """角色授权 (安全管理员 only): the roles there are and who holds which."""
    user = caller(router.current_event.raw_event)
    people = roles.assignments(user)
    return {
        "roles": [{"role": role, "name": directory.ROLE_NAMES[role]} for role in directory.ROLES],
        "users": people,
    }


@router.put("/api/users/<user_id>/roles/<role>")
def grant_role(user_id: str, role: str) -> dict[str, Any]:
    """授予角色 (安全管理员 only, never to themselves, never two of the three administrator roles)."""
    return roles.change(caller(router.current_event.raw_event), user_id, role, "grant")


@router.delete("/api/users/<user_id>/roles/<role>")
def revoke_role(user_id: str, role: str) -> dict[str, Any]:
    """撤销角色 (安全管理员 only, never their own)."""
    return roles.change(caller(router.current_event.raw_event), user_id, role, "revoke")
