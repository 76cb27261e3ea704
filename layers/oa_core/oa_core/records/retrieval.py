"""检索: find archived documents by year, 文种, department and title words, one index Query a page."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from pydantic import Field

from oa_core.identity import directory
from oa_core.platform import clock
from oa_core.platform.errors import InvalidInput
from oa_core.platform.models import OutputModel
from oa_core.platform.storage import RecordItem
from oa_core.records.storage import ArchiveIndexItem

PAGE_SIZE = 20


class ArchiveHit(OutputModel):
    document_id: str
    number: str
    title: str
    doc_type: str
    department: str
    archived_at: str
    archive_code: str | None = None
    """档号 (DA/T 22): 全宗号-门类代码·年度-期限代码-机构代码-件号."""
    retention: str | None = None
    """保管期限: 永久, 定期30年 or 定期10年."""


class ArchivePage(OutputModel):
    items: list[ArchiveHit]
    next: str | None = Field(default=None, description="cursor for the next page, or null")


def _cursor(key: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None


def _key(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise InvalidInput("next 参数无效，请使用上一页返回的值 (bad cursor)") from None
    if not isinstance(key, dict):
        raise InvalidInput("next 参数无效，请使用上一页返回的值 (bad cursor)")
    return key


def search(
    user: dict[str, Any],
    *,
    q: str = "",
    number: str = "",
    doc_type: str = "",
    year: int | None = None,
    department: str = "",
    date_from: str = "",
    date_to: str = "",
    next_cursor: str | None = None,
) -> ArchivePage:
    """A page of archived documents (title words, 发文字号, 文种, department, 成文日期 from/to).

    Staff who do not read every department (directory.reads_every_department: 档案员, administrators,
    the 办公室's 文书) see their own department's only.
    """
    if year is not None and not 1949 <= year <= 2999:
        raise InvalidInput("year 应为四位年份 (year must be four digits)")
    if len(q) > 100 or len(number) > 60:
        raise InvalidInput("检索词不能超过 100 个字")
    if not directory.reads_every_department(user):
        if department and department != user["department"]:
            raise InvalidInput("只能检索本部门归档的文件 (you may search your own department only)")
        department = user["department"]
    for label, value in (("from", date_from), ("to", date_to)):
        if value and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise InvalidInput(f"{label} 应为日期，如 2026-03-01 (a date)")
    if date_from and date_to and date_to < date_from:
        raise InvalidInput("结束日期不能早于开始日期 (to is before from)")
    year = year or int((date_from or date_to or str(clock.now().year))[:4])
    if (date_from and int(date_from[:4]) != year) or (date_to and int(date_to[:4]) != year):
        raise InvalidInput("日期范围应在同一年度内，请分年检索 (one year at a time)")
    # The index is sorted by 成文日期: a date range is a key condition, not a filter.
    range_key = None
    if date_from or date_to:
        range_key = RecordItem.SK.between(date_from or f"{year}-01-01", (date_to or f"{year}-12-31") + "~")
    condition = None
    for clause in (
        ArchiveIndexItem.title.contains(q) if q else None,
        ArchiveIndexItem.number.contains(number) if number else None,
        (ArchiveIndexItem.doc_type == doc_type) if doc_type else None,
        (ArchiveIndexItem.department == department) if department else None,
    ):
        if clause is not None:
            condition = clause if condition is None else condition & clause
    results = RecordItem.query(
        f"ARCHIVE#{year}",
        range_key,
        filter_condition=condition,
        scan_index_forward=False,
        limit=PAGE_SIZE,
        last_evaluated_key=_key(next_cursor),
    )
    items = [
        ArchiveHit(
            document_id=hit.document_id,
            number=hit.number,
            title=hit.title,
            doc_type=hit.doc_type,
            department=hit.department,
            archived_at=hit.archived_at,
            archive_code=hit.archive_code,
            retention=hit.retention,
        )
        for hit in results
        if isinstance(hit, ArchiveIndexItem)
    ]
    return ArchivePage(items=items, next=_cursor(results.last_evaluated_key))


def readable_package(document_id: str, user: dict[str, Any]) -> Any:
    """The archived document whose package this user may download: those who read every department,
    or the drafting department. Access is decided before existence: to anyone else an unknown id and
    another department's document get the same 403. Every download is audited by the caller."""
    from oa_core.outgoing.storage import DocumentItem
    from oa_core.platform import audit
    from oa_core.platform.errors import Forbidden, NotFound
    from oa_core.platform.storage import doc_pk

    try:
        doc: DocumentItem | None = DocumentItem.get(doc_pk(document_id), "META", consistent_read=True)
    except DocumentItem.DoesNotExist:
        doc = None
    everywhere = directory.reads_every_department(user)
    if not everywhere and (doc is None or user["department"] != doc.drafter_department):
        audit.record(user["user_id"], "download", document_id, "denied", document_id=document_id)
        raise Forbidden("只有档案员和拟稿部门可以下载档案包 (archivists and the drafting department only)")
    if doc is None:
        raise NotFound("文件不存在 (no such document)")
    if doc.status != "archived" or not doc.archive_key:
        raise NotFound("该文件尚未归档 (not archived yet)")
    return doc
