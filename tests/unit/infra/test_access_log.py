"""The local stack's access log never prints an approval link id or a sign-in code, state or token
(infra.local.messages.AccessLog, the request handler of the gateway's and the identity provider's servers)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from infra.local.messages import AccessLog, redacted
from infra.local.polling import REQUEST_SECONDS, scaled

LINK = "Zr3kQ9-secret_link_id_43_characters_long_xx"


def test_link_ids_and_sign_in_secrets_are_redacted_and_the_rest_kept() -> None:
    assert redacted(f"/approvals/{LINK}") == "/approvals/[redacted]"
    assert redacted(f"/approvals/{LINK}?x=1") == "/approvals/[redacted]?x=1"
    assert redacted(f"/replies/{LINK}") == "/replies/[redacted]", "a 回执链接 is a credential too"
    line = redacted("/auth/callback?code=abc123&state=s3cr3t&next=/archive")
    assert line == "/auth/callback?code=[redacted]&state=[redacted]&next=/archive"
    authorize = redacted("/oauth2/authorize?client_id=oa&state=s&nonce=n&code_challenge=c&redirect_uri=x")
    assert "=s&" not in authorize and "nonce=[redacted]" in authorize and "client_id=oa" in authorize
    assert redacted("/api/documents/20261202-abc?next=cursor") == "/api/documents/20261202-abc?next=cursor"


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


@pytest.fixture
def server_url() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, _app, threaded=True, request_handler=AccessLog)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=scaled(REQUEST_SECONDS))


def test_a_served_request_is_logged_without_its_secrets(server_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="werkzeug")
    for path in (f"/approvals/{LINK}", "/auth/callback?code=abc123&state=s3cr3t"):
        assert requests.get(f"{server_url}{path}", timeout=scaled(REQUEST_SECONDS)).status_code == 200
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/approvals/[redacted]" in logged and "code=[redacted]&state=[redacted]" in logged
    assert LINK not in logged and "abc123" not in logged and "s3cr3t" not in logged
