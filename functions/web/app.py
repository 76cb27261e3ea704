"""Staff web pages (工作台, 拟稿, 文件, 档案检索) and sign-in. API Gateway lets these through without an
authorizer; this function demands a session on every page except /login and /auth/*, and a CSRF token
on every POST."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from oa_core.identity import directory, oidc, sessions
from oa_core.platform.config import settings
from oa_core.platform.errors import DomainError
from oa_core.platform.http import base_url
from oa_core.web import archive as archive_pages
from oa_core.web import dashboard as dashboard_pages
from oa_core.web import documents as document_pages
from oa_core.web import pages
from oa_core.web.pages import Reply

logger = Logger(service="oa")
app = APIGatewayRestResolver()
Page = Callable[[dict[str, Any], sessions.Session], Reply]


def _respond(reply: Reply) -> Response[str]:
    response: Response[str] = Response(
        status_code=reply.status, content_type=reply.content_type, body=reply.body, headers=reply.headers
    )
    response.base64_encoded = reply.base64_encoded
    return response


def _parse_cookies() -> dict[str, str]:
    found: dict[str, str] = {}
    for part in str(app.current_event.headers.get("cookie") or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name and name not in found:
            found[name] = value
    return found


def _form() -> dict[str, list[str]]:
    return parse_qs(app.current_event.decoded_body or "", keep_blank_values=True)


def _query() -> dict[str, str]:
    return {k: v for k, v in (app.current_event.query_string_parameters or {}).items() if isinstance(v, str)}


def _signed_in(handle: Page, *, post: bool = False) -> Response[str]:
    """Run a page for the signed-in user; send others to sign in; refuse a POST without the CSRF token."""
    session = sessions.resolve(_parse_cookies().get(sessions.COOKIE))
    path = app.current_event.path
    if session is None:
        if post:
            return _respond(pages.message(None, None, 401, "请先登录", "登录已超时，请重新登录后再提交。"))
        return _respond(pages.redirect(f"/login?next={quote(path)}"))
    user = directory.get_user(session.user_id)
    if user is None:
        return _respond(pages.message(None, None, 403, "账号不可用", "您的账号不在组织机构中，请联系管理员。"))
    if post:
        token = pages.form_value(_form(), "csrf") or app.current_event.headers.get("x-csrf-token", "")
        if not sessions.csrf_ok(session, token):
            from oa_core.platform import audit

            audit.record(user["user_id"], f"POST {path}", path, "denied", "missing or wrong CSRF token")
            return _respond(pages.message(user, session, 403, "请求已失效", "页面已过期或来源不明，请刷新页面后重试。"))
    try:
        return _respond(handle(user, session))
    except DomainError as exc:
        return _respond(pages.denied(user, session, exc))


# ---------------------------------------------------------------- sign-in
@app.get("/login")
def login() -> Response[str]:
    session = sessions.resolve(_parse_cookies().get(sessions.COOKIE))
    if session is not None:
        return _respond(pages.redirect("/"))
    next_path = oidc.safe_next(_query().get("next", "/"))
    return _respond(
        pages.page("login.html", None, None, next_path=next_path, idle_minutes=settings().session_idle_minutes)
    )


@app.get("/auth/start")
def auth_start() -> Response[str]:
    pending, url = oidc.begin(pages.site(), _query().get("next", "/"))
    cookie = sessions.cookie(
        pending.cookie_value(), max_age=oidc.STATE_MAX_AGE, base=pages.site(), name=oidc.STATE_COOKIE
    )
    return _respond(pages.redirect(url, cookies=[cookie], absolute=True))


@app.get("/auth/callback")
def auth_callback() -> Response[str]:
    query = _query()
    pending = oidc.Pending.from_cookie(_parse_cookies().get(oidc.STATE_COOKIE))
    clear_state = sessions.cookie("", max_age=0, base=pages.site(), name=oidc.STATE_COOKIE)
    try:
        if query.get("error"):
            raise DomainError(f"身份认证服务未完成登录：{query.get('error_description') or query['error']}")
        user_id = oidc.finish(pages.site(), query.get("code", ""), query.get("state", ""), pending)
        user = directory.get_user(user_id)
        if user is None:
            raise DomainError("您的账号不在组织机构中，请联系管理员 (not in the directory)")
    except DomainError as exc:
        reply = pages.message(None, None, 401, "登录未完成", exc.message)
        reply.headers["Set-Cookie"] = [clear_state]
        return _respond(reply)
    value, _session = sessions.start(user["user_id"])
    cookie = sessions.cookie(value, max_age=sessions.max_age(), base=pages.site())
    return _respond(pages.redirect(pending.next_path if pending else "/", cookies=[cookie, clear_state]))


@app.post("/logout")
def logout() -> Response[str]:
    def sign_out(user: dict[str, Any], session: sessions.Session) -> Reply:
        sessions.end(_parse_cookies().get(sessions.COOKIE), user["user_id"])
        return pages.redirect(
            oidc.logout_url(pages.site()),
            cookies=[sessions.cookie("", max_age=0, base=pages.site())],
            absolute=True,
        )

    return _signed_in(sign_out, post=True)


# ---------------------------------------------------------------- pages
@app.get("/")
def dashboard() -> Response[str]:
    notice = _query().get("notice", "")
    return _signed_in(lambda user, session: dashboard_pages.dashboard(user, session, notice[:200]))


@app.get("/documents/new")
def new_document() -> Response[str]:
    query = _query()
    notice = "草稿已保存，可随时在工作台继续编辑" if query.get("saved") else ""
    return _signed_in(
        lambda user, session: document_pages.new_document(
            user, session, template_key=query.get("template", ""), draft_id=query.get("draft", ""), notice=notice
        )
    )


@app.post("/documents/new")
def submit_new() -> Response[str]:
    return _signed_in(lambda user, session: document_pages.submit_new(user, session, _form()), post=True)


@app.post("/drafts/check")
def check_draft() -> Response[str]:
    import json

    def checked(user: dict[str, Any], session: sessions.Session) -> Reply:
        from oa_core.outgoing import drafting

        found = drafting.check(document_pages.form_fields(_form()))
        return Reply(200, json.dumps(found, ensure_ascii=False), "application/json; charset=utf-8", pages.headers())

    return _signed_in(checked, post=True)


@app.get("/documents/<document_id>")
def document(document_id: str) -> Response[str]:
    query = _query()
    version = int(query["v"]) if query.get("v", "").isdigit() else 0
    notice = query.get("done", "") or ("已送核稿" if query.get("submitted") else "")
    return _signed_in(
        lambda user, session: document_pages.document_page(
            user, session, document_id, version=version, notice=notice[:100]
        )
    )


@app.get("/documents/<document_id>/progress")
def progress(document_id: str) -> Response[str]:
    return _signed_in(lambda user, session: document_pages.progress(user, session, document_id))


@app.post("/documents/<document_id>/decision")
def decide(document_id: str) -> Response[str]:
    return _signed_in(lambda user, session: document_pages.decide(user, session, document_id, _form()), post=True)


@app.get("/documents/<document_id>/pdf")
def document_pdf(document_id: str) -> Response[str]:
    return _signed_in(lambda user, session: document_pages.document_pdf(user, document_id))


@app.post("/documents/<document_id>/receipt")
def confirm_receipt(document_id: str) -> Response[str]:
    return _signed_in(lambda user, session: document_pages.confirm_receipt(user, session, document_id), post=True)


@app.post("/documents/<document_id>/revision")
def revise(document_id: str) -> Response[str]:
    return _signed_in(lambda user, session: document_pages.revise(user, session, document_id, _form()), post=True)


@app.get("/archive")
def archive() -> Response[str]:
    return _signed_in(lambda user, session: archive_pages.search(user, session, _query()))


@app.get("/rooms")
def rooms() -> Response[str]:
    from oa_core.web import bookings

    day = _query().get("date", "")
    return _signed_in(lambda user, session: bookings.rooms_day(user, session, day))


@app.get("/rooms/<room_id>")
def room_week(room_id: str) -> Response[str]:
    from oa_core.web import bookings

    day = _query().get("date", "")
    return _signed_in(lambda user, session: bookings.room_week(user, session, room_id, day))


@app.get("/meetings/new")
def new_meeting() -> Response[str]:
    from oa_core.web import bookings

    query = _query()
    fields = {"room_id": query.get("room", ""), "start": query.get("start", "")}
    return _signed_in(lambda user, session: bookings.new_meeting(user, session, fields))


@app.post("/meetings/new")
def submit_meeting() -> Response[str]:
    from oa_core.web import bookings

    return _signed_in(lambda user, session: bookings.submit_meeting(user, session, _form()), post=True)


@app.get("/meetings/<meeting_id>")
def meeting(meeting_id: str) -> Response[str]:
    from oa_core.web import bookings

    notice = _query().get("done", "")[:100]
    return _signed_in(lambda user, session: bookings.meeting_page(user, session, meeting_id, notice=notice))


@app.post("/meetings/<meeting_id>/decision")
def decide_meeting(meeting_id: str) -> Response[str]:
    from oa_core.web import bookings

    return _signed_in(lambda user, session: bookings.decide_meeting(user, session, meeting_id, _form()), post=True)


@app.post("/meetings/<meeting_id>/cancel")
def cancel_meeting(meeting_id: str) -> Response[str]:
    from oa_core.web import bookings

    return _signed_in(lambda user, session: bookings.cancel_meeting(user, session, meeting_id), post=True)


@app.get("/dispatch")
def dispatch_page() -> Response[str]:
    from oa_core.web import bookings

    notice = _query().get("done", "")[:100]
    return _signed_in(lambda user, session: bookings.dispatch_page(user, session, notice=notice))


@app.post("/dispatch/new")
def request_vehicle() -> Response[str]:
    from oa_core.web import bookings

    return _signed_in(lambda user, session: bookings.submit_dispatch(user, session, _form()), post=True)


@app.post("/dispatch/<dispatch_id>/decision")
def decide_dispatch(dispatch_id: str) -> Response[str]:
    from oa_core.web import bookings

    return _signed_in(lambda user, session: bookings.decide_dispatch(user, session, dispatch_id, _form()), post=True)


@app.get("/resources")
def resources() -> Response[str]:
    from oa_core.web import bookings

    notice = _query().get("done", "")[:100]
    return _signed_in(lambda user, session: bookings.resources_page(user, session, notice=notice))


@app.post("/resources")
def save_resource() -> Response[str]:
    from oa_core.web import bookings

    return _signed_in(lambda user, session: bookings.save_resource(user, session, _form()), post=True)


@app.post("/meetings/<meeting_id>/change")
def change_meeting(meeting_id: str) -> Response[str]:
    from oa_core.web import bookings

    return _signed_in(lambda user, session: bookings.change_meeting(user, session, meeting_id, _form()), post=True)


@app.get("/static/<name>")
def static(name: str) -> Response[str]:
    return _respond(pages.static(name))


@logger.inject_lambda_context(log_event=False, clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    token = pages.SITE.set(base_url(event))
    try:
        return app.resolve(event, context)
    finally:
        pages.SITE.reset(token)
