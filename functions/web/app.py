"""Staff web pages (工作台, 拟稿, 文件, 收文, 档案检索, 会议室, 会议, 用车) and sign-in. API Gateway lets these through
without an authorizer; this function demands a session on every page except /login and /auth/*, and a
CSRF token on every POST (routes/gate.py).

The routes are Routers per domain in routes/ (signin, dashboard, documents, incoming, archive, bookings, roles, static);
this module keeps the resolver and the handler, which sets the request's site URL for the pages.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.utilities.typing import LambdaContext

from oa_core.identity import directory, sessions
from oa_core.platform import audit, refusals
from oa_core.platform.http import base_url, with_edge_headers
from oa_core.web import pages

from routes import archive, attachments, bookings, dashboard, documents, incoming, roles, signin, static
from routes.gate import Gate, respond

logger = Logger(service="oa")
app = APIGatewayRestResolver()
app.use([refusals.audited(lambda _event: "")])  # every 403 of a signed-in person (the gate names them) is audited
app.include_router(signin.router)
app.include_router(dashboard.router)
app.include_router(documents.router)
app.include_router(attachments.router)
app.include_router(incoming.router)
app.include_router(archive.router)
app.include_router(bookings.router)
app.include_router(roles.router)
app.include_router(static.router)


@app.not_found
def unknown_page(_: NotFoundError) -> Response[str]:
    """Any address no page answers (API Gateway's /{proxy+} brings every unknown one here; /api/ keeps
    its JSON): the product's Chinese 404 page, with the menu for a signed-in user."""
    session = sessions.resolve(Gate(app).cookies().get(sessions.COOKIE))
    user = directory.get_user(session.user_id) if session else None
    text = "您访问的地址不存在，可能输入有误或页面已移动。请从工作台重新进入。"
    page: Response[str] = respond(pages.message(user, session if user else None, 404, "找不到页面", text))
    return page


@logger.inject_lambda_context(log_event=False, clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    token = pages.SITE.set(base_url(event))
    try:
        with audit.from_event(event):  # every audit record of this request names its source
            return with_edge_headers(event, app.resolve(event, context))
    finally:
        pages.SITE.reset(token)
