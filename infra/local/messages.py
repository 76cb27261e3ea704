"""What the local gateway and the identity provider beside it (infra/local/oidc_issuer.py) exchange: an
HTTP request and answer, the directory they consult, and the contract's JSON replies."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TextIO

from werkzeug.datastructures import Headers
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Request, Response


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    query: Sequence[tuple[str, str]]
    headers: Headers
    body: bytes
    source_ip: str = "127.0.0.1"


class HttpResponse(NamedTuple):
    """An HTTP answer; unpacks as ``status, headers, body``."""

    status: int
    headers: Headers
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class Directory:
    """How the gateway reaches the organisation directory (oa_core.directory).

    ``list_departments`` (``{"department_id", "name"}`` dicts) and ``role_names`` (role ->
    Chinese name) only label the local sign-in page; without them it shows the ids.
    """

    def __init__(
        self,
        list_users: Callable[[], list[dict[str, Any]]],
        get_user: Callable[[str], dict[str, Any] | None],
        list_departments: Callable[[], list[dict[str, str]]] | None = None,
        role_names: Mapping[str, str] | None = None,
    ) -> None:
        self.list_users = list_users
        self.get_user = get_user
        self.list_departments: Callable[[], list[dict[str, str]]] = list_departments or list
        self.role_names = dict(role_names or {})


def error_response(status: int, code: str, message: str) -> HttpResponse:
    """The contract's error shape: ``{"error": {"code", "message"}}``."""
    return json_response(status, {"error": {"code": code, "message": message}})


def json_response(status: int, payload: Any, headers: Headers | None = None) -> HttpResponse:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    all_headers = Headers(headers or [])
    all_headers["Content-Type"] = "application/json; charset=utf-8"
    return HttpResponse(status, all_headers, body)


def serve_wsgi(handle: Callable[[HttpRequest], HttpResponse], environ: dict[str, Any], start_response: Any) -> Any:
    """One WSGI request through ``handle``: the gateway's and the identity provider's ``wsgi_app``."""
    request = Request(environ)
    result = handle(
        HttpRequest(
            method=request.method,
            path=request.path,
            query=list(request.args.items(multi=True)),
            headers=Headers(request.headers),
            body=request.get_data(),
            source_ip=request.remote_addr or "127.0.0.1",
        )
    )
    return Response(result.body, status=result.status, headers=result.headers)(environ, start_response)


SECRET_PATH = re.compile(r"(/(?:approvals|replies)/)[^/?#\s]+")
SECRET_QUERY = re.compile(
    r"([?&](?:code|state|nonce|code_challenge|code_verifier|id_token_hint|id_token|access_token|token)=)[^&#\s]*",
    re.IGNORECASE,
)


def redacted(target: str) -> str:
    """A request target fit for a log: approval link ids (credentials: whoever holds one decides) and
    sign-in codes, states and tokens replaced, as API Gateway's access log shows the resource path only."""
    return SECRET_QUERY.sub(r"\1[redacted]", SECRET_PATH.sub(r"\1[redacted]", target))


class Console:
    """Where ``make run`` prints one readable line per request (``python -m infra.local`` sets it; a
    stack a test starts in-process leaves it unset, and only werkzeug's log line is written)."""

    stream: TextIO | None = None
    lock = threading.Lock()

    @classmethod
    def line(cls, method: str, target: str, status: int | str, millis: float) -> None:
        if cls.stream is None:
            return
        stamp = time.strftime("%H:%M:%S")
        text = f"{stamp}  {method:<6} {redacted(target)}  {status}  {millis:.0f} ms"
        if str(status).startswith("5"):
            text += "  (详情见日志文件)"
        with cls.lock:
            cls.stream.write(text + "\n")
            cls.stream.flush()


class AccessLog(WSGIRequestHandler):
    """werkzeug's request handler, whose access log line shows the target redacted; with a Console set,
    also one readable line (time, method, target, status, milliseconds) on it."""

    def run_wsgi(self) -> None:
        self._started = time.monotonic()
        super().run_wsgi()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        started = getattr(self, "_started", None)
        if started is not None:
            Console.line(self.command, self.path, code, (time.monotonic() - started) * 1000)
        saved = {name: getattr(self, name) for name in ("path", "requestline") if hasattr(self, name)}
        for name, value in saved.items():
            setattr(self, name, redacted(value))
        try:
            super().log_request(code, size)
        finally:
            for name, value in saved.items():
                setattr(self, name, value)
