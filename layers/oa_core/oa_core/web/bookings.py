"""会议室 and 用车 pages, by module: rooms (the grids), meetings (form and meeting page), dispatch
(用车) and resources (资源管理). The routes import this one name, on first use."""

from __future__ import annotations

from oa_core.web.dispatch import decide_dispatch, dispatch_page, submit_dispatch
from oa_core.web.meetings import (
    cancel_meeting,
    change_meeting,
    decide_meeting,
    meeting_page,
    new_meeting,
    reply_meeting,
    submit_meeting,
)
from oa_core.web.resources import resources_page, save_resource
from oa_core.web.rooms import room_week, rooms_day

__all__ = [
    "cancel_meeting",
    "change_meeting",
    "decide_dispatch",
    "decide_meeting",
    "dispatch_page",
    "meeting_page",
    "new_meeting",
    "reply_meeting",
    "resources_page",
    "room_week",
    "rooms_day",
    "save_resource",
    "submit_dispatch",
    "submit_meeting",
]
