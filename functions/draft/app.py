"""拟稿 side of the 发文 flow: submit, resume after a failure, wait for a revision, reject, fail."""

from typing import Any

from oa_core.outgoing import human_steps, steps
from oa_core.outgoing.events import DraftEvent
from oa_core.outgoing.storage import load_document
from oa_core.platform.errors import InvalidInput
from oa_core.platform.lambda_support import step_handler
from oa_core.workflow import tasks


@step_handler(DraftEvent)
def handler(event: DraftEvent) -> dict[str, Any]:
    if event.action == "submit":
        return steps.route(event.document_id)
    if event.action == "resume":
        return steps.resume(event.document_id, event.resume_at or "")
    if event.action == "await_revision":
        if not event.task_token:
            raise InvalidInput("await_revision needs a task token")
        doc = load_document(event.document_id)
        tasks.cancel_open_tasks(event.document_id, "returned for revision")
        return human_steps.open_task(
            event.document_id,
            "revise",
            doc.drafter,
            event.task_token,
            started_at=event.execution_started_at,
            wait_seconds=event.timeout_seconds,
        )
    if event.action == "mark_rejected":
        return steps.mark_rejected(event.document_id)
    return steps.mark_failed(event.document_id, event.step or "unknown", event.error or {})
