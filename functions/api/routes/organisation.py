"""组织机构 in the JSON API: departments and people, for pickers."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.identity import directory
from oa_core.identity.caller import caller

router = APIGatewayRouter()


@router.get("/api/directory")
def organisation() -> dict[str, Any]:
    """组织机构: departments and people, for pickers."""
    caller(router.current_event.raw_event)
    return {"departments": directory.list_departments(), "users": directory.list_users()}
