"""收文 made here in the JSON API: 文书登记 (a presigned POST for the scan, then the registration) and
转为收文 (a department's 文书 takes up our own 发文 distributed to it); both start IncomingFlow at 签收."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.identity.caller import caller
from oa_core.incoming.intake import IncomingCreated, PaperRegistration
from oa_core.platform.http import CONTENT_JSON, SECURITY_HEADERS
from oa_core.worklist import intake

router = APIGatewayRouter()
CREATED = {
    201: {"description": "收文已建立，待办公室文书签收", "content": {"application/json": {"model": IncomingCreated}}}
}


def _user() -> dict[str, Any]:
    return caller(router.current_event.raw_event)


@router.post(
    "/api/incoming/uploads",
    responses={
        201: {
            "description": "已签发上传表单：把 fields 和扫描件 (file) POST 到 url，再以 incoming_id 和 upload 登记",
            "content": {"application/json": {"model": intake.ScanTicket}},
        }
    },
)
def sign_scan(request: intake.ScanRequest) -> Response[Any]:
    """文书登记 (1): a presigned POST for the scanned 来文 (PDF, OFD, JPEG or PNG); the office's 文书 only."""
    ticket = intake.scan_ticket(_user(), request.incoming_id or "", request.filename, request.size)
    return Response(status_code=201, content_type=CONTENT_JSON, body=ticket, headers=SECURITY_HEADERS)


@router.post("/api/incoming", responses=CREATED)  # type: ignore[arg-type]
def register(request: PaperRegistration) -> Response[Any]:
    """文书登记 (2): 来文单位, 来文字号, 标题, 紧急程度, 收文日期, 份数, 办理时限 and the uploaded scan (checked by
    its bytes); 密级 other than 非密 is refused. The 收文 waits for 签收, as an exchanged one does."""
    created = intake.register(_user(), request)
    return Response(status_code=201, content_type=CONTENT_JSON, body=created, headers=SECURITY_HEADERS)


@router.post("/api/documents/<document_id>/incoming", responses=CREATED)  # type: ignore[arg-type]
def take_up(document_id: str) -> Response[Any]:
    """转为收文: the 文书 of a department the 发文 was distributed to makes it a 收文 to handle, once (409 after)."""
    created = intake.take_up(_user(), document_id)
    return Response(status_code=201, content_type=CONTENT_JSON, body=created, headers=SECURITY_HEADERS)
