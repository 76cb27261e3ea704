"""组织机构: the organisation directory (departments and users with roles) in the records table."""

from __future__ import annotations

from typing import Any

from oa_core.identity.storage import DepartmentItem, ExternalUnitItem, UserItem
from oa_core.platform import webhooks
from oa_core.platform.config import settings
from oa_core.platform.errors import InvalidInput
from oa_core.platform.storage import RecordItem

ORG_PK = "ORG"
ROLES = (
    "drafter",
    "reviewer",
    "countersigner",
    "signer",
    "clerk",
    "archivist",
    "sysadmin",
    "secadmin",
    "auditor",
)
ROLE_NAMES = {
    "drafter": "拟稿人",
    "reviewer": "核稿人",
    "countersigner": "会签人",
    "signer": "签发人",
    "clerk": "文书",
    "archivist": "档案员",
    "sysadmin": "系统管理员",
    "secadmin": "安全管理员",
    "auditor": "安全审计员",
}
RELATIONS = {"superior": "上级机关", "subordinate": "下级机关", "": "不相隶属机关"}
"""行文关系 of an external unit to this unit (the organisation file's ``relation``)."""
ADMIN_ROLES = ("sysadmin", "secadmin", "auditor")
"""三员分立: 系统管理员 (organisation, resources, configuration), 安全管理员 (role assignments) and
安全审计员 (the audit trail). Nobody holds two of them, and none of them reads documents by that role."""


def separation_problem(user_id: str, roles: list[str]) -> str | None:
    """Why ``roles`` break 三员分立 (two of the administrator roles in one person), or None."""
    held = [role for role in ADMIN_ROLES if role in roles]
    if len(held) < 2:
        return None
    names = "、".join(ROLE_NAMES[role] for role in held)
    return f"三员分立：系统管理员、安全管理员、安全审计员不得由同一人兼任（{user_id} 同时是{names}）"


def role_problem(user_id: str, roles: list[str]) -> str | None:
    """What is wrong with a user's roles (an unknown role, or 三员分立 broken), or None."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        return f"未知角色 {sorted(unknown)} (user {user_id})"
    return separation_problem(user_id, roles)


EVERY_DEPARTMENT_ROLES = frozenset({"archivist"})
"""Roles that read every department's documents, wherever their holder sits."""


def reads_every_department(user: dict[str, Any]) -> bool:
    """Whether this user reads every department's documents: an 档案员, or a 文书 of
    the 办公室 (Settings.office_department). Any other 文书 reads their own department's."""
    roles = set(user.get("roles") or [])
    if EVERY_DEPARTMENT_ROLES & roles:
        return True
    return "clerk" in roles and user.get("department") == settings().office_department


def is_office_clerk(user: dict[str, Any]) -> bool:
    """A 文书 of the 办公室 (Settings.office_department): who signs for and registers 收文, and reads them all."""
    return is_department_clerk(user, settings().office_department)


def is_department_clerk(user: dict[str, Any], department: str) -> bool:
    """A 文书 of this department (who reads its documents, drafts in review included)."""
    return "clerk" in (user.get("roles") or []) and user.get("department") == department


def _user_dict(item: UserItem) -> dict[str, Any]:
    return {
        "user_id": item.user_id,
        "name": item.name,
        "email": item.email,
        "department": item.department,
        "roles": list(item.roles or []),
    }


