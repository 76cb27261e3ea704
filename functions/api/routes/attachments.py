"""附件 in the JSON API: a presigned POST for the browser's upload, attaching what arrived (checked),
the list, reordering, retitling or replacing, removing, and opening one (a short-lived link)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.identity.caller import caller
from oa_core.outgoing import attaching
from oa_core.outgoing.attachments import (
    AttachmentsView,
    AttachRequest,
    ChangeRequest,
    ReorderRequest,
    UploadRequest,
    UploadTicket,
    number_of,
)
from oa_core.platform.http import CONTENT_JSON, SECURITY_HEADERS
from oa_core.search import attached

router = APIGatewayRouter()

ATTACHMENTS_201 = {
    201: {
        "description": "已添加为附件：附件列表（按顺序）",
        "content": {"application/json": {"model": AttachmentsView}},
    }
}
REDIRECT_302 = {
    302: {
        "description": "跳转到附件文件的临时链接（5 分钟内有效；PDF 和图片在浏览器中打开，其他文件下载）",
        "headers": {
            "Location": {
                "description": "附件文件的临时链接 (a presigned GET of that file version)",
                "schema": {"type": "string", "format": "uri"},
            }
        },
    }
}


def _user() -> dict[str, Any]:
    return caller(router.current_event.raw_event)


@router.post(
    "/api/documents/<document_id>/attachments/uploads",
    responses={
        201: {
            "description": "已签发上传表单：浏览器把 fields 和文件 (file) 直接 POST 到 url",
            "content": {"application/json": {"model": UploadTicket}},
        }
    },
)
def sign_upload(document_id: str, request: UploadRequest) -> Response[Any]:
    """上传附件 (1): a presigned POST for one file, for a draft (or a returned document) the caller drafts."""
    ticket: UploadTicket = attaching.sign_upload(document_id, _user(), request.filename, request.size)
    return Response(status_code=201, content_type=CONTENT_JSON, body=ticket, headers=SECURITY_HEADERS)


@router.post("/api/documents/<document_id>/attachments", responses=ATTACHMENTS_201)  # type: ignore[arg-type]
def attach(document_id: str, request: AttachRequest) -> Response[Any]:
    """上传附件 (2): check the uploaded file (type from its bytes, size, SHA-256) and attach it, or refuse it."""
    view = attaching.attach(document_id, _user(), request.upload, request.title)
    attached.sync_quietly(document_id)
    return Response(status_code=201, content_type=CONTENT_JSON, body=view, headers=SECURITY_HEADERS)


@router.get("/api/documents/<document_id>/attachments")
def list_attachments(document_id: str) -> AttachmentsView:
    """The document's attachments in order, with the 附件说明 they make."""
    return attaching.readable_list(document_id, _user())


@router.put("/api/documents/<document_id>/attachments")
def reorder(document_id: str, request: ReorderRequest) -> AttachmentsView:
    """调整顺序: every attachment's number once, in the new order."""
    return attaching.reorder(document_id, _user(), request)


@router.put("/api/documents/<document_id>/attachments/<no>")
def change(document_id: str, no: str, request: ChangeRequest) -> AttachmentsView:
    """改名 (title) or 替换 (upload: a new file in the same place)."""
    view = attaching.change(document_id, _user(), number_of(no), request)
    attached.sync_quietly(document_id)
    return view


@router.delete("/api/documents/<document_id>/attachments/<no>")
def remove(document_id: str, no: str, rev: int | None = None) -> AttachmentsView:
    """删除附件 (``rev``: the list's revision as last read, so a second click removes nothing more)."""
    view = attaching.remove(document_id, _user(), number_of(no), rev)
    attached.sync_quietly(document_id)
    return view


@router.get("/api/documents/<document_id>/attachments/<no>", responses=REDIRECT_302)  # type: ignore[arg-type]
def open_attachment(document_id: str, no: str) -> Response[str]:
    """打开附件: a redirect to a 5-minute link (PDF and images shown, others downloaded); audited."""
    url = attaching.open_for(document_id, number_of(no), _user())
    return Response(status_code=302, content_type="text/plain", body="", headers={**SECURITY_HEADERS, "Location": url})
