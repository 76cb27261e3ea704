"""检索 in the JSON API: full-text search over 发文, 收文 (or both) and 档案 (oa_core.search)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.identity.caller import caller
from oa_core.search.query import SearchPage

router = APIGatewayRouter()
WORDS = "检索词，空格分隔的词须都出现；也可为发文字号或档号。Words, all of which must occur."


@router.get("/api/search")
def search(
    q: Annotated[str, Query(description=WORDS)] = "",
    scope: Annotated[
        str, Query(description="all（全部：发文和收文，默认）、outgoing（发文）、incoming（收文）或 archive（档案）。")
    ] = "all",
    page: Annotated[int, Query(description="页码，从 1 起，每页 10 条。The page, from 1.")] = 1,
) -> SearchPage:
    """全文检索: documents the caller may read whose words hold every word of q (发文: title, 正文, 主送,
    发文字号, 档号, attachments; 收文: title, 来文单位, 来文字号, 收文编号, the received text, 拟办意见, 批示,
    办理结果), by relevance and date, each with its scope and the passage that holds them (``<mark>``,
    HTML-escaped)."""
    from oa_core.search import query

    return query.search(caller(router.current_event.raw_event), q, scope, page)
