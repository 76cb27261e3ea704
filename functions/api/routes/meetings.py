"""Meetings in the JSON API: 会议申请 (the room held at once), 我的会议, one meeting, 会议变更, 取消会议."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.bookings.models import MeetingApplication, MeetingChange, MeetingView
from oa_core.identity.caller import caller
from oa_core.platform.errors import Forbidden
from oa_core.platform.http import CONTENT_JSON

router = APIGatewayRouter()


@router.post(
    "/api/meetings", responses={201: {"description": "会议室已暂留或已确认"}, 409: {"description": "时段冲突"}}
)
def apply_meeting(application: MeetingApplication) -> Response[Any]:
    """会议申请: the room is held at once; rooms that need approval go to the office's approver."""
    from oa_core.bookings import meetings

    created = meetings.apply(application, caller(router.current_event.raw_event))
    return Response(status_code=201, content_type=CONTENT_JSON, body=created.model_dump_json())


@router.get("/api/meetings")
def my_meetings() -> dict[str, Any]:
    """我的会议: meetings I take part in (confirmed, from today) and applications I made."""
    from oa_core.bookings import meetings

    user = caller(router.current_event.raw_event)
    return {
        "attending": [
            {"meeting_id": a.meeting_id, "topic": a.topic, "room_name": a.room_name, "start": a.start, "end": a.end}
            for a in meetings.mine(user["user_id"])
        ],
        "organised": [meetings.view(m).model_dump() for m in meetings.organised_by(user["user_id"])],
    }


@router.get("/api/meetings/<meeting_id>")
def get_meeting(meeting_id: str) -> MeetingView:
    """One meeting, for its organizer, participants, approver and administrators."""
    from oa_core.bookings import meetings

    user = caller(router.current_event.raw_event)
    meeting = meetings.load(meeting_id)
    allowed = {meeting.organizer, meeting.approver, *meeting.participants}
    if user["user_id"] not in allowed and "sysadmin" not in user["roles"]:
        raise Forbidden("您无权查看该会议 (not your meeting)")
    return meetings.view(meeting)


@router.post("/api/meetings/<meeting_id>/change", responses={409: {"description": "会议刚刚已被变更或取消"}})
def change_meeting(meeting_id: str, changes: MeetingChange) -> MeetingView:
    """会议变更: new time, room, topic or participants, under the rules of an application; applied at once
    (everyone gets an updated invitation) or, for a room that needs approval, `change_status`
    `pending_approval` while the meeting keeps its slot. 409 when another change or a cancellation won."""
    from oa_core.bookings import changes as meeting_changes

    return meeting_changes.change(meeting_id, changes, caller(router.current_event.raw_event))


@router.post("/api/meetings/<meeting_id>/cancel")
def cancel_meeting(meeting_id: str) -> MeetingView:
    """取消会议: the room is free and participants get a cancellation."""
    from oa_core.bookings import meetings

    return meetings.cancel(meeting_id, caller(router.current_event.raw_event))
