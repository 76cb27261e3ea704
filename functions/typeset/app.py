"""印制: typeset the numbered, sealed document to GB/T 9704 as a PDF, seal the PDF and store it (DocumentFlow);
打印份数: render a print run's numbered copies, or record that it failed (CopiesFlow, ``action`` copies*)."""

from typing import Any

from oa_core.outgoing import copies_render, printing
from oa_core.outgoing.events import StepEvent
from oa_core.platform.lambda_support import step_handler


@step_handler(StepEvent)
def _typeset(event: StepEvent) -> dict[str, Any]:
    return printing.typeset(event.document_id)


@step_handler(copies_render.CopiesEvent)
def _copies(event: copies_render.CopiesEvent) -> dict[str, Any]:
    return copies_render.handle(event)


def handler(event: dict[str, Any], context: Any) -> Any:
    if str(event.get("action", "")).startswith("copies"):
        return _copies(event, context)
    return _typeset(event, context)
