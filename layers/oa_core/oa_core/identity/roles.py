"""角色授权: the 安全管理员 grants and revokes roles (三员分立).

Only a 安全管理员 (``secadmin``) changes who holds which role; never their own roles (nobody widens
their own rights), and never so that one person holds two of the administrator roles. A change is
one conditional UpdateItem on the user's item: it writes the new list only if the list is still the
one it was computed from, so two 安全管理员 changing one person at once both land (the second is
recomputed from the first's result), never one lost. Every attempt is audited, refused ones too.
A role takes effect on the holder's next request: the API and the pages read the directory on
every call, nothing about roles is in a token or a session.
"""

from __future__ import annotations

from typing import Any, Literal

from pynamodb.exceptions import UpdateError

from oa_core.identity import directory
from oa_core.identity.storage import UserItem
from oa_core.platform import audit
from oa_core.platform.errors import Conflict, Forbidden, InvalidInput, NotFound

SECADMIN = "secadmin"
SYSADMIN = "sysadmin"
AUDITOR = "auditor"
ATTEMPTS = 8
"""Conditional writes tried before a change gives up (each failure means another change landed)."""

MAX_ID_LENGTH = 64
"""No user_id of the organisation file is longer; a longer one is refused before it reaches a key."""

Change = Literal["grant", "revoke"]


def is_secadmin(user: dict[str, Any]) -> bool:
    return SECADMIN in user.get("roles", [])


def assignments(actor: dict[str, Any]) -> list[dict[str, Any]]:
    """The people and the roles they hold, for the 安全管理员 only."""
    if not is_secadmin(actor):
        audit.record(actor["user_id"], "roles_list", "ORG", "denied")
        raise Forbidden("只有安全管理员可以查看和调整角色授权 (security administrators only)")
    return sorted(directory.list_users(), key=lambda u: (u["department"], u["user_id"]))


def change(actor: dict[str, Any], user_id: str, role: str, action: Change) -> dict[str, Any]:
    """授予 (grant) or 撤销 (revoke) ``role`` of ``user_id``; the user as they are afterwards."""
    if not user_id or len(user_id) > MAX_ID_LENGTH:
        raise NotFound("组织机构中没有这个人 (no such user)")
    if role not in directory.ROLES:
        raise InvalidInput(f"没有这个角色：{role[:40]}（可选：{'、'.join(directory.ROLES)}）")
    verb = f"role_{action}"
    target = f"USER#{user_id}"
    if not is_secadmin(actor):
        audit.record(actor["user_id"], verb, target, "denied", role)
        raise Forbidden("只有安全管理员可以授予或撤销角色 (security administrators only)")
    if user_id == actor["user_id"]:
        audit.record(actor["user_id"], verb, target, "denied", f"{role}: own roles")
        raise Forbidden("安全管理员不能调整自己的角色，请由另一位安全管理员办理 (not your own roles)")
    for _ in range(ATTEMPTS):
        try:
            item = UserItem.get(directory.ORG_PK, target, consistent_read=True)
        except UserItem.DoesNotExist:
            raise NotFound(f"组织机构中没有这个人：{user_id[:64]}") from None
        before = [str(r) for r in item.roles or []]
        after = [r for r in before if r != role] + ([role] if action == "grant" else [])
        if sorted(after) == sorted(before):
            return directory.get_user(user_id) or {}
        problem = directory.separation_problem(user_id, after)
        if problem:
            audit.record(actor["user_id"], verb, target, "denied", f"{role}: 三员分立")
            raise Conflict(problem, code="separation_of_duties")
        try:
            item.update(actions=[UserItem.roles.set(after)], condition=UserItem.roles == before)  # type: ignore[arg-type]
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                continue
            raise
        audit.record(actor["user_id"], verb, target, "ok", f"{role}: {','.join(before)} -> {','.join(after)}")
        return directory.get_user(user_id) or {}
    raise Conflict("角色正被同时修改，请刷新后重试 (the roles changed concurrently; try again)")
