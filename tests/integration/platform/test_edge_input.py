"""No 5xx from any input, through the local stack's HTTP front: control characters, the calendar's ends,
bodies that are not UTF-8 or not the form they claim, deep JSON, forged cursors, ids of any length —
each a 4xx with a Chinese message, and nothing saved by a refused request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest

from infra.local.stack import LocalStack
from oa_core.platform import clock
from tests.integration.kit import Api, draft
from tests.integration.web.webkit import Browser

FAR = [
    ("0001-01-01T00:00+14:00", "0001-01-01T01:00+14:00"),
    ("0001-01-01T00:00", "0001-01-01T01:00"),
    ("9999-12-31T23:00:00-12:00", "9999-12-31T23:30:00-12:00"),
    ("9999-12-31T23:00:00+14:00", "9999-12-31T23:59:59+14:00"),
]
LONG_ID = "x" * 3000


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack() as running:
        running.serve(port=0)  # the staff pages' sign-in exchanges its code over HTTP
        yield running


def _slot(days: int, hour: int = 9) -> tuple[str, str]:
    day = (clock.now() + timedelta(days=days)).date()
    start = datetime(day.year, day.month, day.day, hour, tzinfo=clock.local_zone())
    return start.isoformat(), (start + timedelta(hours=1)).isoformat()


def _refused(status: int, body: object, *words: str) -> None:
    assert 400 <= status < 500, (status, body)
    message = body["error"]["message"] if isinstance(body, dict) else str(body)
    for word in words:
        assert word in message, message


def test_a_title_with_a_line_break_is_refused_and_no_document_is_made(api: Api) -> None:
    for breaker in ("\r\n", "\n", "\u2028"):
        title = f"关于做好检查{breaker}工作的通知"
        status, body = api.call("POST", "/api/documents", "zhangwei", draft(title=title))
        _refused(status, body, "标题", "只能是一行文字")
    status, mine = api.call("GET", "/api/archive?q=检查", "zhangwei")
    assert status == 200 and mine["items"] == []


def test_a_meeting_topic_with_a_line_break_is_refused_rather_than_expiring_the_meeting(api: Api) -> None:
    start, end = _slot(3)
    application = {"topic": "周例会\u2028第二行", "room_id": "room-301", "start": start, "end": end}
    status, body = api.call("POST", "/api/meetings", "zhangwei", {**application, "participants": ["lina"]})
    _refused(status, body, "会议主题", "只能是一行文字")
    status, taken = api.call("GET", f"/api/resources/room-301/bookings?from={quote(start)}&to={quote(end)}", "lina")
    assert status == 200 and taken == []


def test_a_dispatch_purpose_with_a_line_break_is_refused_and_not_saved(api: Api) -> None:
    start, end = _slot(4)
    request = {"purpose": "接待\r\n来访", "passengers": 2, "origin": "机关", "destination": "市政府"}
    status, body = api.call("POST", "/api/dispatch", "zhangwei", {**request, "start": start, "end": end})
    _refused(status, body, "事由", "只能是一行文字")
    status, listed = api.call("GET", "/api/dispatch", "zhangwei")
    assert status == 200 and listed["mine"] == []


@pytest.mark.parametrize(("start", "end"), FAR)
def test_times_at_the_calendars_ends_are_refused_on_every_route(api: Api, start: str, end: str) -> None:
    window = f"from={quote(start)}&to={quote(end)}"
    calls = [
        ("POST", "/api/bookings", {"resource_id": "room-301", "start": start, "end": end, "title": "预订"}),
        (
            "POST",
            "/api/meetings",
            {"topic": "会", "room_id": "room-301", "start": start, "end": end, "participants": ["lina"]},
        ),
        (
            "POST",
            "/api/dispatch",
            {"purpose": "公务", "passengers": 1, "origin": "甲", "destination": "乙", "start": start, "end": end},
        ),
        ("GET", f"/api/resources/room-301/bookings?{window}", None),
        ("GET", f"/api/resources?kind=room&{window}", None),
        ("GET", f"/api/archive?from={start[:10]}&to={end[:10]}", None),
    ]
    for method, path, body in calls:
        status, answer = api.call(method, path, "zhangwei", body)
        _refused(status, answer, "超出可用范围")


def test_a_body_that_is_not_utf8_is_refused(api: Api) -> None:
    for path in ("/api/documents", "/api/bookings", "/api/tasks/20261202-0000000000.review.1.0/decision"):
        response = api.stack.invoke_http(
            "POST",
            path,
            user_id="zhangwei",
            body=b'{"title": "\xff\xfe"}',
            headers={"Content-Type": "application/json"},
        )
        _refused(response.status, response.json(), "UTF-8")


def test_very_deep_json_and_forged_cursors_are_refused(api: Api) -> None:
    for deep in ("[" * 100_000, '{"a":' * 100_000):
        status, body = api.call("POST", "/api/documents", "zhangwei", deep, {"Content-Type": "application/json"})
        _refused(status, body, "JSON")  # nested too deeply
    for cursor in ("abc", "eyJ4IjoxfQ", quote(json.dumps({"PK": "DOC#x" * 500})), "%00", "\u2028"):
        status, body = api.call("GET", f"/api/archive?next={quote(cursor)}", "zhangwei")
        _refused(status, body, "next")


def test_ids_of_any_length_are_a_404_on_every_api_route(api: Api) -> None:
    for user in ("zhangwei", "admin"):
        for method, path, body in [
            ("GET", f"/api/documents/{LONG_ID}", None),
            ("POST", f"/api/documents/{LONG_ID}/resume", None),
            ("POST", f"/api/documents/{LONG_ID}/receipt", None),
            ("GET", f"/api/documents/{LONG_ID}/pdf", None),
            ("POST", f"/api/tasks/{LONG_ID}/decision", {"decision": "approve"}),
            ("DELETE", f"/api/bookings/{LONG_ID}", None),
            ("GET", f"/api/archive/{LONG_ID}/package", None),
            ("GET", f"/api/meetings/{LONG_ID}", None),
            ("POST", f"/api/meetings/M{LONG_ID}/cancel", None),
            ("POST", f"/api/dispatch/{LONG_ID}/decision", {"decision": "reject", "opinion": "不派"}),
            (
                "GET",
                f"/api/resources/{LONG_ID}/bookings?from=2026-12-03T00:00%2B08:00&to=2026-12-04T00:00%2B08:00",
                None,
            ),
        ]:
            status, answer = api.call(method, path, user, body)
            assert status == 404, (method, path[:60], status, answer)
            assert "没有这个" in answer["error"]["message"]
    status, answer = api.call("GET", "/api/documents/a%0d%0ab", "zhangwei")
    assert status == 404, answer


def test_the_staff_pages_refuse_bad_bodies_and_long_ids_with_a_page_never_a_5xx(stack: LocalStack) -> None:
    browser = Browser(stack)
    browser.sign_in("zhangwei")
    csrf = browser.csrf(browser.get("/documents/new"))
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    answers = [
        browser.request("GET", f"/documents/{LONG_ID}"),
        browser.request("POST", f"/documents/{LONG_ID}/decision", {"decision": "approve"}),
        browser.request("POST", f"/meetings/M{LONG_ID}/cancel", {"csrf": csrf}),
        browser.request("GET", f"/rooms/{LONG_ID}"),
        browser.request("GET", "/rooms?date=0001-01-01"),
        browser.request("GET", "/rooms?date=9999-12-31"),
        browser.request("GET", f"/approvals/{LONG_ID}"),
        browser.request("POST", f"/approvals/{LONG_ID}", {"decision": "approve"}),
    ]
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    for content_type, body in [
        ("application/x-www-form-urlencoded", b"csrf=" + csrf.encode() + b"&title=\xff\xfe"),
        ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=csrf\r\n\r\n" + csrf.encode()),
        ("multipart/form-data; boundary=", b"--\r\n\r\n"),
    ]:
        headers = {**form_headers, "Content-Type": content_type, "Cookie": cookie}
        answers.append(stack.invoke_http("POST", "/documents/new", body=body, headers=headers))
        answers.append(stack.invoke_http("POST", "/meetings/new", body=body, headers=headers))
    for answer in answers:
        assert 200 <= answer.status < 500 and answer.status != 0, (answer.status, answer.text[:300])
        assert "Internal server error" not in answer.text


def test_a_next_page_with_a_line_break_signs_in_to_the_dashboard(stack: LocalStack) -> None:
    browser = Browser(stack)
    start = browser.get("/auth/start?next=" + quote("/archive\r\nSet-Cookie: x=1"))
    assert start.status == 303
    from urllib.parse import parse_qsl, urlsplit

    authorize = start.headers["Location"]
    picked = browser.post(
        authorize.partition("?")[0], {**dict(parse_qsl(urlsplit(authorize).query)), "user_id": "lina"}
    )
    back = browser.get(picked.headers["Location"])
    assert back.status == 303, back.text[:300]
    assert urlsplit(back.headers["Location"]).path in ("", "/")


def test_json_answers_are_never_cached_or_sniffed(api: Api) -> None:
    answers = [
        api.stack.invoke_http("GET", "/api/tasks", user_id="zhangwei"),
        api.stack.invoke_http("GET", "/api/directory", user_id="zhangwei"),
        api.stack.invoke_http("GET", "/api/resources?kind=room", user_id="zhangwei"),
        api.stack.invoke_http("GET", "/health"),
        api.stack.invoke_http("GET", "/api/tasks"),  # the gateway's 401
        api.stack.invoke_http("GET", "/api/no-such-route", user_id="zhangwei"),
        api.stack.invoke_http("POST", "/api/bookings", user_id="zhangwei", body={"resource_id": "x"}),
    ]
    for answer in answers:
        assert answer.headers.get("Content-Type", "").startswith("application/json"), answer.headers
        assert answer.headers.get("Cache-Control") == "no-store", (answer.status, answer.headers)
        assert answer.headers.get("X-Content-Type-Options") == "nosniff", (answer.status, answer.headers)
        assert "Strict-Transport-Security" not in answer.headers  # served over http here


def test_pages_served_over_https_carry_hsts_and_over_http_none(stack: LocalStack) -> None:
    for path in ("/login", "/approvals/not-a-link", "/", "/api/tasks"):
        user = "zhangwei" if path.startswith("/api/") else None
        over_https = stack.invoke_http("GET", path, user_id=user, headers={"X-Forwarded-Proto": "https"})
        assert over_https.headers.get("Strict-Transport-Security", "").startswith("max-age="), (path, over_https)
        over_http = stack.invoke_http("GET", path, user_id=user)
        assert "Strict-Transport-Security" not in over_http.headers, path


def test_the_openapi_document_says_what_every_parameter_accepts_and_declares_every_error(api: Api) -> None:
    status, document = api.call("GET", "/openapi.json", "zhangwei")
    assert status == 200
    assert "HTTPValidationError" not in json.dumps(document)  # Powertools' shape is never what we answer
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (method, path, parameter["name"])
            for code in ("400", "401", "403", "404", "422"):
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, code)
    for name in ("DraftSubmission", "MeetingApplication", "DispatchRequest", "BookingRequest"):
        for field, schema in document["components"]["schemas"][name]["properties"].items():
            described = json.dumps(schema, ensure_ascii=False)
            assert any(word in described for word in ("description", "$ref", "enum", "minimum")), (name, field)
