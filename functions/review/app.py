"""核稿: open the reviewer's task and email the approval link; the flow waits for the decision.

Every round of a document begins here (after 拟稿 and after each 修改), so its 标题, 正文 and 主送 are
(re)indexed for 检索 here, before the task opens (a retried step indexes again, harmlessly)."""

from typing import Any

from oa_core.outgoing import human_steps
from oa_core.outgoing.events import HumanStepEvent
from oa_core.outgoing.storage import load_document
from oa_core.platform.lambda_support import step_handler
from oa_core.search import indexing


@step_handler(HumanStepEvent)
def handler(event: HumanStepEvent) -> dict[str, Any]:
    indexing.index_document(event.document_id)
    doc = load_document(event.document_id)
    return human_steps.open_task(
        event.document_id,
        "review",
        doc.reviewer,
        event.task_token,
        started_at=event.execution_started_at,
        wait_seconds=event.timeout_seconds,
    )
