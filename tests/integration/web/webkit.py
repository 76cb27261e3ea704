"""Test kit: a browser's view of the staff pages (cookies, redirects, forms) over the local stack."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from infra.local.messages import HttpResponse
from infra.local.stack import LocalStack


class Browser:
    """Keeps cookies like a browser and follows nothing by itself: each test sees every redirect."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, form: dict[str, Any] | None = None, **headers: str) -> HttpResponse:
        """``url``: a path of the stack, a URL of it, or a URL of the local identity provider (another origin)."""
        split = urlsplit(url)
        path = split.path + (f"?{split.query}" if split.query else "")
        if self.stack.issuer is not None and url.startswith(f"{self.stack.issuer.origin}/"):
            path = url  # the provider's own origin: LocalStack.invoke_http hands it to the provider
        all_headers = dict(headers)
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body: bytes | None = None
        if form is not None:
            body = urlencode(form, doseq=True).encode("utf-8")
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = self.stack.invoke_http(method, path, body=body, headers=all_headers)
        for cookie in response.headers.getlist("Set-Cookie"):
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in cookie or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def get(self, url: str) -> HttpResponse:
        return self.request("GET", url)

    def post(self, url: str, form: dict[str, Any]) -> HttpResponse:
        return self.request("POST", url, form)

    def sign_in(self, user_id: str) -> HttpResponse:
        """The identity provider's sign-in as a person does it: start, pick the account there, come back."""
        start = self.get("/auth/start?next=/")
        assert start.status in (302, 303), start.text
        authorize = start.headers["Location"]
        params = dict(parse_qsl(urlsplit(authorize).query))
        picked = self.post(authorize.partition("?")[0], {**params, "user_id": user_id})
        assert picked.status in (302, 303), picked.text
        callback = picked.headers["Location"]
        back = self.get(callback)
        assert back.status == 303, back.text
        return back

    def csrf(self, page: HttpResponse) -> str:
        match = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert match, "the page carries a CSRF token"
        return match.group(1)


def location_path(response: HttpResponse) -> str:
    split = urlsplit(response.headers["Location"])
    return split.path + (f"?{split.query}" if split.query else "")
