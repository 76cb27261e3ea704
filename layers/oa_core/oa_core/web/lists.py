"""已办 and 办结 pages of the 工作台: what I decided, and the documents I drafted or decided that reached
their end, with a search form (title words, 文种, date range) and pages of 20 (worklist.lists)."""

from __future__ import annotations

from typing import Any

from oa_core.identity import sessions
from oa_core.outgoing.doctypes import DOC_TYPES
from oa_core.platform.errors import DomainError
from oa_core.web.pages import Reply, page

LISTS = {"done": "已办", "finished": "办结"}
"""Each list's path under the site and its name."""


def listing(user: dict[str, Any], session: sessions.Session, which: str, query: dict[str, str]) -> Reply:
    """已办 (/done) or 办结 (/finished): one page of the list, searched by the query's q, doc_type, from, to."""
    from oa_core.worklist import lists

    shown = {k: query.get(k, "").strip()[:100] for k in ("q", "doc_type", "from", "to")}
    error, results = "", None
    try:
        criteria = lists.Criteria.of(query)
        fetch = lists.decided if which == "done" else lists.finished
        results = fetch(user["user_id"], criteria, query.get("next") or None)
    except DomainError as exc:
        error = exc.message
    return page(
        "lists.html",
        user,
        session,
        status=422 if error else 200,
        which=which,
        heading=LISTS[which],
        lists=LISTS,
        criteria=shown,
        results=results,
        error=error,
        doc_types=DOC_TYPES,
    )
