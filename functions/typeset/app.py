"""印制: typeset the numbered, sealed document to GB/T 9704 as a PDF, seal the PDF and store it."""

from typing import Any

from oa_core.outgoing import printing
from oa_core.outgoing.events import StepEvent
from oa_core.platform.lambda_support import step_handler


@step_handler(StepEvent)
def handler(event: StepEvent) -> dict[str, Any]:
    return printing.typeset(event.document_id)
