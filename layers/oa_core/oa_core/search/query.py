"""检索: find documents by their words, ranked by relevance (BM25 over field-weighted term frequency)
and date, paged, and only those the person may read.

One Query per term (and scope) reads its postings, newest first, up to MAX_POSTINGS; the documents
holding every term are scored, filtered by the access kept on their postings (a hit one may not read is
never counted or shown), sorted, and only the page's documents are read for their passages. ``all``
(全部) is 发文 and 收文 together: each term's postings in both (two Queries), scored with both scopes'
N and average length; a hit says which it is (``scope``).
"""

from __future__ import annotations

import html
import math
from typing import Any

from pydantic import Field

from oa_core.identity import directory
from oa_core.platform.errors import InvalidInput
from oa_core.platform.models import OutputModel
from oa_core.search import passages, terms
from oa_core.search.storage import SCOPES, PostingItem, StatsItem

PAGE_SIZE = 10
MAX_POSTINGS = 2000
"""Postings read per term: past this a term is in too many documents to tell them apart, and its newest
matches stand for it (the query's cost stays bounded whatever the archive's size)."""
MAX_PAGE = 50
K1, B = 1.2, 0.75
SCOPE_NAMES = {"outgoing": "发文", "archive": "档案", "incoming": "收文", "all": "全部"}
ALL = ("outgoing", "incoming")
"""The scopes 全部 reads."""


class SearchHit(OutputModel):
    document_id: str
    title: str
    title_html: str = Field(description="the title, HTML-escaped, the query's words in <mark>")
    number: str = ""
    doc_type: str = ""
    status: str = ""
    date: str = Field(description="成文日期 (or the drafting date before signing), YYYY-MM-DD")
    archive_code: str = ""
    passage_html: str = Field(description="the passage that holds the query's words, HTML-escaped, in <mark>")
    score: float
    scope: str = Field(default="outgoing", description="outgoing (发文), archive (档案) or incoming (收文)")
    scope_name: str = Field(default="发文", description="发文, 档案 or 收文: the hit's tag")
    sender: str = Field(default="", description="收文: 来文单位")
    sender_number: str = Field(default="", description="收文: 来文字号")


class SearchPage(OutputModel):
    q: str
    scope: str
    page: int
    total: int = Field(description="matching documents the caller may read")
    pages: int
    items: list[SearchHit]
    truncated: bool = Field(default=False, description="a term matched more documents than are read (the newest kept)")


def scope_of(posting: PostingItem) -> str:
    return posting.PK.partition("#")[0]


def may_find(posting: PostingItem, user: dict[str, Any], scope: str) -> bool:
    """The document page's rule (outgoing.documents), from what the posting keeps; in 档案, like
    档案检索, the drafting department's staff too; a 收文, incoming.queries.may_read (the 收文 page's)."""
    if scope_of(posting) == "incoming":
        from oa_core.search import incoming

        return incoming.may_find(posting, user)
    if directory.reads_every_department(user):
        return True
    department = user.get("department") or ""
    if user["user_id"] in (posting.usr or []) or directory.is_department_clerk(user, posting.dep):
        return True
    if scope == "archive" and department == posting.dep:
        return True
    return posting.st in ("distributing", "archived") and department in (posting.to or [])


def _scopes(scope: str) -> tuple[str, ...]:
    return ALL if scope == "all" else (scope,)


def _postings(scope: str, term: str) -> tuple[list[PostingItem], bool]:
    found: list[PostingItem] = []
    truncated = False
    for each in _scopes(scope):
        some = list(PostingItem.query(f"{each}#{term}", scan_index_forward=False, limit=MAX_POSTINGS))
        found += some
        truncated = truncated or len(some) >= MAX_POSTINGS
    return found, truncated


def _stats(scope: str) -> tuple[int, float]:
    docs, length = 0, 0.0
    for each in _scopes(scope):
        try:
            stats = StatsItem.get(f"STATS#{each}", "STATS")
        except StatsItem.DoesNotExist:
            continue
        docs += int(stats.docs or 0)
        length += float(stats.length or 0)
    docs = max(docs, 1)
    return docs, max(length / docs, 1.0)


