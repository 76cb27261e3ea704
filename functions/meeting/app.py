"""会议申请 flow steps: open the approver's task, confirm (invitations), or release the held room."""

from typing import Any

from oa_core.bookings import meetings
from oa_core.bookings.events import MeetingStepEvent
from oa_core.platform.lambda_support import step_handler


@step_handler(MeetingStepEvent)
def handler(event: MeetingStepEvent) -> dict[str, Any]:
    if event.action == "open_approval":
        return meetings.open_approval(event.meeting_id, event.task_token)
    if event.action == "confirm":
        return meetings.confirm(event.meeting_id)
    return meetings.release(event.meeting_id, "rejected" if event.action == "reject" else "expired")
