"""档案 in the JSON API: 检索 of archived documents, the 档案包 (ZIP) and the 四性检测 report."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.identity.caller import caller
from oa_core.records.retrieval import ArchivePage

from .common import file_response, file_responses, window

router = APIGatewayRouter()


@router.get("/api/archive")
def search_archive(
    q: str = "",
    number: str = "",
    doc_type: str = "",
    year: int | None = None,
    department: str = "",
    next: str | None = None,
) -> ArchivePage:
    """检索: archived documents by title words, 发文字号, 文种, year, department and 成文日期 (`from`, `to`)."""
    from oa_core.records import retrieval

    user = caller(router.current_event.raw_event)
    start, end = window(router.current_event)
    return retrieval.search(
        user,
        q=q,
        number=number,
        doc_type=doc_type,
        date_from=start,
        date_to=end,
        year=year,
        department=department,
        next_cursor=next,
    )


@router.get(
    "/api/archive/<document_id>/package",
    responses=file_responses(
        "application/zip",
        "档案包（ZIP：正式文件、元数据、办理过程与签章）",
        forbidden="只有档案员和拟稿部门可以下载档案包",
        not_found="没有这个文件或尚未归档",
    ),
)
def download_package(document_id: str) -> Response[str]:
    """档案包 (ZIP) for archivists and the drafting department; every download is audited."""
    from oa_core.platform import audit
    from oa_core.records import archive, retrieval

    user = caller(router.current_event.raw_event)
    doc = retrieval.readable_package(document_id, user)
    data = archive.read_package(str(doc.archive_key))
    audit.record(user["user_id"], "download", document_id, "ok", str(doc.archive_code or ""), document_id=document_id)
    return file_response(data, "application/zip", f"{document_id}.zip")


@router.get("/api/archive/<document_id>/report")
def filing_report(document_id: str) -> dict[str, Any]:
    """四性检测 report of an archived document (archivists and the drafting department)."""
    from oa_core.platform import audit
    from oa_core.records import archive, retrieval

    user = caller(router.current_event.raw_event)
    doc = retrieval.readable_package(document_id, user)
    report = archive.read_report(str(doc.archive_key))
    audit.record(user["user_id"], "view_report", document_id, "ok", document_id=document_id)
    return report
