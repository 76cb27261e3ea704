"""会议申请 and 会议变更 flow steps: open the approver's task, confirm (invitations), release the held room,
or end an application that could not be confirmed (未能确认)."""

from typing import Any

from oa_core.bookings import meetings, outcomes
from oa_core.bookings.events import MeetingStepEvent
from oa_core.platform.lambda_support import step_handler


@step_handler(MeetingStepEvent)
def handler(event: MeetingStepEvent) -> dict[str, Any]:
    if event.action == "open_approval":
        return meetings.open_approval(event.meeting_id, event.task_token)
    if event.action == "confirm":
        return outcomes.confirm(event.meeting_id, event.execution)
    if event.action == "void":
        return outcomes.void_step(event.meeting_id, event.execution)
    return outcomes.release(event.meeting_id, "rejected" if event.action == "reject" else "expired", event.execution)
