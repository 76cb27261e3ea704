"""Sign-in and sign-out of the staff pages: /login, the OpenID Connect round trip through the identity
provider (/auth/start, /auth/callback; the stack's Cognito user pool or the unit's own issuer) that starts a
session, and /logout."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.identity import directory, oidc, sessions
from oa_core.platform import audit
from oa_core.platform.config import settings
from oa_core.platform.errors import DomainError
from oa_core.web import pages
from oa_core.web.pages import Reply

from .gate import Gate, respond

router = APIGatewayRouter()
gate = Gate(router)


@router.get("/login")
def login() -> Response[str]:
    session = sessions.resolve(gate.cookies().get(sessions.COOKIE))
    if session is not None:
        return respond(pages.redirect("/"))
    next_path = oidc.safe_next(gate.query().get("next", "/"))
    return respond(
        pages.page("login.html", None, None, next_path=next_path, idle_minutes=settings().session_idle_minutes)
    )


@router.get("/auth/start")
def auth_start() -> Response[str]:
    try:
        pending, url = oidc.begin(pages.site(), gate.query().get("next", "/"))
    except DomainError as exc:
        return respond(pages.message(None, None, exc.status, "暂时无法登录", exc.message))
    cookie = sessions.cookie(
        pending.cookie_value(), max_age=oidc.STATE_MAX_AGE, base=pages.site(), name=oidc.STATE_COOKIE
    )
    return respond(pages.redirect(url, cookies=[cookie], absolute=True))


@router.get("/auth/callback")
def auth_callback() -> Response[str]:
    query = gate.query()
    pending = oidc.Pending.from_cookie(gate.cookies().get(oidc.STATE_COOKIE))
    clear_state = sessions.cookie("", max_age=0, base=pages.site(), name=oidc.STATE_COOKIE)
    try:
        if query.get("error"):
            raise DomainError(f"身份认证服务未完成登录：{query.get('error_description') or query['error']}")
        user_id = oidc.finish(pages.site(), query.get("code", ""), query.get("state", ""), pending)
        user = directory.get_user(user_id)
        if user is None:
            raise DomainError("您的账号不在组织机构中，请联系管理员 (not in the directory)")
    except DomainError as exc:
        # 身份鉴别: a refused sign-in, counted per source and 5-minute window (never the code or state).
        audit.refused("anonymous", "sign_in", "web", exc.message[:200])
        reply = pages.message(None, None, exc.status if exc.status >= 500 else 401, "登录未完成", exc.message)
        reply.headers["Set-Cookie"] = [clear_state]
        return respond(reply)
    value, _session = sessions.start(user["user_id"])
    cookie = sessions.cookie(value, max_age=sessions.max_age(), base=pages.site())
    return respond(pages.redirect(pending.next_path if pending else "/", cookies=[cookie, clear_state]))


@router.post("/logout")
def logout() -> Response[str]:
    def sign_out(user: dict[str, Any], session: sessions.Session) -> Reply:
        sessions.end(gate.cookies().get(sessions.COOKIE), user["user_id"])
        return pages.redirect(
            oidc.logout_url(pages.site()),
            cookies=[sessions.cookie("", max_age=0, base=pages.site())],
            absolute=True,
        )

    return gate.signed_in(sign_out, post=True)
