"""角色授权 (/roles): the 安全管理员's page of who holds which role (oa_core.web.roles)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.web import roles as role_pages

from .gate import Gate

router = APIGatewayRouter()
gate = Gate(router)


@router.get("/roles")
def assignments() -> Response[str]:
    return gate.signed_in(lambda user, session: role_pages.assignments_page(user, session))


@router.post("/roles")
def change() -> Response[str]:
    return gate.signed_in(lambda user, session: role_pages.change(user, session, gate.form()), post=True)
