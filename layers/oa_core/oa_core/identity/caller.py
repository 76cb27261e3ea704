"""Who is calling: the signed-in user of an API Gateway event, looked up in the directory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oa_core.identity import directory
from oa_core.platform.errors import Forbidden
from oa_core.platform.http import caller_id


def caller(event: Mapping[str, Any]) -> dict[str, Any]:
    user = directory.get_user(caller_id(event))
    if user is None:
        raise Forbidden("您的账号不在组织机构中，请联系管理员 (your account is not in the directory)")
    return user
