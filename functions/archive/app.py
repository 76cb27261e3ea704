"""归档: write the document's package (一文一档) to the archive bucket and index it."""

from typing import Any

from oa_core.outgoing.events import StepEvent
from oa_core.platform.lambda_support import step_handler
from oa_core.records import archive


@step_handler(StepEvent)
def handler(event: StepEvent) -> dict[str, Any]:
    return archive.archive(event.document_id)
