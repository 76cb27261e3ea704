"""The API Gateway stand-in builds REST proxy events and reads proxy results like AWS."""

from __future__ import annotations

import base64
import re

from werkzeug.datastructures import Headers

from infra.local.gateway import build_proxy_event, proxy_result_to_http
from infra.local.messages import HttpRequest
from infra.local.template import Route


def route(binary: tuple[str, ...]) -> Route:
    return Route(
        path="/api/{proxy+}",
        method="ANY",
        function_id="ApiFunction",
        authorized=True,
        binary_media_types=binary,
        pattern=re.compile("/api/(?P<proxy>.+)"),
    )


def request(content_type: str, body: bytes) -> HttpRequest:
    return HttpRequest(
        method="POST",
        path="/api/documents",
        query=[("q", "1")],
        headers=Headers([("Content-Type", content_type), ("Host", "127.0.0.1:3000")]),
        body=body,
    )


def test_body_is_base64_when_the_api_declares_its_type_binary() -> None:
    event = build_proxy_event(request("application/json", b'{"a": 1}'), route(("*/*",)), {"proxy": "documents"}, None)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b'{"a": 1}'
    assert event["pathParameters"] == {"proxy": "documents"}


def test_text_body_stays_text_and_the_authorizers_context_reaches_the_handler() -> None:
    context = {"username": "u1", "sub": "u1", "email": "u1@example.gov.cn", "principalId": "u1"}
    event = build_proxy_event(
        request("application/json", '{"t": "中"}'.encode()),
        route(("application/pdf",)),
        {"proxy": "documents"},
        context,
    )
    assert event["isBase64Encoded"] is False
    assert event["body"] == '{"t": "中"}'
    assert event["requestContext"]["authorizer"] == context
    assert event["requestContext"]["stage"] == ""
    assert event["requestContext"]["domainName"] == "127.0.0.1:3000"
    assert event["queryStringParameters"] == {"q": "1"}


def test_proxy_result_headers_and_binary_body() -> None:
    response = proxy_result_to_http(
        {
            "statusCode": 200,
            "headers": {"Content-Type": "application/pdf", "X-One": "single"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"], "X-One": ["multi"]},
            "body": base64.b64encode(b"%PDF-1.7").decode(),
            "isBase64Encoded": True,
        }
    )
    assert response.status == 200
    assert response.body == b"%PDF-1.7"
    assert response.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert response.headers.getlist("X-One") == ["multi"]


def test_malformed_proxy_result_is_a_502() -> None:
    response = proxy_result_to_http({"body": "no status"})
    assert response.status == 502
    assert response.json()["error"]["code"] == "internal_error"
