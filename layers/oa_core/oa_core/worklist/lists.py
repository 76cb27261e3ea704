"""已办 and 办结: what a person decided (every flow), and the documents they drafted or decided that
reached their end (归档 or 不同意), searched by title words, 文种 and dates, one index Query a page.

已办 is the decided tasks, which a decision moves from ``ASSIGNEE#<user>`` to ``DECIDED#<user>`` on GSI1
(workflow.storage.task_decided_actions); 办结 is outgoing's FinishedItem, one per person, written when a
document is archived or rejected, under ``FINISHED#<user>`` on GSI1. Both sort keys start with the
time (Asia/Shanghai ISO 8601), so a date range is a key condition and the words and 文种 are filters.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any

from pynamodb.expressions.condition import Condition

from oa_core.outgoing.storage import FinishedItem
from oa_core.platform.errors import InvalidInput
from oa_core.platform.storage import RecordItem
from oa_core.workflow.storage import TaskItem

PAGE_SIZE = 20
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Criteria:
    """What a list is searched by: words of the title, a 文种, the first and last day (YYYY-MM-DD)."""

    q: str = ""
    doc_type: str = ""
    date_from: str = ""
    date_to: str = ""

    @classmethod
    def of(cls, query: dict[str, str]) -> Criteria:
        """From a page's query, checked: 4xx-worthy mistakes raise InvalidInput with what to type."""
        found = cls(
            q=query.get("q", "").strip(),
            doc_type=query.get("doc_type", "").strip(),
            date_from=query.get("from", "").strip(),
            date_to=query.get("to", "").strip(),
        )
        if len(found.q) > 100 or len(found.doc_type) > 20:
            raise InvalidInput("检索词不能超过 100 个字")
        for label, value in (("开始日期", found.date_from), ("结束日期", found.date_to)):
            if value and not _DATE.fullmatch(value):
                raise InvalidInput(f"{label}请按“年-月-日”填写，如 2026-03-01")
        if found.date_from and found.date_to and found.date_to < found.date_from:
            raise InvalidInput("结束日期不能早于开始日期")
        return found


@dataclass
class ListPage:
    items: list[Any] = field(default_factory=list)
    next: str | None = None
    """The cursor of the next page (opaque), or None on the last page."""


def _cursor(key: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None


def _key(cursor: str | None, partition: str) -> dict[str, Any] | None:
    """A cursor back into an index key; one naming another person's partition is refused."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        key = None
    if not isinstance(key, dict) or (key.get("GSI1PK") or {}).get("S") != partition:
        raise InvalidInput("翻页参数无效，请从第一页重新查看")
    return key


def _page(partition: str, criteria: Criteria, model: Any, cursor: str | None) -> ListPage:
    range_key = None
    if criteria.date_from or criteria.date_to:
        range_key = RecordItem.GSI1SK.between(criteria.date_from or "0000", (criteria.date_to or "9999") + "~")
    condition: Condition | None = None
    words = criteria.q.split()
    for clause in (
        *(model.title.contains(word) for word in words),
        (model.doc_type == criteria.doc_type) if criteria.doc_type else None,
    ):
        if clause is not None:
            condition = clause if condition is None else condition & clause
    results = RecordItem.gsi1.query(
        partition,
        range_key,
        filter_condition=condition,
        scan_index_forward=False,
        limit=PAGE_SIZE,
        last_evaluated_key=_key(cursor, partition),
    )
    items = [item for item in results if isinstance(item, model)]
    return ListPage(items=items, next=_cursor(results.last_evaluated_key))


def decided(user_id: str, criteria: Criteria, cursor: str | None = None) -> ListPage:
    """已办: the tasks I decided (核稿, 会签, 签发, 修改, meeting approvals), newest first."""
    return _page(f"DECIDED#{user_id}", criteria, TaskItem, cursor)


def finished(user_id: str, criteria: Criteria, cursor: str | None = None) -> ListPage:
    """办结: documents I drafted or decided that were archived or rejected, newest first."""
    return _page(f"FINISHED#{user_id}", criteria, FinishedItem, cursor)
