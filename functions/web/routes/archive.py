"""档案检索 (/archive): the search page (oa_core.web.archive) with the request's query as its form, and an
archived document's 档案包 (/archive/<id>/package) and 四性检测 report (/archive/<id>/report); 全文检索
(/search, oa_core.web.search) over 发文, 档案 and 收文."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.web import archive as archive_pages
from oa_core.web import search as search_pages

from .gate import Gate

router = APIGatewayRouter()
gate = Gate(router)


@router.get("/archive")
def archive() -> Response[str]:
    return gate.signed_in(lambda user, session: archive_pages.search(user, session, gate.query()))


@router.get("/archive/<document_id>/<what>")
def archive_download(document_id: str, what: str) -> Response[str]:
    return gate.signed_in(lambda user, session: archive_pages.download(user, session, document_id, what))


@router.get("/search")
def search() -> Response[str]:
    return gate.signed_in(lambda user, session: search_pages.search(user, session, gate.query()))
