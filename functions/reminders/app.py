"""催办: remind people of overdue pending 发文 and 收文 tasks; run by an EventBridge schedule."""

from oa_core.incoming import reminders as incoming_reminders
from oa_core.outgoing import reminders
from oa_core.platform.events import ScheduledEvent
from oa_core.platform.lambda_support import step_handler


@step_handler(ScheduledEvent)
def handler(event: ScheduledEvent) -> dict[str, int]:
    documents = reminders.run()
    received = incoming_reminders.run()
    return {key: documents.get(key, 0) + received.get(key, 0) for key in {*documents, *received}}
