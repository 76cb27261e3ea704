"""DocumentFlow: starting the 发文 state machine for a document, and the name its errors carry.

Its human steps are answered through workflow.flow with ``FLOW`` as the flow name: the ASL catches
Document.Returned (退回) and Document.Rejected (不同意). Each execution carries its human steps'
timeout (``human_task_timeout_seconds``, from HumanTaskTimeoutHours): the ASL reads it with
``TimeoutSecondsPath``, since DefinitionSubstitutions can only put text into the definition.
"""

from __future__ import annotations

import json
from typing import Any

from oa_core.platform.config import settings
from oa_core.workflow import flow

FLOW = "Document"


def start(document_id: str, *, resume_at: str | None = None, attempt: int = 0) -> str:
    """Start the flow for a document; the execution name makes a repeated start idempotent."""
    payload: dict[str, Any] = {
        "document_id": document_id,
        "resume_at": resume_at or "",
        "human_task_timeout_seconds": settings().human_task_timeout_seconds,
    }
    name = f"{document_id}-resume-{attempt}" if resume_at else document_id
    response = flow.stepfunctions().start_execution(
        stateMachineArn=settings().document_flow_arn,
        name=name,
        input=json.dumps(payload),
    )
    return str(response["executionArn"])
