"""会签: open one countersigner's task (one Map item) and email the approval link."""

from typing import Any

from oa_core.outgoing import human_steps
from oa_core.outgoing.events import CountersignEvent
from oa_core.platform.lambda_support import step_handler


@step_handler(CountersignEvent)
def handler(event: CountersignEvent) -> dict[str, Any]:
    return human_steps.open_task(
        event.document_id,
        "countersign",
        event.countersigner,
        event.task_token,
        event.index,
        started_at=event.execution_started_at,
        wait_seconds=event.timeout_seconds,
    )
