"""编号: assign the 发文字号, gap-free and idempotent."""

from typing import Any

from oa_core.outgoing import steps
from oa_core.outgoing.events import StepEvent
from oa_core.platform.lambda_support import step_handler


@step_handler(StepEvent)
def handler(event: StepEvent) -> dict[str, Any]:
    return steps.assign_number(event.document_id)
