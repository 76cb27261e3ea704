"""检索: find archived documents by year, 文种, department and title words, one index Query a page."""

from __future__ import annotations

import base64
import json
from typing import Any

from pydantic import Field

from oa_core import clock
from oa_core.errors import InvalidInput
from oa_core.models import OutputModel
from oa_core.storage import ArchiveIndexItem, RecordItem

PAGE_SIZE = 20
ARCHIVE_READERS = {"archivist", "clerk", "admin"}


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
    next_cursor: str | None = None,
) -> ArchivePage:
    """A page of archived documents (title words, 发文字号, 文种, department).

    Staff outside the archive roles see their own department's only.
    """
    if year is not None and not 1949 <= year <= 2999:
        raise InvalidInput("year 应为四位年份 (year must be four digits)")
    if len(q) > 100 or len(number) > 60:
        raise InvalidInput("检索词不能超过 100 个字")
    if not ARCHIVE_READERS & set(user["roles"]):
        if department and department != user["department"]:
            raise InvalidInput("只能检索本部门归档的文件 (you may search your own department only)")
        department = user["department"]
    year = year or clock.now().year
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
