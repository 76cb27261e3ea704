"""全文检索 (/search): words of the title, 正文, 主送, 发文字号, 档号 and attachments, in 发文, 档案 or 收文,
with oa_core.search's ranking and access rules (the same as GET /api/search)."""

from __future__ import annotations

from typing import Any

from oa_core.identity import sessions
from oa_core.platform.errors import DomainError
from oa_core.web.pages import Reply, page

SCOPES = (("archive", "档案"), ("outgoing", "发文"), ("incoming", "收文"))


def search(user: dict[str, Any], session: sessions.Session, query: dict[str, str]) -> Reply:
    from oa_core.search import query as search_query

    q = query.get("q", "").strip()
    scope = query.get("scope", "archive").strip() or "archive"
    error, results = "", None
    page_text = query.get("page", "1").strip() or "1"
    if not page_text.isdigit():
        error = "页码应为正整数"
    elif q:
        try:
            results = search_query.search(user, q, scope, int(page_text))
        except DomainError as exc:
            error = exc.message
    return page(
        "search.html",
        user,
        session,
        status=422 if error else 200,
        q=q,
        scope=scope,
        scopes=SCOPES,
        results=results,
        error=error,
    )
