"""The local stand-in for API Gateway (REST API, Lambda proxy integration).

Turns an HTTP request into the event API Gateway would give the function that
template.yaml routes it to, calls that function's real handler in-process, and turns
its proxy response back into HTTP. Routes, authorisation (the template's Lambda authorizer,
run as API Gateway runs it: infra/local/authorizers.py; or ``NONE``), gateway responses and
binary media types all come from the template, so what works here works behind API Gateway.

Sign-in is the local identity provider's (infra/local/oidc_issuer.py, on an origin of its own):
``/_local/login`` hands out an ID token it signs, which the authorizer verifies like any other.
The ``/_local/*`` routes are served by the gateway itself and exist only locally:

- ``GET /_local/users``: the directory's users (JSON).
- ``POST /_local/login``: ``{"user_id": ...}`` -> ``{"token", "user_id"}``, a signed ID token for
  ``Authorization: Bearer <token>``.
- ``GET /_local/outbox``: every email sent (HTML, or JSON with ``Accept: application/json``).
- ``POST /_local/s3/<bucket>``, ``GET /_local/s3/<bucket>/<key>``: S3's browser endpoints (presigned POST
  uploads and presigned GETs of 附件), served from the same moto backend (infra/local/s3_front.py).
"""

from __future__ import annotations

import base64
import html
import json
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Mapping, Sequence
from fnmatch import fnmatch
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import Headers, MIMEAccept
from werkzeug.http import parse_accept_header

from infra.local import lambda_dispatch, s3_front
from infra.local.authorizers import Authorizers
from infra.local.lambda_dispatch import FunctionSpec
from infra.local.messages import Directory, HttpRequest, HttpResponse, error_response, json_response, serve_wsgi
from infra.local.template import LOCAL_ACCOUNT_ID, Route

if TYPE_CHECKING:
    from infra.local.oidc_issuer import LocalIssuer


