"""工作台 (/): the signed-in person's start page, its 已办 (/done) and 办结 (/finished) lists, and
deleting a saved 草稿 (/drafts/<id>/delete: a confirmation page, then its POST) (oa_core.web)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.web import dashboard as dashboard_pages
from oa_core.web import lists

from .gate import Gate

router = APIGatewayRouter()
gate = Gate(router)


@router.get("/")
def dashboard() -> Response[str]:
    query = gate.query()
    notice, step = query.get("notice", ""), query.get("step", "")
    return gate.signed_in(lambda user, session: dashboard_pages.dashboard(user, session, notice[:200], step[:20]))


@router.get("/done")
def done() -> Response[str]:
    return gate.signed_in(lambda user, session: lists.listing(user, session, "done", gate.query()))


@router.get("/finished")
def finished() -> Response[str]:
    return gate.signed_in(lambda user, session: lists.listing(user, session, "finished", gate.query()))


@router.get("/drafts/<draft_id>/delete")
def confirm_delete_draft(draft_id: str) -> Response[str]:
    return gate.signed_in(lambda user, session: dashboard_pages.confirm_delete_draft(user, session, draft_id))


@router.post("/drafts/<draft_id>/delete")
def delete_draft(draft_id: str) -> Response[str]:
    return gate.signed_in(lambda user, session: dashboard_pages.delete_draft(user, session, draft_id), post=True)
