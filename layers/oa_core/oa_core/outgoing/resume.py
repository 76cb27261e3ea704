"""重新执行 (redrive): continue a failed document from the step where it failed.

It also delivers saved decisions that Step Functions did not receive (see workflow.decisions.deliver).

Step Functions' own RedriveExecution is not available in every emulator, and a document may
need a fix before it goes on; so a clerk or the 系统管理员 starts a new execution that enters at the
failed step (the ASL's Entry/ResumeAt choices). Only one resume wins: the status moves from
failed by a conditional write.
"""

from __future__ import annotations

from typing import Any

from oa_core.outgoing import documents, flow
from oa_core.outgoing.steps import RESUME_STATUS
from oa_core.outgoing.storage import DocumentItem, load_document
from oa_core.platform import audit, clock
from oa_core.platform.errors import Conflict, Forbidden
from oa_core.workflow.decisions import redeliver

SUBMIT_STEPS = {"submit": "review"}


def resume_failed(document_id: str, user: dict[str, Any]) -> dict[str, str]:
    if not {"clerk", "sysadmin"} & set(user["roles"]):
        audit.record(user["user_id"], "resume", document_id, "denied", document_id=document_id)
        raise Forbidden("只有文书或系统管理员可以让失败的文件继续处理 (clerks and system administrators only)")
    if "sysadmin" not in user["roles"]:  # a 文书 outside the 办公室: their own department's only
        documents.readable(document_id, user)
    delivered = redeliver(document_id, flow_name=flow.FLOW)
    if delivered:
        audit.record(user["user_id"], "resume", document_id, "ok", f"redelivered {delivered}", document_id=document_id)
        return {"document_id": document_id, "resume_at": "", "redelivered": ",".join(delivered)}
    doc = load_document(document_id)
    step = SUBMIT_STEPS.get(doc.failed_step or "", doc.failed_step or "")
    if doc.status != "failed" or step not in RESUME_STATUS:
        raise Conflict("该文件不处于可继续的失败状态 (the document is not failed at a resumable step)")
    attempt = int(doc.resume_count or 0) + 1
    try:
        doc.update(
            actions=[
                DocumentItem.status.set(RESUME_STATUS[step]),
                DocumentItem.resume_count.set(attempt),
                DocumentItem.updated_at.set(clock.now_iso()),
            ],
            condition=(DocumentItem.status == "failed") & (DocumentItem.resume_count == doc.resume_count),
        )
    except Exception as exc:
        if "ConditionalCheckFailed" in repr(exc):
            raise Conflict("该文件已在继续处理中 (already resumed)") from exc
        raise
    arn = flow.start(document_id, resume_at=step, attempt=attempt)
    audit.record(
        user["user_id"],
        "resume",
        document_id,
        "ok",
        f"{step} attempt {attempt}",
        document_id=document_id,
    )
    return {"document_id": document_id, "resume_at": step, "execution_arn": arn}
