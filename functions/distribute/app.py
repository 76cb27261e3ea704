"""分发: deliver the numbered document to internal departments; record external recipients."""

from typing import Any

from oa_core.outgoing import steps
from oa_core.outgoing.events import StepEvent
from oa_core.platform.lambda_support import step_handler


@step_handler(StepEvent)
def handler(event: StepEvent) -> dict[str, Any]:
    return steps.distribute(event.document_id)