def rank(lists: dict[str, list[PostingItem]], docs: int, avgdl: float) -> list[tuple[float, str, PostingItem]]:
    """(score, date, a posting) of each document that holds every term, best and newest first."""
    if not lists:
        return []
    common = set.intersection(*({p.d for p in plist} for plist in lists.values()))
    scores: dict[str, float] = dict.fromkeys(common, 0.0)
    first: dict[str, PostingItem] = {}
    for plist in lists.values():
        df = len(plist)
        idf = math.log(1 + (docs - df + 0.5) / (df + 0.5)) if docs > df else math.log(1 + 0.5 / (df + 0.5))
        for p in plist:
            if p.d in scores:
                w, dl = float(p.w), float(p.dl or 1)
                scores[p.d] += idf * w * (K1 + 1) / (w + K1 * (1 - B + B * dl / avgdl))
                first.setdefault(p.d, p)
    hits = [(round(scores[d], 4), first[d].SK.partition("#")[0], first[d]) for d in common]
    hits.sort(key=lambda hit: (hit[0], hit[1], hit[2].d), reverse=True)
    return hits


def search(user: dict[str, Any], q: str, scope: str = "archive", page: int = 1) -> SearchPage:
    """A page of the documents matching every word of q, in a scope (发文, 档案, 收文 or 全部: 发文 and 收文)."""
    if scope not in (*SCOPES, "all"):
        raise InvalidInput("检索范围应为 全部、发文、收文 或 档案")
    if len(q) > 100:
        raise InvalidInput("检索词不能超过 100 个字")
    if not 1 <= page <= MAX_PAGE:
        raise InvalidInput(f"页码应在 1 到 {MAX_PAGE} 之间")
    words = terms.query_terms(q)
    if not words:
        if q.strip():
            raise InvalidInput("检索词里没有可检索的词，请换一个词")
        return SearchPage(q=q, scope=scope, page=page, total=0, pages=0, items=[])
    lists, truncated = {}, False
    for word in words:
        lists[word], cut = _postings(scope, word)
        truncated = truncated or cut
        if not lists[word]:
            return SearchPage(q=q, scope=scope, page=page, total=0, pages=0, items=[])
    docs, avgdl = _stats(scope)
    readable = [hit for hit in rank(lists, docs, avgdl) if may_find(hit[2], user, scope)]
    shown = readable[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    pages = math.ceil(len(readable) / PAGE_SIZE)
    items = _hits(shown, words, user)
    return SearchPage(q=q, scope=scope, page=page, total=len(readable), pages=pages, items=items, truncated=truncated)


def _hits(shown: list[tuple[float, str, PostingItem]], words: list[str], user: dict[str, Any]) -> list[SearchHit]:
    """The page's documents, read in one batch, each with the passage that holds the words."""
    from oa_core.outgoing.storage import DocumentItem
    from oa_core.platform.storage import doc_pk, strs
    from oa_core.search import incoming
    from oa_core.search.indexing import attachment_texts

    if not shown:
        return []
    received = incoming.hits(shown, words)
    wanted = [(doc_pk(h[2].d), "META") for h in shown if scope_of(h[2]) != "incoming"]
    docs = {d.document_id: d for d in DocumentItem.batch_get(wanted)} if wanted else {}
    items = []
    for score, date, posting in shown:
        if scope_of(posting) == "incoming":
            if posting.d in received:
                items.append(SearchHit(**received[posting.d], scope="incoming", scope_name="收文"))
            continue
        doc = docs.get(posting.d)
        if doc is None:
            continue  # deleted since it was indexed
        texts = [doc.body or "", doc.number or "", doc.archive_code or "", "、".join(strs(doc.main_recipients))]
        if "a" in posting.f:
            texts += [f"附件《{a.name}》：{a.text}" for a in attachment_texts(posting.d)]
        passage = next((p for p in (passages.passage(t, words) for t in texts) if p), None)
        items.append(
            SearchHit(
                document_id=doc.document_id,
                title=doc.title,
                title_html=passages.mark(doc.title, words),
                number=doc.number or "",
                doc_type=doc.doc_type,
                status=doc.status,
                date=date,
                archive_code=doc.archive_code or "",
                passage_html=passage or html.escape((doc.body or "")[:120]),
                score=score,
                scope=scope_of(posting),
                scope_name=SCOPE_NAMES[scope_of(posting)],
            )
        )
    return items
