"""收文 flow steps (IncomingFlow): open a human step (签收 … 办结), or mark the 收文 failed."""

from typing import Any

from oa_core.incoming import steps
from oa_core.incoming.models import IncomingStepEvent
from oa_core.platform.lambda_support import step_handler


@step_handler(IncomingStepEvent)
def handler(event: IncomingStepEvent) -> dict[str, Any]:
    if event.action == "mark_failed":
        return steps.mark_failed(event.incoming_id, event.step, event.error)
    return steps.open_task(
        event.incoming_id,
        event.step,
        event.task_token or "",
        index=event.index,
        started_at=event.execution_started_at,
        wait_seconds=event.timeout_seconds,
    )