class Gateway:
    """Routes requests to handlers (template routes) or to the local-only routes."""

    def __init__(
        self,
        routes: Sequence[Route],
        functions: Mapping[str, FunctionSpec],
        directory: Callable[[], Directory],
        outbox: Callable[[], list[dict[str, Any]]],
        issuer: LocalIssuer | None = None,
        region: str = "us-east-1",
    ) -> None:
        """``issuer`` signs the tokens of ``/_local/login`` (without one, that route answers 503)."""
        self.routes = list(routes)
        self.functions = functions
        self._directory = directory
        self._outbox = outbox
        self.issuer = issuer
        self.authorizers = Authorizers(functions, region)

    # ------------------------------------------------------------------ WSGI
    def wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Any:
        return serve_wsgi(self.handle, environ, start_response)

    # ------------------------------------------------------------------ dispatch
    def handle(self, request: HttpRequest) -> HttpResponse:
        try:
            if request.path.startswith(s3_front.PREFIX):
                return s3_front.handle(request)
            if request.path.startswith("/_local/"):
                return self._local_route(request)
            return self._proxy(request)
        except Exception as error:  # the gateway answers, whatever a handler did
            traceback.print_exc(file=sys.stderr)
            return error_response(502, "internal_error", f"Internal server error: {error}")

    def _local_route(self, request: HttpRequest) -> HttpResponse:
        match request.method, request.path.rstrip("/"):
            case "GET", "/_local/users":
                return json_response(200, self._directory().list_users())
            case "POST", "/_local/login":
                return self._login(request)
            case "GET", "/_local/outbox":
                return self._outbox_response(request)
        return error_response(404, "not_found", f"No local route {request.method} {request.path}")

    def _login(self, request: HttpRequest) -> HttpResponse:
        content_type = request.headers.get("Content-Type", "")
        text = request.body.decode("utf-8", errors="replace")
        payload: Any
        # A JSON body is accepted whatever the Content-Type says (curl -d sends it as a form);
        # a real form (user_id=...) works too.
        try:
            payload = json.loads(text or "{}")
        except json.JSONDecodeError:
            if not content_type.startswith("application/x-www-form-urlencoded"):
                return error_response(400, "bad_request", 'Body must be JSON {"user_id": ...}')
            payload = dict(parse_qsl(text))
        user_id = payload.get("user_id") if isinstance(payload, dict) else None
        if not isinstance(user_id, str) or not user_id:
            return error_response(422, "validation_error", "user_id is required (用户名必填)")
        user = self._directory().get_user(user_id)
        if user is None:
            return error_response(404, "not_found", f"No such user: {user_id} (用户不存在)")
        if self.issuer is None:
            return error_response(503, "no_identity_provider", "本地身份提供方未启动 (no local issuer)")
        return json_response(200, {"token": self.issuer.token_for(user_id), "user_id": user_id})

    def _outbox_response(self, request: HttpRequest) -> HttpResponse:
        messages = self._outbox()
        accept = parse_accept_header(request.headers.get("Accept"), MIMEAccept)
        if accept.best_match(["application/json", "text/html"]) != "text/html":
            return json_response(200, messages)
        rows = []
        for message in messages:
            links = "<br>".join(
                f'<a href="{html.escape(str(link))}">{html.escape(str(link))}</a>'
                for link in message.get("links") or []
            )
            rows.append(
                "<tr>"
                f"<td>{html.escape(str(message.get('sent_at') or ''))}</td>"
                f"<td>{html.escape(', '.join(message.get('to') or []))}</td>"
                f"<td>{html.escape(str(message.get('subject') or ''))}"
                f"<pre>{html.escape(str(message.get('text') or ''))}</pre></td>"
                f"<td>{links}</td>"
                "</tr>"
            )
        page = (
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            "<title>本地发件箱</title>"
            "<style>body{font-family:sans-serif}td{vertical-align:top;border-top:1px solid #ccc;"
            "padding:4px}pre{white-space:pre-wrap}</style></head><body>"
            f"<h1>本地发件箱: {len(messages)}</h1>"
            "<table><tr><th>发送时间</th><th>收件人</th><th>主题</th><th>链接</th></tr>"
            + "".join(rows)
            + "</table></body></html>"
        )
        headers = Headers([("Content-Type", "text/html; charset=utf-8")])
        return HttpResponse(200, headers, page.encode("utf-8"))

    # ------------------------------------------------------------------ proxy
    def find_route(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            params = route.match(method, path)
            if params is not None:
                return route, params
        return None

    def _proxy(self, request: HttpRequest) -> HttpResponse:
        found = self.find_route(request.method, request.path)
        if found is None:
            return error_response(404, "not_found", f"No route for {request.method} {request.path}")
        route, path_params = found
        authorizer: dict[str, Any] | None = None
        if route.authorized:
            checked = self.authorizers.check(request, route, path_params)
            if isinstance(checked, HttpResponse):
                return checked
            authorizer = checked
        event = build_proxy_event(request, route, path_params, authorizer)
        spec = self.functions[route.function_id]
        try:
            result = lambda_dispatch.invoke_handler(spec, event)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            # API Gateway answers a failed Lambda proxy integration with 502.
            return error_response(502, "internal_error", "Internal server error")
        return proxy_result_to_http(json.loads(json.dumps(result)))


def _is_binary(content_type: str, binary_media_types: Sequence[str]) -> bool:
    media_type = (content_type or "application/json").split(";", 1)[0].strip().lower()
    return any(fnmatch(media_type, pattern.lower()) for pattern in binary_media_types)


def build_proxy_event(
    request: HttpRequest,
    route: Route,
    path_params: Mapping[str, str],
    authorizer: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The API Gateway REST (v1) Lambda proxy event for ``request`` on ``route``; ``authorizer`` is
    what the route's authorizer said (its context and principal), ``requestContext.authorizer``."""
    single_headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    forwarded = Headers(request.headers)
    # API Gateway adds these (X-Forwarded-Proto always https); the local front is http unless a proxy
    # in front of it said otherwise.
    forwarded.setdefault("X-Forwarded-Proto", "http")
    forwarded.setdefault("X-Forwarded-For", request.source_ip)
    for name, value in forwarded.items():
        single_headers[name] = value
        multi_headers.setdefault(name, []).append(value)
    single_query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for name, value in request.query:
        single_query[name] = value
        multi_query.setdefault(name, []).append(value)

    body: str | None = None
    is_base64 = False
    if request.body:
        content_type = request.headers.get("Content-Type", "")
        if _is_binary(content_type, route.binary_media_types):
            body, is_base64 = base64.b64encode(request.body).decode("ascii"), True
        else:
            try:
                body = request.body.decode("utf-8")
            except UnicodeDecodeError:
                body, is_base64 = base64.b64encode(request.body).decode("ascii"), True

    now = time.time()
    request_id = str(uuid.uuid4())
    host = request.headers.get("Host", "127.0.0.1")
    request_context: dict[str, Any] = {
        "accountId": LOCAL_ACCOUNT_ID,
        "apiId": "local",
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0],
        "extendedRequestId": request_id,
        "httpMethod": request.method,
        "identity": {
            "sourceIp": request.source_ip,
            "userAgent": request.headers.get("User-Agent", ""),
        },
        "path": request.path,
        "protocol": "HTTP/1.1",
        "requestId": request_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "requestTimeEpoch": int(now * 1000),
        "resourceId": "local",
        "resourcePath": route.path,
        "stage": "",
    }
    if authorizer is not None:
        request_context["authorizer"] = dict(authorizer)
    return {
        "resource": route.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": single_headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": single_query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(path_params) or None,
        "stageVariables": None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": is_base64,
    }


def proxy_result_to_http(result: Any) -> HttpResponse:
    """API Gateway's reading of a Lambda proxy response."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        print(f"malformed Lambda proxy response: {result!r:.500}", file=sys.stderr)
        return error_response(502, "internal_error", "Malformed Lambda proxy response")
    headers = Headers()
    multi: dict[str, list[Any]] = result.get("multiValueHeaders") or {}
    for name, value in (result.get("headers") or {}).items():
        if name not in multi:
            headers.add(name, str(value))
    for name, values in multi.items():
        for value in values:
            headers.add(name, str(value))
    if "Content-Type" not in headers:
        headers["Content-Type"] = "application/json"
    raw_body = result.get("body") or ""
    body = base64.b64decode(raw_body) if result.get("isBase64Encoded") else str(raw_body).encode("utf-8")
    return HttpResponse(int(result["statusCode"]), headers, body)
