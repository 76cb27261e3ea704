"""收文处理笺: draw the 收文's handling sheet as a PDF and store it in the archive bucket, before 归档."""

from typing import Any

from oa_core.incoming import sheet
from oa_core.incoming.models import IncomingSheetEvent
from oa_core.platform.lambda_support import step_handler


@step_handler(IncomingSheetEvent)
def handler(event: IncomingSheetEvent) -> dict[str, Any]:
    return sheet.draw(event.incoming_id)
