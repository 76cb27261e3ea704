"""The staff pages' framework: replies, the site's URL and path prefix, security headers, redirects,
rendering a page (jinja2, autoescape on) with what every page shows, messages and refusals, the CSS
and JS (static), and reading a form's fields.

Pages are server-rendered. Every page needs a session (identity.sessions); every form POST carries
the session's CSRF token (checked by the web function before a page runs). The pages themselves are
in modules of their own: documents (拟稿, 文件), dashboard (工作台), archive (档案检索), bookings
(会议室, 会议, 用车, resources); each calls the same domain functions as the JSON API, so a page can
do nothing the API forbids.
"""

from __future__ import annotations

import secrets
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from oa_core.identity import directory, oidc, sessions
from oa_core.outgoing.names import DECISION_NAMES, STATUS_NAMES, STEP_NAMES
from oa_core.platform import clock, rendering
from oa_core.platform.config import settings
from oa_core.platform.errors import DomainError

STATIC = Path(__file__).parent / "static"
WORDS = {"step_names": STEP_NAMES, "decision_names": DECISION_NAMES, "status_names": STATUS_NAMES}
"""The names of steps, decisions and statuses every page may show (a page's own context wins)."""
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@dataclass
class Reply:
    status: int
    body: str
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str | list[str]] = field(default_factory=dict)
    base64_encoded: bool = False
    """The body is base64 of binary content (a PDF); API Gateway sends the bytes."""


FORM_TOKEN: ContextVar[str] = ContextVar("form_token", default="")
"""The token of the form this request submits (web.once), so a form shown again keeps it."""

SITE: ContextVar[str] = ContextVar("site", default="")
"""This request's site URL: PublicBaseUrl, else the API Gateway stage URL (set by the handler)."""


def site() -> str:
    return SITE.get() or settings().public_base_url


def root() -> str:
    """The site's path prefix (the API Gateway stage, e.g. /prod), empty behind a custom domain."""
    return urlsplit(site()).path.rstrip("/")


def attachment_origins() -> list[str]:
    """Where the draft form's script uploads 附件 (the attachments bucket's S3 origins; locally, our own)."""
    config = settings()
    if config.attachment_endpoint:
        url = urlsplit(config.attachment_endpoint)
        return [f"{url.scheme}://{url.netloc}"]
    if not config.attachment_bucket:
        return []
    suffix = "amazonaws.com.cn" if config.region.startswith("cn-") else "amazonaws.com"
    return [
        f"https://{config.attachment_bucket}.s3.{suffix}",
        f"https://{config.attachment_bucket}.s3.{config.region}.{suffix}",
    ]


def csp() -> str:
    """The pages' Content-Security-Policy; form-action also allows the identity provider, where signing
    out redirects the browser (browsers apply form-action to a form's redirects too)."""
    form_action = " ".join(["'self'", *oidc.provider_origins()])
    connect = " ".join(["'self'", *attachment_origins()])
    return (
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src {connect}; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    )


def headers() -> dict[str, str | list[str]]:
    return {
        "Content-Security-Policy": csp(),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def redirect(path: str, *, cookies: list[str] | None = None, absolute: bool = False) -> Reply:
    location = path if absolute else f"{site()}{path}"
    reply = Reply(303, "", headers={**headers(), "Location": location})
    if cookies:
        reply.headers["Set-Cookie"] = cookies
    return reply


def render(template: str, **context: Any) -> str:
    """A page: jinja2 with autoescape, with the words of WORDS available to the template."""
    return rendering.render(template, **{**WORDS, **context})


def page(template: str, user: dict[str, Any] | None, session: sessions.Session | None, **context: Any) -> Reply:
    status = int(context.pop("status", 200))
    body = render(
        f"pages/staff/{template}",
        org_name=settings().org_name,
        root=root(),
        me=user,
        csrf=session.csrf if session else "",
        role_names=directory.ROLE_NAMES,
        to_minute=clock.to_minute,
        form_token=FORM_TOKEN.get() or secrets.token_urlsafe(18),
        **context,
    )
    return Reply(status, body, headers=headers())


def message(
    user: dict[str, Any] | None, session: sessions.Session | None, status: int, headline: str, text: str
) -> Reply:
    return page("message.html", user, session, status=status, headline=headline, text=text)


def static(name: str) -> Reply:
    path = (STATIC / name).resolve()
    if path.parent != STATIC.resolve() or path.suffix not in STATIC_TYPES or not path.is_file():
        return Reply(404, "not found", "text/plain; charset=utf-8", headers())
    reply = Reply(200, path.read_text(encoding="utf-8"), STATIC_TYPES[path.suffix], headers())
    reply.headers["Cache-Control"] = "public, max-age=300"
    return reply


def denied(user: dict[str, Any], session: sessions.Session, exc: DomainError) -> Reply:
    headline = {401: "请先登录", 403: "无权访问", 404: "找不到页面", 409: "无需再处理"}.get(exc.status, "无法完成")
    return message(user, session, exc.status, headline, exc.message)


def form_value(form: dict[str, list[str]], name: str, *, strip: bool = False) -> str:
    """A form field's first value ("" when absent), as every page's POST reads it."""
    value = (form.get(name) or [""])[0]
    return value.strip() if strip else value
