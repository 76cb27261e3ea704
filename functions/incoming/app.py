"""收文 flow steps (IncomingFlow): open a human step (签收 … 办结), mark the 收文 failed, or enter a resumed
execution (重新执行, incoming.resume).

Each step from 拟办 on opens after a decision that adds to the 收文 (登记, 拟办意见, 批示, 办理结果, 办结), so
the 收文 is (re)indexed for 全文检索 once its task is open (its assignee among those who may find it);
of 承办 and 传阅, opened together by the Map, only the first 承办 reindexes."""

from typing import Any

from oa_core.incoming import resume, steps
from oa_core.incoming.models import IncomingStepEvent
from oa_core.platform.lambda_support import step_handler
from oa_core.search import incoming as incoming_index

INDEXED_STEPS = ("propose", "instruct", "handle", "check", "conclude")


@step_handler(IncomingStepEvent)
def handler(event: IncomingStepEvent) -> dict[str, Any]:
    if event.action == "mark_failed":
        return steps.mark_failed(event.incoming_id, event.step, event.error)
    if event.action == "resume":
        return resume.entered(event.incoming_id, event.resume_at)
    opened = steps.open_task(
        event.incoming_id,
        event.step,
        event.task_token or "",
        index=event.index,
        started_at=event.execution_started_at,
        wait_seconds=event.timeout_seconds,
    )
    if event.step in INDEXED_STEPS and not event.index:
        incoming_index.index_quietly(event.incoming_id)
    return opened
