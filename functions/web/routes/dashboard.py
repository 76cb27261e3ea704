"""工作台 (/): the signed-in person's start page (oa_core.web.dashboard)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.web import dashboard as dashboard_pages

from .gate import Gate

router = APIGatewayRouter()
gate = Gate(router)


@router.get("/")
def dashboard() -> Response[str]:
    notice = gate.query().get("notice", "")
    return gate.signed_in(lambda user, session: dashboard_pages.dashboard(user, session, notice[:200]))