def seed_organisation(org: dict[str, Any]) -> None:
    """Write the departments and users of `org` (the shape of infra/demo_org.json); idempotent.

    The whole file is checked before anything is written: an unknown role or a person holding two of
    the administrator roles (三员分立) refuses it.
    """
    for user in org.get("users", []):
        problem = role_problem(str(user.get("user_id", "")), list(user.get("roles", [])))
        if problem:
            raise InvalidInput(problem)
    for unit in org.get("external_units", []):
        problem = webhooks.url_problem(unit["receipt_url"]) if unit.get("receipt_url") else None
        if problem:
            raise InvalidInput(f"外部单位“{unit.get('name', '')}”的办结回执地址 receipt_url 不可用：{problem}")
        if unit.get("relation", "") not in RELATIONS:
            raise InvalidInput(
                f"外部单位“{unit.get('name', '')}”的 relation 只能是 superior（上级机关）、"
                "subordinate（下级机关）或留空"
            )
    with UserItem.batch_write() as batch:
        for dept in org.get("departments", []):
            batch.save(
                DepartmentItem(
                    ORG_PK,
                    f"DEPT#{dept['department_id']}",
                    department_id=dept["department_id"],
                    name=dept["name"],
                )
            )
        for unit in org.get("external_units", []):
            batch.save(
                ExternalUnitItem(
                    ORG_PK,
                    f"UNIT#{unit['unit_id']}",
                    unit_id=unit["unit_id"],
                    name=unit["name"],
                    email=unit.get("email", ""),
                    platform_code=unit.get("platform_code", ""),
                    seal_key_fingerprint=unit.get("seal_key_fingerprint", ""),
                    relation=unit.get("relation", ""),
                    receipt_url=unit.get("receipt_url", ""),
                )
            )
        for user in org.get("users", []):
            batch.save(
                UserItem(
                    ORG_PK,
                    f"USER#{user['user_id']}",
                    user_id=user["user_id"],
                    name=user["name"],
                    email=user["email"],
                    department=user["department"],
                    roles=list(user.get("roles", [])),
                    GSI1PK=f"DEPT#{user['department']}",
                    GSI1SK=f"USER#{user['user_id']}",
                )
            )


def get_user(user_id: str) -> dict[str, Any] | None:
    try:
        item = UserItem.get(ORG_PK, f"USER#{user_id}")
    except UserItem.DoesNotExist:
        return None
    return _user_dict(item)


def get_users(user_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Many users in one BatchGetItem; unknown ids are left out."""
    if not user_ids:
        return {}
    keys = [(ORG_PK, f"USER#{uid}") for uid in dict.fromkeys(user_ids)]
    return {item.user_id: _user_dict(item) for item in UserItem.batch_get(keys)}


def list_users() -> list[dict[str, Any]]:
    return [
        _user_dict(item)
        for item in RecordItem.query(ORG_PK, RecordItem.SK.startswith("USER#"))
        if isinstance(item, UserItem)
    ]


def list_departments() -> list[dict[str, str]]:
    return [
        {"department_id": item.department_id, "name": item.name}
        for item in RecordItem.query(ORG_PK, RecordItem.SK.startswith("DEPT#"))
        if isinstance(item, DepartmentItem)
    ]


def list_external_units() -> list[dict[str, str]]:
    """外部单位 (other units reached by 对外发送), one Query."""
    return [
        {
            "unit_id": item.unit_id,
            "name": item.name,
            "email": item.email,
            "platform_code": item.platform_code,
            "seal_key_fingerprint": item.seal_key_fingerprint or "",
            "relation": item.relation or "",
            "receipt_url": item.receipt_url or "",
        }
        for item in RecordItem.query(ORG_PK, RecordItem.SK.startswith("UNIT#"))
        if isinstance(item, ExternalUnitItem)
    ]


def unit_relations() -> dict[str, str]:
    """行文关系 by unit name: the external units marked ``superior`` or ``subordinate`` (one Query)."""
    return {unit["name"]: unit["relation"] for unit in list_external_units() if unit["relation"]}


def department_members(department_id: str) -> list[dict[str, Any]]:
    return [_user_dict(item) for item in RecordItem.gsi1.query(f"DEPT#{department_id}") if isinstance(item, UserItem)]


def display_name(user_id: str, users: dict[str, dict[str, Any]]) -> str:
    if user_id == "system":
        return "系统"
    user = users.get(user_id)
    return str(user["name"]) if user else user_id
