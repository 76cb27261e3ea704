"""我的待办 in the JSON API: the caller's pending decisions, and deciding one (a document's or a meeting's)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.identity.caller import caller
from oa_core.outgoing.attachments import UploadRequest, UploadTicket
from oa_core.platform.http import CONTENT_JSON, SECURITY_HEADERS
from oa_core.workflow.models import DecisionResult, TaskView
from oa_core.worklist import decisions, results
from oa_core.worklist.decisions import TaskDecision

router = APIGatewayRouter()


@router.get("/api/tasks")
def list_tasks() -> list[TaskView]:
    """我的待办: the caller's pending decisions."""
    return decisions.my_tasks(caller(router.current_event.raw_event)["user_id"])


@router.post("/api/tasks/<task_id>/decision")
def decide(task_id: str, decision: TaskDecision) -> DecisionResult:
    """Decide a task: approve (同意), return (退回修改) or reject (不同意); 收文's 登记 carries ``registration``,
    拟办 ``plan``, 承办 ``files`` (the uploads of its 办理结果's 附件, checked by their bytes; refused: 4xx,
    none kept)."""
    user = caller(router.current_event.raw_event)
    return decisions.decide(task_id, user["user_id"], decision, via="api")


@router.post(
    "/api/tasks/<task_id>/uploads",
    responses={
        201: {
            "description": "已签发上传表单：把 fields 和文件 (file) POST 到 url，再在承办决定的 files 中写上 upload",
            "content": {"application/json": {"model": UploadTicket}},
        }
    },
)
def sign_result_upload(task_id: str, request: UploadRequest) -> Response[Any]:
    """办理结果附件 (1): a presigned POST for one file (PDF, OFD, Word, Excel, images), for the 承办 task's person."""
    user = caller(router.current_event.raw_event)
    ticket = results.sign_upload(user, task_id, request.filename, request.size)
    return Response(status_code=201, content_type=CONTENT_JSON, body=ticket, headers=SECURITY_HEADERS)
