"""What the staff pages' routes share: the session gate (a page runs for a signed-in user only, a POST
only with the session's CSRF token), the current request's cookies, form and query, and turning a
page's Reply into a Powertools Response."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.identity import directory, sessions
from oa_core.platform import refusals
from oa_core.platform.errors import DomainError, InvalidInput
from oa_core.platform.http import path_problem
from oa_core.web import pages
from oa_core.web.pages import Reply

Page = Callable[[dict[str, Any], sessions.Session], Reply]
"""A page for the signed-in user (the directory's entry) and their session."""


def respond(reply: Reply) -> Response[str]:
    response: Response[str] = Response(
        status_code=reply.status, content_type=reply.content_type, body=reply.body, headers=reply.headers
    )
    response.base64_encoded = reply.base64_encoded
    return response


class Gate:
    """The current request as the routes of one Router read it, and the gate every page passes.

    Holds nothing but the Router: the request is the Router's ``current_event`` at the time of the call.
    """

    def __init__(self, router: APIGatewayRouter) -> None:
        self.router = router

    def cookies(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for part in str(self.router.current_event.headers.get("cookie") or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name and name not in found:
                found[name] = value
        return found

    def form(self) -> dict[str, list[str]]:
        """The urlencoded form (a page's forms are never multipart: any other body reads as no field)."""
        event = self.router.current_event
        raw = event.body or ""
        try:
            text = base64.b64decode(raw).decode("utf-8") if event.is_base64_encoded else raw
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidInput("表单内容不是 UTF-8 编码的文本，请刷新页面后重新提交 (the form is not UTF-8)") from None
        return parse_qs(text, keep_blank_values=True)

    def once(
        self,
        name: str,
        repeated: str,
        submit: Callable[[dict[str, Any], sessions.Session, dict[str, list[str]]], Reply],
    ) -> Response[str]:
        """A signed-in person's form POST, submitted once per form (web.once): a repeat answers ``repeated`` and
        lands on what the first made; ``submit(user, session, form)`` does the work."""
        from oa_core.web import once

        def submitted(user: dict[str, Any], session: sessions.Session) -> Reply:
            form = self.form()
            return once.submit(user, session, form, name, repeated, lambda: submit(user, session, form))

        return self.signed_in(submitted, post=True)

    def body_bytes(self) -> bytes:
        """The request body as bytes (a file the page sends as the whole body: 从 Word 导入)."""
        event = self.router.current_event
        raw = event.body or ""
        if not event.is_base64_encoded:
            return raw.encode("utf-8")
        try:
            return base64.b64decode(raw, validate=True)
        except binascii.Error:
            raise InvalidInput("上传的文件不完整，请重新选择文件 (bad base64 body)") from None

    def query(self) -> dict[str, str]:
        query = self.router.current_event.query_string_parameters or {}
        return {k: v for k, v in query.items() if isinstance(v, str)}

    def signed_in(self, handle: Page, *, post: bool = False, file_body: bool = False) -> Response[str]:
        """Run a page for the signed-in user; send others to sign in; refuse a POST without the CSRF token.

        ``file_body``: the POST's body is a file, not a form, so the token comes in the X-CSRF-Token header."""
        event = self.router.current_event
        session = sessions.resolve(self.cookies().get(sessions.COOKIE))
        path = event.path
        if path_problem(event.raw_event):  # an id of any length never reaches a key or the audit trail
            return respond(pages.message(None, None, 404, "找不到页面", "地址中的编号无效，请从工作台重新进入。"))
        if session is None:
            if post:
                return respond(pages.message(None, None, 401, "请先登录", "登录已超时，请重新登录后再提交。"))
            return respond(pages.redirect(f"/login?next={quote(path)}"))
        refusals.signed_in(session.user_id)
        user = directory.get_user(session.user_id)
        if user is None:
            return respond(pages.message(None, None, 403, "账号不可用", "您的账号不在组织机构中，请联系管理员。"))
        if post:
            try:
                form = {} if file_body else self.form()
            except DomainError as exc:
                return respond(pages.denied(user, session, exc))
            token = pages.form_value(form, "csrf") or event.headers.get("x-csrf-token", "")
            if not sessions.csrf_ok(session, token):
                from oa_core.platform import audit

                audit.record(user["user_id"], f"POST {path[:200]}", path[:200], "denied", "missing or wrong CSRF token")
                return respond(
                    pages.message(user, session, 403, "请求已失效", "页面已过期或来源不明，请刷新页面后重试。")
                )
        try:
            return respond(handle(user, session))
        except DomainError as exc:
            return respond(pages.denied(user, session, exc))
