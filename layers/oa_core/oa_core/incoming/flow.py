"""IncomingFlow: starting the 收文 state machine, and the name its errors carry.

Human steps are answered through workflow.flow with ``FLOW`` as the flow name (the ASL catches
Incoming.Rejected: 拒收 at 签收). Each execution carries its human steps' timeout
(``human_task_timeout_seconds``, HumanTaskTimeoutHours, as DocumentFlow does).
"""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from oa_core.platform.config import settings
from oa_core.workflow import flow

FLOW = "Incoming"


def start(incoming_id: str, *, resume_at: str = "", attempt: int = 0) -> str:
    """Start the flow of a 收文; its execution is named after it, so a second start is a no-op. A resumed
    收文 (incoming.resume) enters at ``resume_at`` in an execution of its own, ``<id>-resume-<attempt>``."""
    payload = {
        "incoming_id": incoming_id,
        "resume_at": resume_at,
        "human_task_timeout_seconds": settings().human_task_timeout_seconds,
    }
    name = f"{incoming_id}-resume-{attempt}" if resume_at else incoming_id
    try:
        started = flow.stepfunctions().start_execution(
            stateMachineArn=settings().incoming_flow_arn, name=name, input=json.dumps(payload)
        )
        return str(started["executionArn"])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ExecutionAlreadyExists":
            raise
        return ""
