"""档案检索: the search page over archived documents (by 发文字号, title words, 文种, year and department),
with records.retrieval's access rules."""

from __future__ import annotations

from typing import Any

from oa_core.identity import directory, sessions
from oa_core.outgoing.doctypes import DOC_TYPES
from oa_core.platform import clock
from oa_core.platform.errors import DomainError
from oa_core.web.pages import Reply, page


def search(user: dict[str, Any], session: sessions.Session, query: dict[str, str]) -> Reply:
    """档案检索: by 发文字号, title words, 文种, year and department (the form's query parameters)."""
    from oa_core.records import retrieval

    year_text = query.get("year", "").strip()
    criteria = {k: query.get(k, "").strip() for k in ("q", "number", "doc_type", "department")}
    error, results = "", None
    try:
        year = int(year_text) if year_text else None
    except ValueError:
        year, error = None, "年度应为四位数字，如 2026"
    if not error:
        try:
            results = retrieval.search(
                user,
                q=criteria["q"],
                number=criteria["number"],
                doc_type=criteria["doc_type"],
                year=year,
                department=criteria["department"],
                next_cursor=query.get("next") or None,
            )
        except DomainError as exc:
            error = exc.message
    return page(
        "archive.html",
        user,
        session,
        status=422 if error else 200,
        criteria={**criteria, "year": year_text or str(clock.now().year)},
        results=results,
        error=error,
        doc_types=DOC_TYPES,
        departments=directory.list_departments(),
        dept_names={d["department_id"]: d["name"] for d in directory.list_departments()},
        archive_reader=directory.reads_every_department(user),
    )
