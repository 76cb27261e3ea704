"""全文检索 (/search): words of the title, 正文, 主送, 发文字号, 档号 and attachments of 发文, and of 收文 their
来文单位, 来文字号, 收文编号, the received text, 拟办意见, 批示 and 办理结果; in 全部 (发文 and 收文), 发文, 收文
or 档案, with oa_core.search's ranking and access rules (the same as GET /api/search)."""

from __future__ import annotations

from typing import Any

from oa_core.identity import sessions
from oa_core.platform.errors import DomainError
from oa_core.web.pages import Reply, page

SCOPES = (("all", "全部"), ("outgoing", "发文"), ("incoming", "收文"), ("archive", "档案"))
DEFAULT_SCOPE = "all"


def search(user: dict[str, Any], session: sessions.Session, query: dict[str, str]) -> Reply:
    from oa_core.search import query as search_query

    q = query.get("q", "").strip()
    scope = query.get("scope", DEFAULT_SCOPE).strip() or DEFAULT_SCOPE
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
