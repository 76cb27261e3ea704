"""收文 in the JSON API: the list by status, one 收文 (with its seal check), the received file and the 收文处理笺.

签收 and 登记 are decided like every human step, through ``/api/tasks/{task_id}/decision``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.identity.caller import caller
from oa_core.incoming import extensions, queries, resume, sheet
from oa_core.incoming.models import ExtensionRequest, IncomingSummary, IncomingView, Reassignment
from oa_core.outgoing.attachments import number_of
from oa_core.outgoing.models import DocumentCreated, DraftSubmission
from oa_core.platform import filetypes
from oa_core.platform.http import CONTENT_JSON, SECURITY_HEADERS, base_url
from oa_core.worklist import replies, results

from .attachments import REDIRECT_302
from .common import file_response, file_responses

router = APIGatewayRouter()


@router.get("/api/incoming")
def list_incoming(status: str = "") -> list[IncomingSummary]:
    """收文, newest first: every status, or one (receiving 待签收, registering 待登记, registered 已登记,
    refused 已拒收, failed); the office's 文书 see all."""
    return queries.list_incoming(caller(router.current_event.raw_event), status)


@router.get("/api/incoming/<incoming_id>")
def get_incoming(incoming_id: str) -> IncomingView:
    """One 收文: 来文单位, 来文字号, its 电子签章 check (valid, signer, key fingerprint, pinned key), tasks, history."""
    return queries.view(caller(router.current_event.raw_event), incoming_id)


@router.get(
    "/api/incoming/<incoming_id>/file",
    responses={
        200: {
            "description": "来文文件，原样（PDF、OFD，或文书登记的扫描件 JPEG/PNG），按文件内容给出类型和文件名",
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in ("application/pdf", "application/ofd", "image/jpeg", "image/png")
            },
        },
        403: {"description": "无权查看这份收文"},
        404: {"description": "这份收文不存在"},
    },
)
def incoming_file(incoming_id: str) -> Response[str]:
    """The received file, as it arrived: its type and file name by its bytes (PDF, OFD, a scan's JPEG or PNG)."""
    name, data = queries.received_file(caller(router.current_event.raw_event), incoming_id)
    name, content_type, inline = filetypes.served(name, data)
    return file_response(data, content_type, name, inline=inline)


@router.get(
    "/api/incoming/<incoming_id>/sheet",
    responses=file_responses(
        "application/pdf",
        "收文处理笺（PDF，A4；拟办意见、领导批示、承办情况、传阅情况、办结），办结审核通过后生成并随收文归档",
        conflict="收文处理笺尚未生成（办结审核通过后自动生成）",
        forbidden="无权查看这份收文",
        not_found="这份收文不存在",
    ),
)
def incoming_sheet(incoming_id: str) -> Response[str]:
    """收文处理笺 as a PDF, drawn before 归档 and archived with the 收文; each download is audited."""
    name, data = sheet.sheet_file(caller(router.current_event.raw_event), incoming_id)
    return file_response(data, "application/pdf", name)


@router.post("/api/incoming/<incoming_id>/extensions")
def request_extension(incoming_id: str, body: ExtensionRequest) -> Response[dict[str, Any]]:
    """延期: the department holding a pending 承办 task asks the 批办 leader (by link) for a later 办理时限."""
    answer = extensions.request(caller(router.current_event.raw_event), incoming_id, body)
    return Response(status_code=201, content_type=CONTENT_JSON, body=answer, headers=SECURITY_HEADERS)


@router.post("/api/incoming/<incoming_id>/reassign")
def reassign(incoming_id: str, body: Reassignment) -> dict[str, Any]:
    """改派主办: the office's 文书 gives the 主办's pending 承办 task to another department (audited)."""
    return extensions.reassign(caller(router.current_event.raw_event), incoming_id, body)


@router.post("/api/incoming/<incoming_id>/resume")
def resume_incoming(incoming_id: str) -> dict[str, str]:
    """重新执行: the office's 文书 or the 系统管理员 continues a failed 收文 from the step it failed at, keeping
    its 收文编号 and everything decided (409 when it is not failed or another resume came first; audited)."""
    return resume.resume_failed(incoming_id, caller(router.current_event.raw_event))


@router.post("/api/incoming/<incoming_id>/replies")
def start_reply(incoming_id: str, submission: DraftSubmission) -> Response[DocumentCreated]:
    """复文: a drafter of a 承办 department submits a 发文 replying to the 收文 (the body of POST
    /api/documents); the reply carries ``in_reply_to`` and the 来文字号, the 收文 lists it in ``handling.replies``."""
    event = router.current_event.raw_event
    created = replies.start_reply(incoming_id, submission, caller(event), base_url(event))
    return Response(status_code=201, content_type=CONTENT_JSON, body=created, headers=SECURITY_HEADERS)


@router.get("/api/incoming/<incoming_id>/results/<task_id>/<no>", responses=REDIRECT_302)  # type: ignore[arg-type]
def open_result_file(incoming_id: str, task_id: str, no: str) -> Response[str]:
    """办理结果附件: 302 to a short-lived link to the file, for those who may read the 收文; audited."""
    url = results.open_file(caller(router.current_event.raw_event), incoming_id, task_id, number_of(no))
    return Response(status_code=302, content_type="text/plain", body="", headers={**SECURITY_HEADERS, "Location": url})
