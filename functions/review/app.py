"""核稿: open the reviewer's task and email the approval link; the flow waits for the decision."""

from typing import Any

from oa_core import tasks
from oa_core.events import HumanStepEvent
from oa_core.lambda_support import step_handler


@step_handler(HumanStepEvent)
def handler(event: HumanStepEvent) -> dict[str, Any]:
    doc = tasks.load_document(event.document_id)
    return tasks.open_task(event.document_id, "review", doc.reviewer, event.task_token)
