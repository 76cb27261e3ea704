"""The local identity provider's pages: the demo-user picker (its "sign-in page") and its error page.

No password: the page lists the directory's users by department, each a button; choosing one posts
the authorization request's parameters back with ``user_id``. Everything shown is escaped.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from typing import Any

from werkzeug.datastructures import Headers

from infra.local.messages import Directory, HttpResponse

TITLE = "选择演示用户登录 - 本地登录"

_STYLE = (
    "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:56em;margin:2em auto;"
    "padding:0 1em;color:#222}h2{font-size:1.1em;border-bottom:1px solid #ccc;padding-bottom:.2em}"
    "ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5em}"
    "button{font:inherit;padding:.5em 1em;cursor:pointer;border:1px solid #888;border-radius:4px;background:#f6f6f6}"
    ".roles{color:#666;font-size:.9em}ul.error{display:block;list-style:disc;padding-left:1.5em;color:#a00}"
)


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def picker(directory: Directory, action: str, params: Mapping[str, str], carried: Sequence[str]) -> HttpResponse:
    """The users by department, each a submit button of one form that posts to ``action`` with the
    ``carried`` parameters of the authorization request as hidden fields."""
    users = directory.list_users()
    department_names = {d["department_id"]: d["name"] for d in directory.list_departments()}
    by_department: dict[str, list[dict[str, Any]]] = {d: [] for d in department_names}
    for user in users:
        by_department.setdefault(str(user.get("department") or ""), []).append(user)

    hidden = "".join(
        f'<input type="hidden" name="{esc(name)}" value="{esc(params[name])}">' for name in carried if name in params
    )
    sections = []
    for department_id, members in by_department.items():
        if not members:
            continue
        buttons = "".join(
            '<li><button type="submit" name="user_id" value="{}">'
            '<span class="name">{}</span> <span class="roles">{}</span></button></li>'.format(
                esc(user["user_id"]),
                esc(user.get("name") or user["user_id"]),
                esc("、".join(directory.role_names.get(r, r) for r in user.get("roles") or [])),
            )
            for user in members
        )
        title = department_names.get(department_id) or department_id or "未分配部门"
        sections.append(f"<section><h2>{esc(title)}</h2><ul>{buttons}</ul></section>")
    if not sections:
        sections.append("<p>目录中还没有用户。</p>")
    org = os.environ.get("ORG_NAME", "")
    body = (
        "<h1>选择演示用户登录</h1>"
        f"<p>{esc(org)} 本地登录：本地运行时代替单位的身份认证服务（统一身份认证平台或 Cognito 托管登录页），"
        "点击用户即以其身份登录，无需密码。</p>"
        f'<form method="post" action="{esc(action)}">{hidden}{"".join(sections)}</form>'
    )
    return page(200, TITLE, body)


def page(status: int, title: str, body: str) -> HttpResponse:
    document = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>"
    )
    headers = Headers([("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")])
    return HttpResponse(status, headers, document.encode("utf-8"))


def error_page(problems: list[str]) -> HttpResponse:
    items = "".join(f"<li>{esc(p)}</li>" for p in problems)
    return page(400, "登录请求有误 - 本地登录", f'<h1>登录请求有误</h1><ul class="error">{items}</ul>')
