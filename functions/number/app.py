"""编号: assign the 发文字号, gap-free and idempotent, and index it for 检索."""

from typing import Any

from oa_core.outgoing import steps
from oa_core.outgoing.events import StepEvent
from oa_core.platform.lambda_support import step_handler
from oa_core.search import indexing


@step_handler(StepEvent)
def handler(event: StepEvent) -> dict[str, Any]:
    assigned = steps.assign_number(event.document_id)
    indexing.index_document(event.document_id)
    return assigned
