"""The staff pages' CSS and JS (/static/<name>, from oa_core/web/static); no session needed."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.web import pages

from .gate import respond

router = APIGatewayRouter()


@router.get("/static/<name>")
def static(name: str) -> Response[str]:
    return respond(pages.static(name))
