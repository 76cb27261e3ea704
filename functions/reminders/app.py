"""催办: remind people of overdue pending 发文 decisions; run by an EventBridge schedule."""

from oa_core.outgoing import reminders
from oa_core.platform.events import ScheduledEvent
from oa_core.platform.lambda_support import step_handler


@step_handler(ScheduledEvent)
def handler(event: ScheduledEvent) -> dict[str, int]:
    return reminders.run()
