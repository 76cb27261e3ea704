"""催办: remind people of overdue pending decisions; run by an EventBridge schedule."""

from oa_core import reminders
from oa_core.events import ScheduledEvent
from oa_core.lambda_support import step_handler


@step_handler(ScheduledEvent)
def handler(event: ScheduledEvent) -> dict[str, int]:
    return reminders.run()
